"""Writes with business meaning for cases: referrals, stage changes, notes, assessments, consent,
support plans, actions, reviews and panel decisions (meetings themselves are in cases/meetings.py).

Every function is keyword-only, atomic and audited. The stage machine and the statutory rules of the
Counter-Terrorism and Security Act 2015 (s.36-38) and the Channel Duty Guidance are enforced here; a
refusal raises ValidationError with a message naming the rule, and changes nothing. Who may call each
function is decided beforehand by sharing.access; these functions trust their caller on that.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any, NoReturn

from dateutil.relativedelta import relativedelta
from django.core.exceptions import ValidationError
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
    Attendance,
    Case,
    CaseNote,
    Consent,
    ConsentGiver,
    ConsentStatus,
    Decision,
    DecisionOutcome,
    HowReached,
    NoteVisibility,
    PanelMeeting,
    ReferenceValue,
    Referral,
    Review,
    ReviewKind,
    Stage,
    StageChange,
    Subject,
    SupportElement,
    SupportPlan,
)
from cases.vaf import FACTOR_LABELS, Rating
from partners.models import Agency, AgencyKind, Role, User

# The stage machine. A move not listed here is refused.
TRANSITIONS: dict[Stage, frozenset[Stage]] = {
    Stage.RECEIVED: frozenset({Stage.POLICE_SCREENING}),
    Stage.POLICE_SCREENING: frozenset(
        {Stage.CLOSED_NFA, Stage.SIGNPOSTED, Stage.POLICE_LED, Stage.REFERRED_TO_CHANNEL}
    ),
    Stage.REFERRED_TO_CHANNEL: frozenset({Stage.INFORMATION_GATHERING}),
    Stage.INFORMATION_GATHERING: frozenset({Stage.PRELIMINARY_ASSESSMENT}),
    Stage.PRELIMINARY_ASSESSMENT: frozenset({Stage.LISTED_FOR_PANEL}),
    Stage.LISTED_FOR_PANEL: frozenset({Stage.NOT_ADOPTED, Stage.DEFERRED, Stage.ADOPTED}),
    # A deferred case comes back to a later panel.
    Stage.DEFERRED: frozenset({Stage.LISTED_FOR_PANEL}),
    Stage.ADOPTED: frozenset({Stage.CONSENT_SOUGHT}),
    Stage.CONSENT_SOUGHT: frozenset({Stage.CONSENT_REFUSED, Stage.SUPPORT_ACTIVE}),
    Stage.CONSENT_REFUSED: frozenset({Stage.REASSESSMENT_SCHEDULED}),
    # A re-assessment goes back to the panel.
    Stage.REASSESSMENT_SCHEDULED: frozenset({Stage.LISTED_FOR_PANEL}),
    # Withdrawn consent during support also schedules a re-assessment.
    Stage.SUPPORT_ACTIVE: frozenset({Stage.UNDER_REVIEW, Stage.REASSESSMENT_SCHEDULED}),
    Stage.UNDER_REVIEW: frozenset({Stage.SUPPORT_ACTIVE, Stage.EXITED, Stage.REASSESSMENT_SCHEDULED}),
    Stage.EXITED: frozenset({Stage.POST_EXIT_REVIEW_6}),
    Stage.POST_EXIT_REVIEW_6: frozenset({Stage.POST_EXIT_REVIEW_12}),
    Stage.POST_EXIT_REVIEW_12: frozenset({Stage.CLOSED}),
}

SCREENING_OUTCOMES = TRANSITIONS[Stage.POLICE_SCREENING]

# The usual way through the Channel process, from referral to closure; other stages branch off it.
MAIN_ROUTE: tuple[Stage, ...] = (
    Stage.RECEIVED,
    Stage.POLICE_SCREENING,
    Stage.REFERRED_TO_CHANNEL,
    Stage.INFORMATION_GATHERING,
    Stage.PRELIMINARY_ASSESSMENT,
    Stage.LISTED_FOR_PANEL,
    Stage.ADOPTED,
    Stage.CONSENT_SOUGHT,
    Stage.SUPPORT_ACTIVE,
    Stage.UNDER_REVIEW,
    Stage.EXITED,
    Stage.POST_EXIT_REVIEW_6,
    Stage.POST_EXIT_REVIEW_12,
    Stage.CLOSED,
)
# Reached only through a panel decision, a consent record or a scheduled re-assessment.
DECISION_STAGES = frozenset({Stage.NOT_ADOPTED, Stage.DEFERRED, Stage.ADOPTED, Stage.EXITED})
CONSENT_STAGES = frozenset({Stage.CONSENT_REFUSED, Stage.REASSESSMENT_SCHEDULED})


def next_stages(case: Case) -> list[Stage]:
    """The stages a case may move to from where it is (before role and statutory checks)."""
    return sorted(TRANSITIONS.get(Stage(case.stage), frozenset()), key=list(Stage).index)


# Edges that only a panel decision may take, although their target can be reached in other ways.
DECISION_EDGES = frozenset({(Stage.UNDER_REVIEW, Stage.SUPPORT_ACTIVE)})


def manual_stages(case: Case) -> list[Stage]:
    """Moves made with the plain 'move case' form (the rest need a decision, consent or screening)."""
    return [
        s
        for s in next_stages(case)
        if s not in DECISION_STAGES | CONSENT_STAGES and (Stage(case.stage), s) not in DECISION_EDGES
    ]


# --- subjects and referrals -----------------------------------------------------------------------

POSTCODE = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2}$")


def normalise_name(*names: str) -> str:
    return " ".join("".join(ch for ch in name.lower() if ch.isalpha()) for name in names if name).strip()


def normalise_postcode(postcode: str) -> str:
    return postcode.upper().replace(" ", "")


def matching_subjects(*, first_name: str, last_name: str, date_of_birth: date, postcode: str) -> list[Subject]:
    """Earlier subjects who may be the same person: same normalised name and date of birth, or same
    date of birth, surname and postcode (a changed first name). A date of birth and postcode alone are
    not enough: that would let anyone who logs referrals look people up. Who may see their cases is
    decided by sharing.access."""
    candidates = Subject.objects.filter(date_of_birth=date_of_birth)
    name = normalise_name(first_name, last_name)
    surname = normalise_name(last_name)
    code = normalise_postcode(postcode)
    return [
        s
        for s in candidates
        if s.match_name == name or (s.match_postcode == code and s.match_name.rsplit(" ", 1)[-1] == surname)
    ]


def _next_number(year: int) -> str:
    prefix = f"PP-{year}-"
    last = Case.objects.filter(number__startswith=prefix).aggregate(m=Max("number"))["m"]
    return f"{prefix}{(int(last.rsplit('-', 1)[1]) + 1) if last else 1:05d}"


@transaction.atomic
def create_referral(
    *,
    actor: User,
    owning_agency: Agency,
    subject_fields: Mapping[str, Any],
    referral_fields: Mapping[str, Any],
    existing_subject: Subject | None = None,
    update_subject: bool = False,
) -> Case:
    """Log a referral as a new case at stage 'received'. Audited as case.referred; owners are emailed
    about an immediate risk.

    A repeat referral links the new case to the earlier one (previous_case). The earlier subject's
    details are updated only when `update_subject` (the caller's sharing check says the actor may change
    every case of that subject); otherwise the new case gets its own subject record, so nobody can
    rewrite a person, or the police area that decides who sees them, on a case they cannot see."""
    if existing_subject is not None and update_subject:
        subject = existing_subject
        for name, value in subject_fields.items():
            setattr(subject, name, value)
    else:
        subject = Subject(**subject_fields)
    subject.match_name = normalise_name(subject.first_name, subject.last_name)
    subject.match_postcode = normalise_postcode(subject.postcode)
    subject.full_clean()
    subject.save()
    previous = existing_subject.cases.order_by("-received_on", "-id").first() if existing_subject else None
    year = timezone.localdate().year
    # Numbers are per year and sequential; the unique constraint refuses a clash between two writers.
    case = Case.objects.create(
        number=_next_number(year), subject=subject, owning_agency=owning_agency, previous_case=previous
    )
    referral = Referral(case=case, **referral_fields)
    referral.full_clean()
    referral.save()
    StageChange.objects.create(
        case=case, from_stage="", to_stage=Stage.RECEIVED, actor=actor, reason="Referral received"
    )
    audit.record(
        event="case.referred",
        actor=actor,
        obj=case,
        action=audit.EntryKind.CREATE,
        case_reference=case.number,
        detail={"repeat_of": previous.number if previous else None, "immediate_risk": referral.immediate_risk},
    )
    if referral.immediate_risk:
        from cases.tasks import notify_immediate_risk

        notify_immediate_risk.delay_on_commit(case.pk)
    return case


# --- stage changes --------------------------------------------------------------------------------


def _refuse(message: str) -> NoReturn:
    raise ValidationError(message)


def _change_stage(case: Case, *, to: Stage, actor: User, reason: str) -> Case:
    if to not in TRANSITIONS.get(Stage(case.stage), frozenset()):
        _refuse(
            f"A case cannot move from '{Stage(case.stage).label}' to '{to.label}'. "
            f"Allowed next stages: {', '.join(s.label for s in next_stages(case)) or 'none'}."
        )
    if not reason.strip():
        _refuse("Give a reason for the change: it is recorded in the case chronology.")
    previous = case.stage
    now = timezone.now()
    case.stage = to
    case.stage_changed_at = now
    case.last_activity_at = now
    case.save(update_fields=["stage", "stage_changed_at", "last_activity_at"])
    StageChange.objects.create(case=case, from_stage=previous, to_stage=to, actor=actor, reason=reason, at=now)
    # The reason may name people, so the audit entry records only the stages.
    audit.record(
        event="case.stage_changed",
        actor=actor,
        obj=case,
        action=audit.EntryKind.UPDATE,
        case_reference=case.number,
        detail={"from": previous, "to": str(to)},
    )
    return case


def _latest_consent(case: Case) -> Consent | None:
    return case.consents.order_by("-on", "-id").first()


def _check_support_can_start(case: Case) -> None:
    consent = _latest_consent(case)
    if consent is None or consent.status != ConsentStatus.GIVEN:
        _refuse("Support cannot start without consent (Channel is voluntary, CTSA 2015 s.36(4)). Record consent first.")
    if case.subject.age_on(consent.on) < 18 and consent.given_by != ConsentGiver.PARENT_OR_GUARDIAN:
        _refuse("The person was under 18 when consent was recorded, so a parent or guardian must give it.")
    plan = SupportPlan.objects.filter(case=case).first()
    if plan is None or not plan.elements.exists():
        _refuse(
            "Support cannot start without a support plan that names the support, the provider, how and when "
            "(CTSA 2015 s.36(5)). Add a support element first."
        )


@transaction.atomic
def move_case(*, case: Case, actor: User, to: Stage, reason: str) -> Case:
    """Move a case one step along the stage machine. Screening outcomes are police decisions; panel
    decisions, consent and re-assessments have their own services. Audited as case.stage_changed."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    if to in DECISION_STAGES:
        _refuse(f"'{to.label}' is a panel decision: record it as a decision of a quorate panel.")
    if (Stage(case.stage), to) in DECISION_EDGES:
        _refuse("Continuing support after a review is a panel decision: record it as a decision of a quorate panel.")
    if to in CONSENT_STAGES:
        _refuse(f"'{to.label}' follows refused or withdrawn consent: record the consent and the re-assessment date.")
    if case.stage == Stage.POLICE_SCREENING and actor.role != Role.POLICE_PRACTITIONER:
        _refuse("Only a police decision can close, signpost, keep or refer a case at screening (CTSA 2015 s.36(2)).")
    if to == Stage.SUPPORT_ACTIVE and case.stage == Stage.CONSENT_SOUGHT:
        _check_support_can_start(case)
    if case.stage == Stage.POST_EXIT_REVIEW_6 and not _review_done(case, ReviewKind.POST_EXIT_6):
        _refuse("Complete the 6-month post-exit review first.")
    if case.stage == Stage.POST_EXIT_REVIEW_12 and not _review_done(case, ReviewKind.POST_EXIT_12):
        _refuse("Complete the 12-month post-exit review before closing the case.")
    return _change_stage(case, to=to, actor=actor, reason=reason)


def _review_done(case: Case, kind: ReviewKind) -> bool:
    return case.reviews.filter(kind=kind, completed_on__isnull=False).exists()


# --- consent --------------------------------------------------------------------------------------


@transaction.atomic
def record_consent(
    *,
    case: Case,
    actor: User,
    status: ConsentStatus,
    given_by: ConsentGiver,
    method: str,
    on: date,
    reassessment_on: date | None = None,
) -> Consent:
    """Record consent given, refused or withdrawn. Refused or withdrawn consent needs a re-assessment
    date (CTSA 2015 s.36(4)(e)) and moves the case to 're-assessment scheduled'. Audited."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    if on > timezone.localdate():
        _refuse("The consent date cannot be in the future.")
    if status in (ConsentStatus.GIVEN, ConsentStatus.REFUSED) and case.stage != Stage.CONSENT_SOUGHT:
        _refuse("Consent is given or refused once the panel has adopted the case and consent is being sought.")
    if status == ConsentStatus.WITHDRAWN and case.stage not in (Stage.SUPPORT_ACTIVE, Stage.UNDER_REVIEW):
        _refuse("Consent can be withdrawn only while support is active or under review.")
    if status == ConsentStatus.GIVEN and case.subject.age_on(on) < 18 and given_by != ConsentGiver.PARENT_OR_GUARDIAN:
        _refuse("The person is under 18, so consent must come from a parent or guardian.")
    if status == ConsentStatus.GIVEN and reassessment_on is not None:
        _refuse(
            "Leave the re-assessment date empty when consent is given: it is only for refused or withdrawn consent."
        )
    if status != ConsentStatus.GIVEN and reassessment_on is None:
        _refuse("Refused or withdrawn consent needs a re-assessment date (CTSA 2015 s.36(4)(e)).")
    if reassessment_on is not None and reassessment_on <= on:
        _refuse("The re-assessment date must be after the consent date.")
    consent = Consent.objects.create(
        case=case, status=status, given_by=given_by, method=method, on=on, recorded_by=actor
    )
    audit.record(
        event="case.consent_recorded",
        actor=actor,
        obj=case,
        action=audit.EntryKind.UPDATE,
        case_reference=case.number,
        detail={"status": str(status)},
    )
    if reassessment_on is not None:
        Review.objects.create(case=case, kind=ReviewKind.REASSESSMENT, due_on=reassessment_on)
        label = "refused" if status == ConsentStatus.REFUSED else "withdrawn"
        if status == ConsentStatus.REFUSED:
            _change_stage(case, to=Stage.CONSENT_REFUSED, actor=actor, reason=f"Consent {label}")
        _change_stage(
            case,
            to=Stage.REASSESSMENT_SCHEDULED,
            actor=actor,
            reason=f"Consent {label}: re-assessment due {reassessment_on:%-d %B %Y}",
        )
    return consent


# --- panel decisions ------------------------------------------------------------------------------

DECISION_FROM: dict[DecisionOutcome, tuple[frozenset[Stage], Stage]] = {
    DecisionOutcome.ADOPT: (frozenset({Stage.LISTED_FOR_PANEL}), Stage.ADOPTED),
    DecisionOutcome.NOT_ADOPT: (frozenset({Stage.LISTED_FOR_PANEL}), Stage.NOT_ADOPTED),
    DecisionOutcome.DEFER: (frozenset({Stage.LISTED_FOR_PANEL}), Stage.DEFERRED),
    DecisionOutcome.CONTINUE_SUPPORT: (frozenset({Stage.UNDER_REVIEW}), Stage.SUPPORT_ACTIVE),
    DecisionOutcome.EXIT: (frozenset({Stage.UNDER_REVIEW}), Stage.EXITED),
}


def decisions_available(case: Case) -> list[DecisionOutcome]:
    return [outcome for outcome, (sources, _) in DECISION_FROM.items() if case.stage in sources]


def _quorum_present(meeting: PanelMeeting, people: Iterable[User] | None = None) -> tuple[bool, set[str]]:
    """Whether the meeting's chair is present, and the police force areas represented: from the recorded
    attendance, or from `people` when given (an attendance about to be recorded). Two queries."""
    if people is None:
        present = User.objects.filter(pk__in=Attendance.objects.filter(meeting=meeting, present=True).values("user_id"))
    else:
        present = User.objects.filter(pk__in=[user.pk for user in people])
    present = present.filter(is_active=True)
    police = present.filter(
        role=Role.POLICE_PRACTITIONER, agency__kind=AgencyKind.POLICE, agency__is_active=True
    ).values_list("agency__police_force_area", flat=True)
    return present.filter(pk=meeting.chair_id).exists(), set(police)


def quorum_problems(*, meeting: PanelMeeting, case: Case) -> list[str]:
    """Why a decision on `case` at `meeting` would be invalid now, from the recorded attendance: the chair
    and a police representative for the subject's area must be present (CTSA 2015 s.37(3))."""
    chair, areas = _quorum_present(meeting)
    problems = []
    if not chair:
        problems.append("A panel decision needs the chair present (CTSA 2015 s.37).")
    area = case.subject.police_force_area
    if area not in areas:
        problems.append(f"A panel decision needs a police representative for {area} present (CTSA 2015 s.37(3)).")
    return problems


def decisions_losing_quorum(*, meeting: PanelMeeting, present: Iterable[User]) -> list[str]:
    """The case numbers of decisions recorded at `meeting` that are valid on the recorded attendance but
    would not be if only `present` were there. The minutes show the final attendance, so a change that
    leaves such a decision without its quorum would make the minutes record an invalid decision."""
    chair_before, areas_before = _quorum_present(meeting)
    chair_after, areas_after = _quorum_present(meeting, present)
    decisions = (
        Decision.objects.filter(agenda_item__meeting=meeting)
        .select_related("case__subject")
        .order_by("agenda_item__position", "agenda_item_id")
    )
    return [
        decision.case.number
        for decision in decisions
        if chair_before
        and decision.case.subject.police_force_area in areas_before
        and not (chair_after and decision.case.subject.police_force_area in areas_after)
    ]


def _refuse_if_locked(meeting: PanelMeeting) -> None:
    if meeting.is_locked:
        _refuse("The minutes of this meeting are approved and locked: nothing about it can be changed.")


def _refuse_before_start(meeting: PanelMeeting, what: str) -> None:
    # Attendance and decisions are facts of the sitting itself: recorded ahead of it, the minutes would
    # show a quorum and decisions that no meeting had yet produced.
    if timezone.now() < meeting.starts:
        _refuse(
            f"The meeting has not started yet: {what} can be recorded from "
            f"{timezone.localtime(meeting.starts):%-d %B %Y at %H:%M}."
        )


@transaction.atomic
def record_decision(
    *,
    case: Case,
    actor: User,
    agenda_item: AgendaItem,
    outcome: DecisionOutcome,
    how_reached: HowReached,
    rationale: str,
    votes_for: int | None = None,
    votes_against: int | None = None,
    health_or_social_care_referral: bool | None = None,
    exit_reason: ReferenceValue | None = None,
) -> Decision:
    """Record a panel decision on an agenda item and move the case. Valid only with the meeting's chair
    and a police representative for the subject's area recorded as present (CTSA 2015 s.37(3)), and
    only from the meeting's start until the minutes are approved. Exit schedules the 6- and 12-month
    reviews. Audited as case.decision_recorded (outcome and how, never the rationale)."""
    # The meeting first, locked, as approve_minutes and record_attendance lock it: a decision must not
    # slip in beside an approval, nor be judged on attendance that is being changed. Items never move
    # between meetings, so the caller's meeting_id is the stored one.
    meeting = PanelMeeting.objects.select_for_update().get(pk=agenda_item.meeting_id)
    case = Case.objects.select_for_update().select_related("subject").get(pk=case.pk)
    item = AgendaItem.objects.select_for_update().get(pk=agenda_item.pk)
    if item.case_id != case.pk:
        _refuse("This agenda item is about another case.")
    _refuse_if_locked(meeting)
    _refuse_before_start(meeting, "decisions")
    sources, target = DECISION_FROM[outcome]
    if case.stage not in sources:
        _refuse(f"'{outcome.label}' cannot be decided for a case at '{Stage(case.stage).label}'.")
    if Decision.objects.filter(agenda_item=item).exists():
        _refuse("A decision has already been recorded for this agenda item.")
    problems = quorum_problems(meeting=meeting, case=case)
    if problems:
        _refuse(problems[0])
    if how_reached == HowReached.MAJORITY and (
        votes_for is None or votes_against is None or votes_for <= votes_against
    ):
        _refuse("A majority decision needs the votes for and against, with more votes for.")
    if outcome == DecisionOutcome.NOT_ADOPT and health_or_social_care_referral is None:
        _refuse(
            "When a case is not adopted, record whether a health or social care referral was made (CTSA 2015 s.36(6))."
        )
    if outcome == DecisionOutcome.EXIT and exit_reason is None:
        _refuse("Give the reason for exit.")
    if not rationale.strip():
        _refuse("Record the rationale for the decision.")
    decision = Decision.objects.create(
        case=case,
        agenda_item=item,
        outcome=outcome,
        how_reached=how_reached,
        votes_for=votes_for if how_reached == HowReached.MAJORITY else None,
        votes_against=votes_against if how_reached == HowReached.MAJORITY else None,
        rationale=rationale,
        health_or_social_care_referral=health_or_social_care_referral if outcome == DecisionOutcome.NOT_ADOPT else None,
        exit_reason=exit_reason if outcome == DecisionOutcome.EXIT else None,
        decided_by=actor,
    )
    audit.record(
        event="case.decision_recorded",
        actor=actor,
        obj=case,
        action=audit.EntryKind.UPDATE,
        case_reference=case.number,
        detail={"outcome": str(outcome), "how": str(how_reached)},
    )
    _change_stage(case, to=target, actor=actor, reason=f"Panel decision: {outcome.label}")
    if outcome == DecisionOutcome.EXIT:
        today = timezone.localdate()
        Review.objects.create(case=case, kind=ReviewKind.POST_EXIT_6, due_on=today + relativedelta(months=6))
        Review.objects.create(case=case, kind=ReviewKind.POST_EXIT_12, due_on=today + relativedelta(months=12))
    return decision


# --- notes, assessments, plans, actions, reviews ---------------------------------------------------


def _touch(case: Case) -> None:
    Case.objects.filter(pk=case.pk).update(last_activity_at=timezone.now())


@transaction.atomic
def add_note(
    *, case: Case, actor: User, text: str, visibility: NoteVisibility, shared_with: Iterable[Agency] = ()
) -> CaseNote:
    """Add a chronology note from the actor's agency. Named visibility needs at least one agency."""
    agencies = list(shared_with)
    if visibility == NoteVisibility.NAMED and not agencies:
        _refuse("Choose the agencies that may see this note.")
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
    """Add a new version of the Vulnerability Assessment Framework; earlier versions are never changed.
    Like a note, a version is visible to everyone who can see the case, the originator's agency, or
    named agencies."""
    agencies = list(shared_with)
    if visibility == NoteVisibility.NAMED and not agencies:
        _refuse("Choose the agencies that may see this assessment.")
    unknown = set(ratings) - set(FACTOR_LABELS)
    if unknown:
        _refuse(f"Unknown factors: {', '.join(sorted(unknown))}.")
    if any(rating not in Rating.values for rating, _ in ratings.values()):
        _refuse("Each factor's rating must be not present, low, medium or high.")
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


def assessment_changes(current: Assessment, previous: Assessment | None) -> list[tuple[str, int | None, int]]:
    """(factor label, previous rating, current rating) for every factor whose rating changed."""
    before = {f.factor: f.rating for f in previous.factors.all()} if previous else {}
    return [
        (FACTOR_LABELS.get(f.factor, f.factor), before.get(f.factor), f.rating)
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
    """Add to the support plan: what support, which provider, how and when (CTSA 2015 s.36(5))."""
    if not how.strip() or not when.strip():
        _refuse("A support element must say how and when the support is delivered (CTSA 2015 s.36(5)).")
    if ends_on is not None and ends_on < starts_on:
        _refuse("The end date must be on or after the start date.")
    if provider_user is not None and provider_user.agency_id != provider.pk:
        _refuse("The named provider must belong to the providing agency.")
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
    """Add an action with an owning agency (and person) and a due date. One agreed at a meeting names
    its agenda item, so the minutes list it; that is refused once the minutes are approved. Audited."""
    if owner_user is not None and owner_user.agency_id != owner_agency.pk:
        _refuse("The action's owner must belong to the owning agency.")
    if not description.strip():
        _refuse("Describe the action.")
    if agenda_item is not None:
        if agenda_item.case_id != case.pk:
            _refuse("This agenda item is about another case.")
        # Judged on the stored meeting, locked: the caller's copy may predate the approval.
        _refuse_if_locked(PanelMeeting.objects.select_for_update().get(pk=agenda_item.meeting_id))
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
    # Judged on the stored row, locked: a stale copy or a double submit must not complete it twice.
    action = Action.objects.select_for_update().get(pk=action.pk)
    if action.status == ActionStatus.DONE:
        _refuse("This action is already done.")
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
    # Judged on the stored row, locked: a stale copy or a double submit must not complete it twice.
    review = Review.objects.select_for_update().get(pk=review.pk)
    if review.completed_on is not None:
        _refuse("This review is already complete.")
    if not outcome.strip():
        _refuse("Record the outcome of the review.")
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
    """Schedule an in-programme review and move active support to 'under review'."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    review = Review.objects.create(case=case, kind=ReviewKind.IN_PROGRAMME, due_on=due_on)
    audit.record(
        event="case.review_scheduled",
        actor=actor,
        obj=review,
        action=audit.EntryKind.CREATE,
        case_reference=case.number,
    )
    if case.stage == Stage.SUPPORT_ACTIVE:
        _change_stage(case, to=Stage.UNDER_REVIEW, actor=actor, reason=f"In-programme review due {due_on:%-d %B %Y}")
    return review
