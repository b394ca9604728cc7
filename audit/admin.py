"""The audit log in the admin: read-only, for administrators' reference. Nobody adds, changes or deletes."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from audit import services
from audit.models import AuditEntry, Seal


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


# django-auditlog registers its own (deletable) admin for the swapped model; ours replaces it.
if admin.site.is_registered(AuditEntry):
    admin.site.unregister(AuditEntry)


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    list_display = ["timestamp", "event", "actor", "actor_agency", "object_repr", "outcome"]
    list_filter = ["outcome", "event"]
    actions = None

    # Reading the log is itself an access: the admin records it like the auditor pages do.
    def changelist_view(self, request: HttpRequest, extra_context: Any = None) -> Any:
        services.record(event="audit.admin_listed", actor=request.user, model=AuditEntry)
        return super().changelist_view(request, extra_context)

    def change_view(self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: Any = None) -> Any:
        services.record(event="audit.admin_viewed", actor=request.user, model=AuditEntry, object_repr=str(object_id))
        return super().change_view(request, object_id, form_url, extra_context)


@admin.register(Seal)
class SealAdmin(ReadOnlyAdmin):
    list_display = ["id", "first_entry_id", "last_entry_id", "entry_count", "sealed_at"]
    exclude = ["digests"]
    actions = None
