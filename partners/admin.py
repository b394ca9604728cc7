"""The admin is for reference data: agencies and user accounts. It never shows case content.

What decides access (a user's role, agency, email address and activation; an agency's kind, areas and
activation) is never changed by one administrator alone: saving such a change asks for it
(partners.changes), and another administrator approves or rejects it under "Access change requests".
No one changes their own role, agency or activation. Administrators never set passwords or usernames:
a new account gets a set-up link once approved, and a username never changes (a rename is a new account).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.forms import ModelForm
from django.http import HttpRequest
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import WebAuthnAttestation, WebAuthnCredential

from partners import accounts, changes, services
from partners.change_admin import AccessChangeRequestAdmin, change_summary
from partners.models import AccessChangeRequest, Agency, ChangeStatus, User, UserDeletionRefused

REASON_HELP = "Needed for a change to who can see cases: the administrator who approves it reads it."


def _reason() -> forms.CharField:
    return forms.CharField(
        label="Why this change is needed",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=REASON_HELP,
    )


class AccessChangeForm(ModelForm):
    """An admin form whose access fields are asked for, not saved: checks what the request will need."""

    actor: User
    reason = _reason()

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if self.instance.pk is None:
            return cleaned
        asked = changes.guarded_changes(self.instance, {f: cleaned[f] for f in self.changed_data if f in cleaned})
        try:
            if isinstance(self.instance, User):
                changes.refuse_own_access_change(actor=self.actor, user=self.instance, fields=self.changed_data)
            if asked:
                kind = "user" if isinstance(self.instance, User) else "agency"
                changes.refuse_if_waiting(**{kind: self.instance})
        except ValidationError as error:
            self.add_error(None, error)
        if asked and not cleaned.get("reason", "").strip():
            self.add_error("reason", "Say why this change is needed")
        return cleaned


class NewUserForm(AccessChangeForm):
    reason = forms.CharField(label="Why this account is needed", widget=forms.Textarea(attrs={"rows": 3}))

    class Meta:
        model = User
        fields = ["username", "first_name", "last_name", "email", "agency", "role"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["email"].required = True


class UserDetailsForm(AccessChangeForm):
    class Meta:
        model = User
        fields = ["first_name", "last_name", "email", "agency", "role", "is_active"]


class AgencyForm(AccessChangeForm):
    class Meta:
        model = Agency
        fields = ["name", "code", "kind", "local_authority_area", "police_force_area", "is_active"]


def _with_actor(form: type[ModelForm], request: HttpRequest) -> type[ModelForm]:
    return type(form.__name__, (form,), {"actor": request.user})


def _ask_for_guarded(request: HttpRequest, obj: User | Agency, form: ModelForm) -> dict[str, list[Any]]:
    """Put the access fields back as they are, and return what was asked of them ({} if nothing)."""
    current = type(obj).objects.get(pk=obj.pk)
    asked = changes.guarded_changes(
        current, {f: form.cleaned_data[f] for f in form.changed_data if f in form.cleaned_data}
    )
    for field in asked:
        attribute = "agency_id" if field == "agency" else field
        setattr(obj, attribute, getattr(current, attribute))
    return asked


def _tell_waiting(model_admin: admin.ModelAdmin, request: HttpRequest) -> None:
    model_admin.message_user(
        request,
        "The change to who can see cases is waiting for another administrator to approve it "
        "(see Access change requests). Any other changes you made are saved.",
        messages.WARNING,
    )


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin):
    form = AgencyForm
    list_display = ["name", "code", "kind", "local_authority_area", "police_force_area", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "code"]
    fields = ["name", "code", "kind", "local_authority_area", "police_force_area", "is_active", "reason"]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        return _with_actor(super().get_form(request, obj, change=change, **kwargs), request)

    def save_model(self, request: HttpRequest, obj: Agency, form: ModelForm, change: bool) -> None:
        # A new agency has no users, so it gives no one access; its users' accounts are approved one by one.
        asked = _ask_for_guarded(request, obj, form) if change else {}
        super().save_model(request, obj, form, change)
        services.sync_agency_group(agency=obj)
        if asked:
            changes.request_change(
                actor=request.user,  # type: ignore[arg-type]
                agency=obj,
                changes=asked,
                reason=form.cleaned_data["reason"],
            )
            _tell_waiting(self, request)


@admin.register(User)
class PartnerUserAdmin(admin.ModelAdmin):
    list_display = ["username", "first_name", "last_name", "agency", "role", "is_active"]
    list_filter = ["role", "agency", "is_active"]
    search_fields = ["username", "first_name", "last_name"]
    fieldsets = [
        (None, {"fields": ["username"]}),
        ("Person", {"fields": ["first_name", "last_name", "email"]}),
        ("Agency and role", {"fields": ["agency", "role", "is_active", "waiting_change", "reason"]}),
        ("Dates", {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (None, {"fields": ["username", "first_name", "last_name", "email", "agency", "role", "reason"]}),
    ]
    actions = ["deactivate", "issue_setup_link", "reset_second_factor"]

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        return self.add_fieldsets if obj is None else self.fieldsets

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        # A username is who the audit log says did something: it never changes once the account exists.
        return (
            ["last_login", "date_joined"]
            if obj is None
            else ["username", "waiting_change", "last_login", "date_joined"]
        )

    @admin.display(description="Waiting for approval")
    def waiting_change(self, obj: User) -> str:
        change = AccessChangeRequest.objects.filter(user=obj, status=ChangeStatus.PENDING).first()
        return change_summary(change) if change else "Nothing"

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        kwargs["form"] = UserDetailsForm if obj is not None else NewUserForm
        return _with_actor(super().get_form(request, obj, change=change, **kwargs), request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # The audit log refers to users; they are deactivated instead (see UserDeletionRefused).
        return False

    def delete_model(self, request: HttpRequest, obj: User) -> None:
        messages.error(request, UserDeletionRefused.message)

    def save_model(self, request: HttpRequest, obj: User, form: ModelForm, change: bool) -> None:
        actor: User = request.user  # type: ignore[assignment]
        if change:
            asked = _ask_for_guarded(request, obj, form)
        else:
            # A new account starts inactive with no password; once another administrator approves it,
            # it becomes active and its owner is sent a set-up link.
            obj.is_active = False
            obj.set_unusable_password()
            asked = {"is_active": [False, True]}
        super().save_model(request, obj, form, change)
        services.sync_user_groups(user=obj)
        if asked:
            changes.request_change(actor=actor, user=obj, changes=asked, reason=form.cleaned_data["reason"])
            _tell_waiting(self, request)

    def _each(self, request: HttpRequest, queryset: QuerySet[User], do: Any, done: str) -> None:
        count = 0
        for user in queryset:
            try:
                do(user)
                count += 1
            except ValidationError as error:
                self.message_user(request, " ".join(error.messages), messages.ERROR)
        if count:
            self.message_user(request, f"{done}: {count} user(s).", messages.SUCCESS)

    @admin.action(description="Deactivate selected users (they keep their history)")
    def deactivate(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        def do(user: User) -> None:
            changes.refuse_own_access_change(actor=request.user, user=user, fields=["is_active"])  # type: ignore[arg-type]
            services.deactivate_user(user=user)

        self._each(request, queryset, do, "Deactivated")

    @admin.action(description="Email selected users a link to set their own password")
    def issue_setup_link(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        actor: User = request.user  # type: ignore[assignment]
        self._each(request, queryset, lambda user: accounts.issue_setup_link(actor=actor, user=user), "Link sent")

    @admin.action(description="Reset the second factor of selected users (they set it up again at next sign-in)")
    def reset_second_factor(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        actor: User = request.user  # type: ignore[assignment]
        self._each(
            request, queryset, lambda user: accounts.reset_second_factor(actor=actor, user=user), "Second factor reset"
        )


admin.site.register(AccessChangeRequest, AccessChangeRequestAdmin)

# django-otp registers its devices in the admin, where a superuser could read anyone's TOTP secret and
# recovery codes, and django-otp-webauthn its passkeys: a second factor someone else can read or add is
# not a second factor.
for _model in (TOTPDevice, StaticDevice, WebAuthnCredential, WebAuthnAttestation):
    if admin.site.is_registered(_model):
        admin.site.unregister(_model)
