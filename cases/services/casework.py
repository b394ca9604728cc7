"""Casework between panels: chronology notes, vulnerability assessments, the support plan, actions and
reviews. Each write marks the case as active (last_activity_at); stalled support is judged per support
element from its sessions (cases.services.support). Who may call each function (ADD_NOTE, ASSESS, PLAN)
is decided beforehand by sharing.access; a rule that says no raises ValidationError and changes nothing.
Consent is in cases.services.consent."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from audit import services as audit
from cases.models import (
    Action,
    ActionStatus,
    AgendaItem,
    Assessment,
    AssessmentFactor,
    Case,
    CaseNote,
    NoteVisibility,
    PanelMeeting,
    ReferenceValue,
    Review,
    ReviewKind,
    Stage,
    SupportElement,
    SupportPlan,
)
from cases.services import reviews
from cases.services.sittings import refuse_if_locked
from cases.services.stages import change_stage, refuse
from cases.vaf import FACTOR_LABELS, FactorChange, Rating
from partners.models import Agency, User


def _touch(case: Case) -> None:
    Case.objects.filter(pk=case.pk).update(last_activity_at=timezone.now())


@transaction.atomic
def add_note(
    *, case: Case, actor: User, text: str, visibility: NoteVisibility, shared_with: Iterable[Agency] = ()
) -> CaseNote:
    """Add a chronology note from the actor's agency (caller checked Capability.ADD_NOTE). Audited as
    case.note_added (the visibility, never the text). Raises ValidationError when named visibility names
    no agency."""
    agencies = list(shared_with)
    if visibility == NoteVisibility.NAMED and not agencies:
        refuse("Choose the agencies that may see this note.")
    note = CaseNote.objects.create(
        case=case, author=actor, originator_agency=actor.agency, text=text, visibility=visibility
    )
    if visibility == NoteVisibility.NAMED:
        note.shared_with.set(agencies)
    _touch(case)
    audit.record(
        event="case.note_added",
        actor=actor,
        obj=note,
        action=audit.EntryKind.CREATE,
        case_reference=case.number,
        detail={"visibility": str(visibility)},
    )
    return note


@transaction.atomic
def add_assessment(
    *,
    case: Case,
    actor: User,
    ratings: Mapping[str, tuple[int, str]],
    summary: str,
    management_plan: str,
    visibility: NoteVisibility = NoteVisibility.EVERYONE,
    shared_with: Iterable[Agency] = (),
) -> Assessment:
    """Add a new version of the Vulnerability Assessment Framework (caller checked Capability.ASSESS);
    earlier versions are never changed. Like a note, a version is visible to everyone who can see the
    case, the originator's agency, or named agencies. Audited as case.assessment_added (the version).
    Raises ValidationError for an unknown factor or rating, or named visibility naming no agency."""
    agencies = list(shared_with)
    if visibility == NoteVisibility.NAMED and not agencies:
        refuse("Choose the agencies that may see this assessment.")
    unknown = set(ratings) - set(FACTOR_LABELS)
    if unknown:
        refuse(f"Unknown factors: {', '.join(sorted(unknown))}.")
    if any(rating not in Rating.values for rating, _ in ratings.values()):
        refuse("Each factor's rating must be not present, low, medium or high.")
    case = Case.objects.select_for_update().get(pk=case.pk)
    version = (case.assessments.aggregate(v=Max("version"))["v"] or 0) + 1
    assessment = Assessment.objects.create(
        case=case,
        version=version,
        assessor=actor,
        originator_agency=actor.agency,
        visibility=visibility,
        summary=summary,
        management_plan=management_plan,
    )
    if visibility == NoteVisibility.NAMED:
        assessment.shared_with.set(agencies)
    AssessmentFactor.objects.bulk_create(
        AssessmentFactor(assessment=assessment, factor=code, rating=rating, evidence=evidence)
        for code, (rating, evidence) in ratings.items()
    )
    _touch(case)
    audit.record(
        event="case.assessment_added",
        actor=actor,
        obj=assessment,
        action=audit.EntryKind.CREATE,
        case_reference=case.number,
        detail={"version": version},
    )
    return assessment


def assessment_changes(current: Assessment, previous: Assessment | None) -> list[FactorChange]:
    """Every factor whose rating changed since the previous version, in the framework's order, each
    shown in words (`str(change)`)."""
    before = {f.factor: f.rating for f in previous.factors.all()} if previous else {}
    return [
        FactorChange(f.factor, before.get(f.factor), f.rating)
        for f in current.factors.all()
        if before.get(f.factor) != f.rating
    ]


@transaction.atomic
def add_support_element(
    *,
    case: Case,
    actor: User,
    support_type: ReferenceValue,
    provider: Agency,
    how: str,
    when: str,
    starts_on: date,
    ends_on: date | None = None,
    provider_user: User | None = None,
) -> SupportElement:
    """Add to the support plan: what support, which provider, how and when (CTSA 2015 s.36(5)); caller
    checked Capability.PLAN. Audited as case.support_added. Raises ValidationError when how or when is
    missing, the dates are reversed, or the named practitioner is of another agency."""
    if not how.strip() or not when.strip():
        refuse("A support element must say how and when the support is delivered (CTSA 2015 s.36(5)).")
    if ends_on is not None and ends_on < starts_on:
        refuse("The end date must be on or after the start date.")
    if provider_user is not None and provider_user.agency_id != provider.pk:
        refuse("The named provider must belong to the providing agency.")
    plan, _ = SupportPlan.objects.get_or_create(case=case)
    element = SupportElement.objects.create(
        plan=plan,
        support_type=support_type,
        provider=provider,
        provider_user=provider_user,
        originator_agency=actor.agency,
        how=how,
        when=when,
        starts_on=starts_on,
        ends_on=ends_on,
    )
    _touch(case)
    audit.record(
        event="case.support_added", actor=actor, obj=element, action=audit.EntryKind.CREATE, case_reference=case.number
    )
    return element


@transaction.atomic
def add_action(
    *,
    case: Case,
    actor: User,
    description: str,
    owner_agency: Agency,
    due_on: date,
    owner_user: User | None = None,
    agenda_item: AgendaItem | None = None,
) -> Action:
    """Add an action with an owning agency (and person) and a due date (caller checked Capability.PLAN,
    or chairs the meeting). One agreed at a meeting names its agenda item, so the minutes list it; that
    is refused once the minutes are approved. Audited as case.action_added. Raises ValidationError when
    the owner is of another agency, the description is empty, or the item is another case's or locked."""
    if owner_user is not None and owner_user.agency_id != owner_agency.pk:
        refuse("The action's owner must belong to the owning agency.")
    if not description.strip():
        refuse("Describe the action.")
    if agenda_item is not None:
        if agenda_item.case_id != case.pk:
            refuse("This agenda item is about another case.")
        # Judged on the stored meeting, locked: the caller's copy may predate the approval.
        refuse_if_locked(PanelMeeting.objects.select_for_update().get(pk=agenda_item.meeting_id))
    action = Action.objects.create(
        agenda_item=agenda_item,
        case=case,
        description=description,
        owner_agency=owner_agency,
        owner_user=owner_user,
        due_on=due_on,
        created_by=actor,
    )
    _touch(case)
    audit.record(
        event="case.action_added", actor=actor, obj=action, action=audit.EntryKind.CREATE, case_reference=case.number
    )
    return action


@transaction.atomic
def complete_action(*, action: Action, actor: User) -> Action:
    """Mark an action done (caller checked Capability.PLAN on its case). Audited as
    case.action_completed. Raises ValidationError when it is already done."""
    # Judged on the stored row, locked: a stale copy or a double submit must not complete it twice.
    action = Action.objects.select_for_update().get(pk=action.pk)
    if action.status == ActionStatus.DONE:
        refuse("This action is already done.")
    action.status = ActionStatus.DONE
    action.completed_on = timezone.localdate()
    action.save(update_fields=["status", "completed_on"])
    _touch(action.case)
    audit.record(
        event="case.action_completed",
        actor=actor,
        obj=action,
        action=audit.EntryKind.UPDATE,
        case_reference=action.case.number,
    )
    return action


@transaction.atomic
def complete_review(*, review: Review, actor: User, outcome: str) -> Review:
    """Record a review's outcome (caller checked Capability.PLAN on its case). A post-exit review can be
    completed only from the opening of the panel's review window before its due date. Audited as
    case.review_completed (the kind, never the outcome). Raises ValidationError when it is already
    complete, its window has not opened, or the outcome is empty."""
    # Judged on the stored row, locked: a stale copy or a double submit must not complete it twice.
    review = Review.objects.select_for_update().select_related("case").get(pk=review.pk)
    if review.completed_on is not None:
        refuse("This review is already complete.")
    too_early = reviews.not_open_yet(review, reviews.panel_of(review.case))
    if too_early:
        refuse(too_early)
    if not outcome.strip():
        refuse("Record the outcome of the review.")
    review.completed_on = timezone.localdate()
    review.outcome = outcome
    review.save(update_fields=["completed_on", "outcome"])
    _touch(review.case)
    audit.record(
        event="case.review_completed",
        actor=actor,
        obj=review,
        action=audit.EntryKind.UPDATE,
        case_reference=review.case.number,
        detail={"kind": review.kind},
    )
    return review


@transaction.atomic
def schedule_review(*, case: Case, actor: User, due_on: date) -> Review:
    """Schedule an in-programme review and move active support to 'under review' (caller checked
    Capability.PLAN). A case has one open in-programme review: one already scheduled (at the panel's
    interval when support started or continued) is moved to `due_on`. The form's date defaults to the
    panel's interval (reviews.default_review_on). Audited as case.review_scheduled, and the move as
    case.stage_changed."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    review = case.reviews.filter(kind=ReviewKind.IN_PROGRAMME, completed_on__isnull=True).first()
    kind = audit.EntryKind.CREATE if review is None else audit.EntryKind.UPDATE
    if review is None:
        review = Review.objects.create(case=case, kind=ReviewKind.IN_PROGRAMME, due_on=due_on)
    else:
        review.due_on = due_on
        review.save(update_fields=["due_on"])
    audit.record(
        event="case.review_scheduled",
        actor=actor,
        obj=review,
        action=kind,
        case_reference=case.number,
        detail={"kind": str(ReviewKind.IN_PROGRAMME), "due": "given"},
    )
    if case.stage == Stage.SUPPORT_ACTIVE:
        change_stage(
            case=case, to=Stage.UNDER_REVIEW, actor=actor, reason=f"In-programme review due {due_on:%-d %B %Y}"
        )
    return review
