"""Writes to agencies and users. Each agency's auth Group is kept in step here, nowhere else."""

from __future__ import annotations

from django.contrib.auth.models import Group, Permission
from django.db import transaction

from audit import services as audit
from partners.models import Agency, AgencyKind, Role, User


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


def _administrator_group() -> Group:
    group, created = Group.objects.get_or_create(name=ADMINISTRATOR_GROUP)
    if created:
        group.permissions.set(
            Permission.objects.filter(content_type__app_label="partners", codename__in=ADMINISTRATOR_PERMISSIONS)
        )
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
