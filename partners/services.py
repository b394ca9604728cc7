"""Writes to agencies and users. Each agency's auth Group is kept in step here, nowhere else."""

from __future__ import annotations

from django.contrib.auth.models import Group, Permission
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django_otp.models import Device
from django_otp.plugins.otp_totp.models import TOTPDevice

from audit import services as audit
from partners import recovery_codes
from partners.models import Agency, AgencyKind, RecoveryCode, RecoveryCodeSet, Role, User


@transaction.atomic
def save_agency(
    *,
    name: str,
    code: str,
    kind: AgencyKind | str,
    local_authority_area: str = "",
    police_force_area: str = "",
    is_active: bool = True,
) -> Agency:
    """Create or update the agency with this code, and make sure it has its own group."""
    agency, _ = Agency.objects.update_or_create(
        code=code,
        defaults={
            "name": name,
            "kind": kind,
            "local_authority_area": local_authority_area,
            "police_force_area": police_force_area,
            "is_active": is_active,
        },
    )
    agency.full_clean()
    sync_agency_group(agency=agency)
    return agency


@transaction.atomic
def sync_agency_group(*, agency: Agency) -> Group:
    """Give the agency its group (renamed if the code changed) and put exactly its users in it."""
    if agency.group is None:
        agency.group, _ = Group.objects.get_or_create(name=agency.group_name)
        agency.save(update_fields=["group"])
    elif agency.group.name != agency.group_name:
        agency.group.name = agency.group_name
        agency.group.save(update_fields=["name"])
    group = agency.group
    members = agency.users.all()
    group.user_set.set(members)
    return group


# Administrators look after reference data in the Django admin, and nothing else: the admin never
# shows case content, so these are the only model permissions anyone holds.
ADMINISTRATOR_GROUP = "role:administrator"
ADMINISTRATOR_PERMISSIONS = (
    "view_agency",
    "add_agency",
    "change_agency",
    "view_user",
    "add_user",
    "change_user",
)
# Reference data of other apps, by app label and codename (no delete: a value in use is end-dated).
REFERENCE_DATA_PERMISSIONS = (
    ("cases", "view_postcodearea"),
    ("cases", "add_postcodearea"),
    ("cases", "change_postcodearea"),
    # Each council's panel and the procedure it sets itself (deputy chairs, intervals, local quorum).
    ("cases", "view_panel"),
    ("cases", "add_panel"),
    ("cases", "change_panel"),
)


def _administrator_group() -> Group:
    group, _ = Group.objects.get_or_create(name=ADMINISTRATOR_GROUP)
    wanted = Q(content_type__app_label="partners", codename__in=ADMINISTRATOR_PERMISSIONS)
    for app_label, codename in REFERENCE_DATA_PERMISSIONS:
        wanted |= Q(content_type__app_label=app_label, codename=codename)
    # Set every time, so a group made before a permission was added to the lists gets it.
    group.permissions.set(Permission.objects.filter(wanted))
    return group


@transaction.atomic
def sync_user_groups(*, user: User) -> None:
    """Put the user in their agency's group and in no other; administrators also in the admin group."""
    agency_group = sync_agency_group(agency=user.agency) if user.agency.group is None else user.agency.group
    stale = user.groups.filter(name__startswith="agency:").exclude(pk=agency_group.pk)
    user.groups.remove(*stale)
    user.groups.add(agency_group)
    is_administrator = user.role == Role.ADMINISTRATOR
    if user.is_staff != is_administrator:
        user.is_staff = is_administrator
        user.save(update_fields=["is_staff"])
    if is_administrator:
        user.groups.add(_administrator_group())
    else:
        user.groups.remove(*user.groups.filter(name=ADMINISTRATOR_GROUP))


@transaction.atomic
def save_user(
    *,
    username: str,
    agency: Agency,
    role: Role | str,
    first_name: str,
    last_name: str,
    email: str,
    password: str | None = None,
    is_active: bool = True,
) -> User:
    """Create or update a user by username; a password given here replaces the old one."""
    user, _ = User.objects.update_or_create(
        username=username,
        defaults={
            "agency": agency,
            "role": role,
            "first_name": first_name,
            "last_name": last_name,
            "email": email,
            "is_active": is_active,
        },
    )
    if password is not None:
        user.set_password(password)
        user.save(update_fields=["password"])
    sync_user_groups(user=user)
    return user


@transaction.atomic
def deactivate_user(*, user: User) -> User:
    """The only way to retire an account: it keeps its audit history and can no longer sign in."""
    user.is_active = False
    user.save(update_fields=["is_active"])
    return user


@transaction.atomic
def change_password(*, user: User, new_password: str) -> User:
    """The user changes their own password (validated by the form). Audited as auth.password_changed."""
    user.set_password(new_password)
    user.save(update_fields=["password"])
    audit.record_password_changed(user=user)
    return user


# --- Second factor (django-otp). A TOTP app for everyone, single-use recovery codes (kept only as keyed
# digests), and passkeys beside them (partners/passkeys.py). ---

RECOVERY_CODE_COUNT = 10
TOTP_DEVICE_NAME = "Authenticator app"
RECOVERY_DEVICE_NAME = "Recovery codes"


@transaction.atomic
def start_totp_enrolment(*, user: User) -> TOTPDevice:
    """The unconfirmed TOTP device shown on the enrolment page (the same one until it is confirmed).

    Only for a user with no confirmed device: the view never offers enrolment to anyone else, because a
    password alone must not be enough to add a factor. Raises ValidationError otherwise."""
    if TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        raise ValidationError("You have already set up an authenticator app.")
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    return device or TOTPDevice.objects.create(user=user, name=TOTP_DEVICE_NAME, confirmed=False)


@transaction.atomic
def confirm_totp_enrolment(*, user: User, device: TOTPDevice, code: str) -> list[str] | None:
    """Confirm the device with a code from the app; returns new recovery codes (to be shown once), or None
    when the code is wrong. Audited as auth.mfa_enrolled, or auth.mfa_failed (throttled by django-otp).

    Nothing raises on a wrong code, so the transaction commits django-otp's failure counter."""
    device = TOTPDevice.objects.select_for_update().get(pk=device.pk)
    if device.user_id != user.pk or device.confirmed:
        raise ValidationError("This device cannot be confirmed.")
    if not device.verify_token(_clean(code)):
        audit.record_mfa_failed(user=user, throttled=not device.verify_is_allowed()[0])
        return None
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    codes = new_recovery_codes(user=user)
    audit.record_mfa_enrolled(user=user)
    return codes


@transaction.atomic
def verify_second_factor(*, user: User, code: str) -> Device | None:
    """Check a code from the user's app, or one of their recovery codes (used up by this). Returns the
    device that accepted it, or None. A code already used is refused (django-otp keeps the last time step,
    and the row is locked so two requests cannot both use it). Failures are throttled by django-otp and
    audited as auth.mfa_failed; success is audited as auth.mfa_verified. Nothing raises on a wrong code,
    so the transaction commits the failure counter."""
    code = _clean(code)
    devices: list[Device]
    if code.isdigit():
        devices = list(TOTPDevice.objects.select_for_update().filter(user=user, confirmed=True))
    else:
        devices = list(RecoveryCodeSet.objects.select_for_update().filter(user=user, confirmed=True))
    for device in devices:
        if device.verify_token(code):
            method = "recovery code" if isinstance(device, RecoveryCodeSet) else "app"
            audit.record_mfa_verified(user=user, method=method)
            return device
    throttled = any(not d.verify_is_allowed()[0] for d in devices)
    audit.record_mfa_failed(user=user, throttled=throttled)
    return None


def _clean(code: str) -> str:
    return code.strip().replace(" ", "").replace("-", "").lower()


@transaction.atomic
def new_recovery_codes(*, user: User) -> list[str]:
    """Replace the user's recovery codes with new ones, returned to be shown once and kept only as keyed
    digests. Called at enrolment (audited there as auth.mfa_enrolled)."""
    RecoveryCodeSet.objects.filter(user=user).delete()
    device = RecoveryCodeSet.objects.create(user=user, name=RECOVERY_DEVICE_NAME, confirmed=True)
    codes = [recovery_codes.new_code() for _ in range(RECOVERY_CODE_COUNT)]
    RecoveryCode.objects.bulk_create(RecoveryCode(device=device, digest=recovery_codes.digest(code)) for code in codes)
    return codes


@transaction.atomic
def set_demo_totp_device(*, user: User) -> TOTPDevice:
    """seed_demo only: give a synthetic persona a confirmed TOTP device, keeping an existing one so the
    secret in var/demo-credentials.json stays valid across runs."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=TOTP_DEVICE_NAME, confirmed=True)
    return device
