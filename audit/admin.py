"""The audit log in the admin: read-only, for administrators' reference. Nobody adds, changes or deletes."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

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


@admin.register(Seal)
class SealAdmin(ReadOnlyAdmin):
    list_display = ["id", "first_entry_id", "last_entry_id", "entry_count", "sealed_at"]
    exclude = ["digests"]
    actions = None
