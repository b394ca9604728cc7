"""Changes that widen what someone can see, held until a second administrator decides them.

A user's role, agency or email (set-up links go to it) and their activation, and an agency's kind, areas
and activation, decide which cases people see. An administrator who changes one in the admin asks for
it (request_change); it takes effect only when another administrator approves it (approve_change), and
then the sessions of everyone it concerns end. Taking access away (deactivating) takes effect at once.
No one asks for a change to their own role, agency or activation.

Every step is audited, flagged for the auditors' review queue, with the values before and after in
words (roles, agencies, kinds and areas are not personal data; an email address is, and is not recorded).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import timezone

from audit import services as audit
from partners import accounts, services, sessions
from partners.models import AccessChangeRequest, Agency, AgencyKind, ChangeStatus, Role, User
from sharing.access import Capability, can_do

USER_FIELDS = ("role", "agency", "email", "is_active")
AGENCY_FIELDS = ("kind", "local_authority_area", "police_force_area", "is_active")
# What no one may change about themselves, even by asking.
OWN_FIELDS = ("role", "agency", "is_active")
# Values recorded in the audit entry as "changed", never as themselves.
PERSONAL_FIELDS = frozenset({"email"})

OWN_CHANGE_REFUSED = (
    "You cannot change your own role, agency or whether your account is active. Ask another administrator."
)


def stored(value: Any) -> Any:
    """A form's value as the request keeps it: an agency as its id."""
    return value.pk if isinstance(value, models.Model) else value


def guarded_changes(target: User | Agency, new_values: Mapping[str, Any]) -> dict[str, list[Any]]:
    """Of `new_values`, those that need a second administrator: {field: [now, asked for]}. Deactivating
    (active to inactive) only takes access away, so it is not among them."""
    fields = USER_FIELDS if isinstance(target, User) else AGENCY_FIELDS
    changes = {}
    for field in fields:
        if field not in new_values:
            continue
        before = target.agency_id if isinstance(target, User) and field == "agency" else getattr(target, field)
        after = stored(new_values[field])
        if before != after and not (field == "is_active" and not after):
            changes[field] = [before, after]
    return changes


def refuse_own_access_change(*, actor: User, user: User, fields: Iterable[str]) -> None:
    """Raise ValidationError if `actor` is changing their own role, agency or activation."""
    if actor.pk == user.pk and set(fields) & set(OWN_FIELDS):
        raise ValidationError(OWN_CHANGE_REFUSED)


def refuse_if_waiting(*, user: User | None = None, agency: Agency | None = None) -> None:
    """Raise ValidationError if a change to this account or agency is already waiting for a decision."""
    waiting = AccessChangeRequest.objects.filter(status=ChangeStatus.PENDING)
    if user is not None and user.pk and waiting.filter(user=user).exists():
        raise ValidationError("A change to this account is already waiting for a decision: decide or withdraw it.")
    if agency is not None and agency.pk and waiting.filter(agency=agency).exists():
        raise ValidationError("A change to this agency is already waiting for a decision: decide or withdraw it.")


def _label(field: str, value: Any) -> str:
    if field in PERSONAL_FIELDS:
        return "(personal data, not recorded)"
    if value is None or value == "":
        return "(none)"
    if field == "role":
        return str(Role(value).label) if value in Role.values else str(value)
    if field == "kind":
        return str(AgencyKind(value).label) if value in AgencyKind.values else str(value)
    if field == "agency":
        agency = Agency.objects.filter(pk=value).first()
        return f"{agency.name} (id {value})" if agency else f"agency id {value}"
    if field == "is_active":
        return "active" if value else "inactive"
    return str(value)


FIELD_NAMES = {
    "role": "Role",
    "agency": "Agency",
    "email": "Email address",
    "is_active": "Account active",
    "kind": "Kind of agency",
    "local_authority_area": "Local authority area",
    "police_force_area": "Police force area",
}


def described(change: AccessChangeRequest) -> list[dict[str, Any]]:
    """The change in words, field by field, as audit entries and the admin show it."""
    rows = []
    for field, (before, after) in change.changes.items():
        row: dict[str, Any] = {"field": FIELD_NAMES.get(field, field), "before": _label(field, before)}
        row["after"] = _label(field, after)
        if field not in PERSONAL_FIELDS:
            row["values"] = [before, after]
        rows.append(row)
    return rows


def _record(event: str, *, actor: User, change: AccessChangeRequest, reason: str, **extra: Any) -> None:
    target: models.Model = change.user or change.agency  # type: ignore[assignment]
    detail: dict[str, Any] = {"change": str(change.reference), "changes": described(change), **extra}
    if change.user is not None:
        detail["account"] = {
            "username": change.user.username,
            "role": _label("role", change.user.role),
            "agency": _label("agency", change.user.agency_id),
        }
    else:
        detail["agency"] = _label("agency", change.agency_id)
    audit.record(
        event=event,
        actor=actor,
        obj=target,
        action=audit.EntryKind.UPDATE,
        object_repr=change.user.username if change.user else str(change.agency.code),  # type: ignore[union-attr]
        # The reason is typed by an administrator and may name people: kept beside the sealed log, the
        # entry holding only its keyed digest (audit.texts).
        typed={"reason": reason},
        detail=detail,
        is_flagged=True,
    )


@transaction.atomic
def request_change(
    *,
    actor: User,
    changes: Mapping[str, list[Any]],
    reason: str,
    user: User | None = None,
    agency: Agency | None = None,
) -> AccessChangeRequest:
    """An administrator asks for a change to a user's or an agency's access fields ({field: [now, asked
    for]}, from guarded_changes); nothing changes until another administrator approves it.

    The admin calls it (it has checked that the actor administers). Audited (flagged) as
    account.change_requested. Raises ValidationError for a change to the actor's own role, agency or
    activation, an empty reason, or when a change to the same account or agency is already waiting."""
    if user is not None:
        refuse_own_access_change(actor=actor, user=user, fields=changes)
    if not reason.strip():
        raise ValidationError("Say why this change is needed.")
    refuse_if_waiting(user=user, agency=agency)
    change = AccessChangeRequest.objects.create(
        user=user, agency=agency, changes=dict(changes), reason=reason.strip(), requested_by=actor
    )
    _record("account.change_requested", actor=actor, change=change, reason=change.reason)
    return change


def _pending(change: AccessChangeRequest) -> AccessChangeRequest:
    change = AccessChangeRequest.objects.select_for_update().get(pk=change.pk)
    if not change.is_pending:
        raise ValidationError(f"This change has already been {change.get_status_display().lower()}.")
    return change


def _decide(change: AccessChangeRequest, *, actor: User, status: ChangeStatus, reason: str) -> None:
    change.status = status
    change.decided_by = actor
    change.decided_at = timezone.now()
    change.decision_reason = reason.strip()
    change.save(update_fields=["status", "decided_by", "decided_at", "decision_reason"])


def refuse_own_decision(*, actor: User, change: AccessChangeRequest) -> None:
    """The two-person rule: whoever asked for a change, or whom it is about, does not decide it."""
    if change.requested_by_id == actor.pk:
        raise ValidationError("You asked for this change: another administrator must decide it.")
    if change.user_id is not None and change.user_id == actor.pk:
        raise ValidationError("This change is to your own account: another administrator must decide it.")


@transaction.atomic
def approve_change(*, actor: User, change: AccessChangeRequest, reason: str) -> AccessChangeRequest:
    """A second administrator approves a waiting change, which is applied now; the sessions of the user
    (or of every user of the agency) end, and a new account without a password is sent a set-up link.

    Raises PermissionDenied unless the actor's role may decide access changes (sharing.policy); raises
    ValidationError if the actor asked for it or it is about them, the reason is empty, it was already
    decided, or the account or agency has changed since it was asked for. Audited (flagged) as
    account.change_approved and account.change_applied."""
    if not can_do(actor, Capability.DECIDE_ACCESS_CHANGE):
        raise PermissionDenied
    change = _pending(change)
    refuse_own_decision(actor=actor, change=change)
    if not reason.strip():
        raise ValidationError("Say why you approve this change.")
    target: User | Agency = change.user or change.agency  # type: ignore[assignment]
    if guarded_changes(target, {f: after for f, (_, after) in change.changes.items()}) != change.changes:
        raise ValidationError("This has changed since the change was asked for: reject it and ask again.")
    _decide(change, actor=actor, status=ChangeStatus.APPROVED, reason=reason)
    _record("account.change_approved", actor=actor, change=change, reason=change.decision_reason)
    for field, (_, after) in change.changes.items():
        setattr(target, "agency_id" if field == "agency" else field, after)
    target.full_clean(exclude=["password"])
    target.save(update_fields=list(change.changes))
    if isinstance(target, User):
        services.sync_user_groups(user=target)
        affected = [target.pk]
    else:
        services.sync_agency_group(agency=target)
        affected = list(target.users.values_list("pk", flat=True))
    ended = sessions.end_sessions_of(affected)
    _record("account.change_applied", actor=actor, change=change, reason="", sessions_ended=ended)
    if isinstance(target, User) and target.is_active and target.email and not target.has_usable_password():
        accounts.issue_setup_link(actor=actor, user=target)
    return change


@transaction.atomic
def reject_change(*, actor: User, change: AccessChangeRequest, reason: str) -> AccessChangeRequest:
    """A second administrator rejects a waiting change; nothing is applied. Same permission and rules as
    approve_change. Audited (flagged) as account.change_rejected."""
    if not can_do(actor, Capability.DECIDE_ACCESS_CHANGE):
        raise PermissionDenied
    change = _pending(change)
    refuse_own_decision(actor=actor, change=change)
    if not reason.strip():
        raise ValidationError("Say why you reject this change.")
    _decide(change, actor=actor, status=ChangeStatus.REJECTED, reason=reason)
    _record("account.change_rejected", actor=actor, change=change, reason=change.decision_reason)
    return change


@transaction.atomic
def withdraw_change(*, actor: User, change: AccessChangeRequest, reason: str = "") -> AccessChangeRequest:
    """The administrator who asked for a change withdraws it while it waits. Raises ValidationError for
    anyone else, or once it is decided. Audited (flagged) as account.change_withdrawn."""
    change = _pending(change)
    if change.requested_by_id != actor.pk:
        raise ValidationError("Only the administrator who asked for this change can withdraw it.")
    _decide(change, actor=actor, status=ChangeStatus.WITHDRAWN, reason=reason)
    _record("account.change_withdrawn", actor=actor, change=change, reason=change.decision_reason)
    return change
