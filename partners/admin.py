"""The admin is for reference data: agencies and user accounts. It never shows case content."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin
from django.db.models import QuerySet
from django.forms import ModelForm
from django.http import HttpRequest
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import WebAuthnAttestation, WebAuthnCredential

from partners import services
from partners.models import Agency, User, UserDeletionRefused


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "kind", "local_authority_area", "police_force_area", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "code"]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Agency, form: ModelForm, change: bool) -> None:
        super().save_model(request, obj, form, change)
        services.sync_agency_group(agency=obj)


@admin.register(User)
class PartnerUserAdmin(UserAdmin):
    list_display = ["username", "first_name", "last_name", "agency", "role", "is_active"]
    list_filter = ["role", "agency", "is_active"]
    fieldsets = [
        (None, {"fields": ["username", "password"]}),
        ("Person", {"fields": ["first_name", "last_name", "email"]}),
        ("Agency and role", {"fields": ["agency", "role", "is_active"]}),
        ("Dates", {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (None, {"fields": ["username", "first_name", "last_name", "email", "agency", "role"]}),
        ("Password", {"fields": ["password1", "password2"]}),
    ]
    readonly_fields = ["last_login", "date_joined"]
    actions = ["deactivate"]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # The audit log refers to users; they are deactivated instead (see UserDeletionRefused).
        return False

    def delete_model(self, request: HttpRequest, obj: User) -> None:
        messages.error(request, UserDeletionRefused.message)

    def save_model(self, request: HttpRequest, obj: User, form: ModelForm, change: bool) -> None:
        super().save_model(request, obj, form, change)
        services.sync_user_groups(user=obj)

    @admin.action(description="Deactivate selected users (they keep their history)")
    def deactivate(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        for user in queryset:
            services.deactivate_user(user=user)
        self.message_user(request, f"Deactivated {queryset.count()} user(s).", messages.SUCCESS)


# django-otp registers its devices in the admin, where a superuser could read anyone's TOTP secret and
# recovery codes, and django-otp-webauthn its passkeys: a second factor someone else can read or add is
# not a second factor.
for _model in (TOTPDevice, StaticDevice, WebAuthnCredential, WebAuthnAttestation):
    if admin.site.is_registered(_model):
        admin.site.unregister(_model)
