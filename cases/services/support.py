"""Support as it is delivered and as the plan changes: sessions recorded against a support element (by its
named provider, or the owning council's coordinators: sharing.policy.may_record_session), and the owner's
revision, ending or withdrawal of an element, each with a reason, each keeping the element's values before
it as a version (SupportElementVersion). Revising is a change of plan; correcting a mistake in the record
(UK GDPR Art 16) is cases.services.corrections.correct_support_element, which keeps no version here.
Callers pass the gate first (RECORD_SESSION, PLAN); audited with codes and field names only."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from audit import services as audit
from cases.models import (
    SUPPORT_STAGES,
    Case,
    NoteVisibility,
    ReferenceValue,
    SupportChange,
    SupportElement,
    SupportElementVersion,
    SupportSession,
    SupportStatus,
)
from cases.services.stages import refuse
from partners.models import Agency, User
from sharing.policy import may_record_session

# The fields a revision may change, in the order the history shows them.
REVISABLE = ("support_type", "provider", "provider_user", "how", "when", "ends_on")


def _touch(case_id: int) -> None:
    Case.objects.filter(pk=case_id).update(last_activity_at=timezone.now())


def _locked(element: SupportElement) -> SupportElement:
    """The stored element, locked: a stale copy or a double submit must not change it twice."""
    return SupportElement.objects.select_for_update().select_related("plan__case").get(pk=element.pk)


@transaction.atomic
def record_session(
    *,
    element: SupportElement,
    actor: User,
    held_on: date,
    attended: bool,
    note: str = "",
    visibility: NoteVisibility = NoteVisibility.EVERYONE,
    shared_with: Iterable[Agency] = (),
) -> SupportSession:
    """Record a session held (or not attended) against a support element. Only its named provider while
    the support is theirs, or a coordinator of the owning council; not in the future, not before the
    support starts, not against support that has ended or been withdrawn. Audited as
    case.support_session_recorded (attended or not and the note's visibility, never the note)."""
    element = _locked(element)
    case = element.plan.case
    agencies = list(shared_with)
    if not may_record_session(actor, element):
        refuse("Only the named provider of this support, or the owning council's coordinators, record its sessions.")
    if element.status != SupportStatus.ACTIVE:
        refuse(f"This support was {element.get_status_display().lower()}: no more sessions can be recorded against it.")
    if held_on > timezone.localdate():
        refuse("The session date cannot be in the future.")
    if held_on < element.starts_on:
        refuse(f"The session date cannot be before the support starts ({element.starts_on:%-d %B %Y}).")
    if visibility == NoteVisibility.NAMED and not agencies:
        refuse("Choose the agencies that may see the session's note.")
    session = SupportSession.objects.create(
        element=element,
        held_on=held_on,
        attended=attended,
        note=note,
        visibility=visibility,
        originator_agency=actor.agency,
        recorded_by=actor,
    )
    if visibility == NoteVisibility.NAMED:
        session.shared_with.set(agencies)
    _touch(case.pk)
    audit.record(
        event="case.support_session_recorded",
        actor=actor,
        obj=session,
        action=audit.EntryKind.CREATE,
        case_reference=case.number,
        detail={"attended": attended, "visibility": str(visibility), "note": bool(note.strip())},
    )
    return session


def _keep_version(element: SupportElement, *, change: SupportChange, reason: str, actor: User) -> int:
    if not reason.strip():
        refuse("Give the reason for the change to the plan.")
    number = (element.versions.aggregate(v=Max("version"))["v"] or 0) + 1
    SupportElementVersion.objects.create(
        element=element,
        version=number,
        change=change,
        reason=reason,
        actor=actor,
        support_type_id=element.support_type_id,
        provider_id=element.provider_id,
        provider_user_id=element.provider_user_id,
        how=element.how,
        when=element.when,
        starts_on=element.starts_on,
        ends_on=element.ends_on,
        status=element.status,
    )
    return number


def _refuse_unless_active(element: SupportElement) -> None:
    if element.status != SupportStatus.ACTIVE:
        refuse(f"This support was {element.get_status_display().lower()}: it can no longer be changed.")


@transaction.atomic
def revise_support(
    *,
    element: SupportElement,
    actor: User,
    reason: str,
    support_type: ReferenceValue,
    provider: Agency,
    how: str,
    when: str,
    ends_on: date | None = None,
    provider_user: User | None = None,
) -> SupportElement:
    """The plan changed: new values for an active element (caller checked Capability.PLAN), the earlier
    ones kept as a version with the reason. Audited as case.support_revised (the fields changed)."""
    element = _locked(element)
    _refuse_unless_active(element)
    if not how.strip() or not when.strip():
        refuse("A support element must say how and when the support is delivered (CTSA 2015 s.36(5)).")
    if ends_on is not None and ends_on < element.starts_on:
        refuse("The end date must be on or after the start date.")
    if provider_user is not None and provider_user.agency_id != provider.pk:
        refuse("The named provider must belong to the providing agency.")
    values = {
        "support_type": support_type,
        "provider": provider,
        "provider_user": provider_user,
        "how": how,
        "when": when,
        "ends_on": ends_on,
    }
    changed = [name for name in REVISABLE if getattr(element, name) != values[name]]
    if not changed:
        refuse("Nothing has changed: change at least one answer to revise the support.")
    version = _keep_version(element, change=SupportChange.REVISED, reason=reason, actor=actor)
    for name in changed:
        setattr(element, name, values[name])
    element.save(update_fields=changed)
    _touch(element.plan.case_id)
    audit.record(
        event="case.support_revised",
        actor=actor,
        obj=element,
        action=audit.EntryKind.UPDATE,
        case_reference=element.plan.case.number,
        detail={"fields": changed, "version": version},
    )
    return element


@transaction.atomic
def stop_support(
    *, element: SupportElement, actor: User, change: SupportChange, reason: str, on: date
) -> SupportElement:
    """End (delivered, or no longer needed) or withdraw an active element from the day `on` (caller
    checked Capability.PLAN); the earlier values kept as a version with the reason. The provider's access
    through it ends at their next request. Audited as case.support_ended or case.support_withdrawn."""
    if change == SupportChange.REVISED:
        raise ValueError("stop_support ends or withdraws; revise_support revises")
    element = _locked(element)
    _refuse_unless_active(element)
    if on > timezone.localdate():
        refuse("The date the support stopped cannot be in the future.")
    # Support may be withdrawn before it began; support that ended was delivered, so not before its start.
    if on < element.starts_on and change == SupportChange.ENDED:
        refuse(f"The date the support ended cannot be before it started ({element.starts_on:%-d %B %Y}).")
    version = _keep_version(element, change=change, reason=reason, actor=actor)
    element.status = SupportStatus(change.value)
    element.ended_on = on
    element.save(update_fields=["status", "ended_on"])
    _touch(element.plan.case_id)
    audit.record(
        event="case.support_ended" if change == SupportChange.ENDED else "case.support_withdrawn",
        actor=actor,
        obj=element,
        action=audit.EntryKind.UPDATE,
        case_reference=element.plan.case.number,
        detail={"version": version},
    )
    return element


def stop_all_support(*, case: Case, actor: User, change: SupportChange, reason: str) -> int:
    """End or withdraw today every element of the case's plan still in force, each through stop_support (a
    version kept, audited): when the panel withdraws support or exits the person, or consent is withdrawn,
    so the plan shows one status and the stopped support never comes back into force. Runs inside the
    caller's transaction; how many were stopped."""
    today = timezone.localdate()
    elements = list(SupportElement.objects.filter(plan__case=case).in_force())
    for element in elements:
        # Support that had not begun was never delivered: it is withdrawn, not ended.
        kind = SupportChange.WITHDRAWN if element.starts_on > today else change
        stop_support(element=element, actor=actor, change=kind, reason=reason, on=today)
    return len(elements)


@dataclass(frozen=True)
class Progress:
    """One element's delivery, for the plan and meeting mode (from SupportElement.objects.with_progress)."""

    element: SupportElement
    held: int
    attended: int
    missed: int
    last_on: date | None
    stalled_since: date | None  # the last session, or the start: set only when the support is stalled


def progress(elements: Iterable[SupportElement], *, days: int) -> list[Progress]:
    """The plan's progress, element by element, judged as SupportElement.objects.stalled judges."""
    cut_off = timezone.localdate() - timedelta(days=days)
    found = []
    for e in elements:
        last = getattr(e, "last_session_on", None)
        since = last or e.starts_on
        current = e.status == SupportStatus.ACTIVE and (e.ends_on is None or e.ends_on >= timezone.localdate())
        stalled = current and getattr(e, "case_stage", "") in SUPPORT_STAGES and since < cut_off
        counts = (e.sessions_held, e.sessions_attended, e.sessions_missed)  # type: ignore[attr-defined]
        found.append(Progress(e, *counts, last, since if stalled else None))
    return found
