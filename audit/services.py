"""The only code that writes audit entries.

Every entry carries who (actor, their username, agency and role at the time), what (event, action,
outcome), which record (content type, object pk, a reference as object_repr, never a person's name) and
where from (method, path, request id, remote address). Text someone typed is never written into an
entry: the entry holds its keyed digest and the text is kept beside the log for a while (audit.texts).
If an entry cannot be written, AuditWriteFailed is raised and the caller shows nothing: access that
cannot be recorded is access refused.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from auditlog.models import LogEntry
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import DatabaseError, models, transaction

from audit import context, texts
from audit.digests import text_digest
from audit.models import AuditEntry, AuditText, FlagReview, Outcome

__all__ = ["AuditWriteFailed", "EntryKind", "Outcome", "record"]

logger = logging.getLogger(__name__)

# What an entry records: a read (ACCESS) or a change (CREATE, UPDATE, DELETE); django-auditlog calls it
# "action", which in this project is a task on a case (cases.models.Action).
EntryKind = LogEntry.Action


class AuditWriteFailed(Exception):
    """The audit entry could not be written; the protected content must not be shown."""


def _actor_fields(actor: Any) -> dict[str, Any]:
    if actor is None or not getattr(actor, "is_authenticated", False):
        return {"actor": None, "actor_username": "", "actor_email": None, "actor_agency_id": None, "actor_role": ""}
    return {
        "actor": actor,
        "actor_username": actor.username,
        "actor_email": actor.email or None,
        "actor_agency_id": actor.agency_id,
        "actor_role": actor.role,
    }


def _request_fields() -> dict[str, Any]:
    ctx = context.current()
    if ctx is None:
        return {}
    return {
        "method": ctx.method,
        "path": ctx.path[:500],
        "request_id": ctx.request_id,
        "cid": ctx.request_id,
        "remote_addr": ctx.remote_addr,
    }


def request_only_reads() -> bool:
    """Whether the request being served only reads (GET or HEAD): a gate for a change that lets such a
    request through has opened a form, not made the change (sharing.access records which). False outside
    a request."""
    ctx = context.current()
    return ctx is not None and ctx.method in ("GET", "HEAD")


def record(
    *,
    event: str,
    actor: Any = None,
    action: int = EntryKind.ACCESS,
    outcome: Outcome = Outcome.ALLOWED,
    obj: models.Model | None = None,
    model: type[models.Model] | None = None,
    object_repr: str = "",
    case_reference: str = "",
    purpose: str = "",
    detail: Mapping[str, Any] | None = None,
    is_flagged: bool = False,
    typed: Mapping[str, str] | None = None,
    closes_request: bool = False,
) -> AuditEntry:
    """Write one entry. `obj` (or `model` for lists and searches) names what was touched. `typed` is free
    text someone typed, by name (e.g. {"q": search}): the entry holds only each text's keyed digest, under
    additional_data["texts"], and the text is kept beside the log for AUDIT_FREE_TEXT_DAYS (audit.texts).
    `detail` must hold no typed text.

    `closes_request`: this entry is the request's closing entry even though its outcome cannot show in the
    response, which is kept the same for an allowed and a refused attempt so that it reveals nothing (an
    access request by case number); the safety net in audit.middleware then adds nothing.

    Any caller may use it. Raises AuditWriteFailed if the row cannot be inserted.
    """
    typed = {name: text for name, text in (typed or {}).items() if text}
    data = dict(detail) if detail else {}
    if typed:
        data[texts.KEY] = texts.digests_of(typed)
    target: type[models.Model] | models.Model = obj if obj is not None else (model or AuditEntry)
    fields: dict[str, Any] = {
        "event": event,
        "action": action,
        "outcome": outcome,
        "content_type": ContentType.objects.get_for_model(target),
        "object_pk": str(obj.pk) if obj is not None else "",
        "object_id": obj.pk if obj is not None and isinstance(obj.pk, int) else None,
        "object_repr": object_repr or (str(obj) if obj is not None else ""),
        "case_reference": case_reference,
        "purpose": purpose,
        "additional_data": data or None,
        "is_flagged": is_flagged,
        **_actor_fields(actor),
        **_request_fields(),
    }
    try:
        if not typed and not transaction.get_connection().in_atomic_block:
            # Outside a transaction the insert commits on its own: one round trip, where BEGIN and COMMIT
            # around it would make three on every audited page (docs/benchmarks.md).
            entry = AuditEntry.objects.create(**fields)
        else:
            # A savepoint keeps a failed insert from poisoning the caller's transaction on PostgreSQL.
            with transaction.atomic():
                entry = AuditEntry.objects.create(**fields)
                texts.keep(entry, typed)
    except DatabaseError as error:
        logger.exception("Audit entry %s could not be written", event)
        raise AuditWriteFailed(event) from error
    if closes_request:
        context.mark_closed()
    return entry


def record_list(
    *,
    actor: Any,
    event: str,
    model: type[models.Model],
    references: Iterable[str],
    filters: Mapping[str, Any],
    typed: Mapping[str, str] | None = None,
) -> AuditEntry:
    """A list, search or dashboard: which references were shown, and the filters used. `filters` are the
    structured ones (choices, validated dates and references), recorded as they are; `typed` the free
    text (a search box), of which the entry holds only keyed digests (see record)."""
    shown = list(references)
    return record(
        event=event,
        actor=actor,
        model=model,
        detail={"shown": shown, "count": len(shown), "filters": {k: v for k, v in filters.items() if v}},
        typed=typed,
    )


def record_denied(*, actor: Any, event: str, obj: models.Model | None = None, reason: str = "", **kw: Any) -> None:
    """A refused attempt. Written before the refusal is shown; failures here still refuse."""
    record(
        event=event,
        actor=actor,
        obj=obj,
        outcome=Outcome.DENIED,
        detail={"reason": reason} if reason else None,
        **kw,
    )


def record_sign_in(*, user: Any) -> AuditEntry:
    return record(event="auth.signed_in", actor=user, obj=user, object_repr=user.username)


def record_sign_out(*, user: Any) -> AuditEntry:
    return record(event="auth.signed_out", actor=user, obj=user, object_repr=user.username)


def _username_tried(username: str) -> dict[str, Any]:
    """What an entry records of a username typed at sign-in: always its keyed digest (so auditors can tell
    repeated attempts on one name from attempts on many), and the name itself only when it is an
    account's; an unknown name (a mistyped one, or someone's own name) is never stored at all."""
    username = username[:150]
    account = get_user_model().objects.filter(username=username).first() if username else None
    return {
        "obj": account,
        "model": get_user_model(),
        "object_repr": account.username if account else "",
        "detail": {"username_digest": text_digest(username), "known_account": account is not None},
    }


def record_sign_in_failed(*, username: str) -> AuditEntry:
    """A failed password; the username as _username_tried says, and never a password."""
    return record(event="auth.sign_in_failed", outcome=Outcome.DENIED, **_username_tried(username))


def record_locked_out(*, username: str) -> AuditEntry:
    """django-axes locked a username (known or not) after too many failed passwords."""
    return record(event="auth.locked_out", outcome=Outcome.DENIED, **_username_tried(username))


def record_mfa_enrolled(*, user: Any) -> AuditEntry:
    return record(event="auth.mfa_enrolled", actor=user, obj=user, action=EntryKind.CREATE, object_repr=user.username)


def record_mfa_verified(*, user: Any, method: str) -> AuditEntry:
    return record(event="auth.mfa_verified", actor=user, obj=user, object_repr=user.username, detail={"method": method})


def record_mfa_failed(*, user: Any, throttled: bool) -> AuditEntry:
    # The code tried is never recorded: within its 30 seconds it is as good as the factor itself.
    return record(
        event="auth.mfa_failed",
        actor=user,
        obj=user,
        outcome=Outcome.DENIED,
        object_repr=user.username,
        detail={"throttled": throttled},
    )


def record_passkey_enrolled(*, user: Any, passkey: models.Model) -> AuditEntry:
    return record(
        event="auth.passkey_enrolled", actor=user, obj=passkey, action=EntryKind.CREATE, object_repr=user.username
    )


def record_passkey_removed(*, user: Any, passkey: models.Model) -> AuditEntry:
    return record(
        event="auth.passkey_removed", actor=user, obj=passkey, action=EntryKind.DELETE, object_repr=user.username
    )


def record_passkey_failed(*, user: Any, step: str, reason: str) -> AuditEntry:
    """A passkey the browser offered was refused, at registration or at sign-in (`reason` is the library's
    error name, e.g. invalid_authentication_response; never anything the browser sent)."""
    return record(
        event="auth.passkey_failed",
        actor=user,
        obj=user,
        outcome=Outcome.DENIED,
        object_repr=user.username,
        detail={"step": step, "reason": reason},
    )


def record_session_expired(*, user: Any, reason: str) -> AuditEntry:
    return record(
        event="auth.session_expired", actor=user, obj=user, object_repr=user.username, detail={"reason": reason}
    )


def record_password_changed(*, user: Any) -> AuditEntry:
    return record(
        event="auth.password_changed", actor=user, obj=user, action=EntryKind.UPDATE, object_repr=user.username
    )


# Fields whose old and new values change entries keep, by "app_label.model": declared by the app that
# owns the model (show_values), for values that are not personal data (roles, agencies, kinds, areas).
PLAIN_FIELDS: dict[str, frozenset[str]] = {}


def show_values(model: type[models.Model], fields: Iterable[str]) -> None:
    """Declare, at start-up, fields of `model` whose values change entries keep instead of `[redacted]`."""
    PLAIN_FIELDS[model._meta.label_lower] = frozenset(fields)


def stamp_change_entry(entry: AuditEntry) -> None:
    """Fill the context columns of an entry written by auditlog's change receivers, and strip values.

    Change entries record which fields changed, never their old or new values (they may be personal data),
    except the fields declared with show_values.
    """
    if entry.event:
        return
    entry.event = {
        EntryKind.CREATE: "model.created",
        EntryKind.UPDATE: "model.updated",
        EntryKind.DELETE: "model.deleted",
    }.get(entry.action, "model.accessed")
    if isinstance(entry.changes, dict):
        content_type = entry.content_type
        plain = PLAIN_FIELDS.get(f"{content_type.app_label}.{content_type.model}", frozenset())
        entry.changes = {
            field: values if field in plain else ["[redacted]", "[redacted]"] for field, values in entry.changes.items()
        }
    elif isinstance(entry.changes, str) and entry.changes:
        entry.changes = None
    entry.changes_text = ""
    entry.serialized_data = None
    if entry.additional_data and "case_reference" in entry.additional_data:
        entry.case_reference = str(entry.additional_data["case_reference"])[:20]
    actor = _actor_fields(entry.actor)
    entry.actor_username = actor["actor_username"]
    entry.actor_agency_id = actor["actor_agency_id"]
    entry.actor_role = actor["actor_role"]
    for name, value in _request_fields().items():
        if not getattr(entry, name, None):
            setattr(entry, name, value)


@transaction.atomic
def review_flagged_entry(*, entry: AuditEntry, reviewer: Any, justified: bool, note: str) -> FlagReview:
    """An auditor records whether a break-glass access was justified (the view has checked that the
    reviewer may search the audit log). Audited as audit.flag_reviewed. Raises ValidationError if the
    entry is not flagged, has already been reviewed, or the note is empty."""
    if not entry.is_flagged:
        raise ValidationError("Only flagged entries are reviewed.")
    if FlagReview.objects.filter(entry=entry).exists():
        raise ValidationError("This entry has already been reviewed.")
    if not note.strip():
        raise ValidationError("Record what you found.")
    review = FlagReview.objects.create(entry=entry, reviewer=reviewer, justified=justified, note=note)
    record(
        event="audit.flag_reviewed",
        actor=reviewer,
        obj=entry,
        action=EntryKind.UPDATE,
        case_reference=entry.case_reference,
        detail={"entry": entry.pk, "justified": justified},
    )
    return review


@transaction.atomic
def purge_texts(*, now: datetime | None = None) -> int:
    """Erase the typed texts kept beside the log for more than AUDIT_FREE_TEXT_DAYS (audit.texts); their
    entries keep the digests and every seal still verifies. Run by Celery beat (audit.purge_texts) and
    `manage.py purge_audit_texts`. Audited as audit.texts_erased (how many, recorded before when) when
    any were erased. Returns how many."""
    erased, moment = texts.erase_old(now=now)
    if erased:
        record(
            event="audit.texts_erased",
            action=EntryKind.DELETE,
            model=AuditText,
            detail={"count": erased, "recorded_before": moment.isoformat()},
        )
    return erased
