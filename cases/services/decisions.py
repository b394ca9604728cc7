"""Panel decisions: which decisions a case's stage allows, the quorum a valid decision needs (the chair
and a police representative for the subject's area, CTSA 2015 s.37(3)), and recording a decision at a
meeting, which moves the case."""

from __future__ import annotations

from collections.abc import Iterable

from dateutil.relativedelta import relativedelta
from django.db import transaction
from django.utils import timezone

from audit import services as audit
from cases.models import (
    AgendaItem,
    Attendance,
    Case,
    Decision,
    DecisionOutcome,
    HowReached,
    PanelMeeting,
    ReferenceValue,
    Review,
    ReviewKind,
    Stage,
)
from cases.services.sittings import refuse_before_start, refuse_if_locked
from cases.services.stages import change_stage, refuse
from partners.models import AgencyKind, Role, User

# Each outcome: the stages it may be decided from, and the stage it moves the case to.
DECISION_FROM: dict[DecisionOutcome, tuple[frozenset[Stage], Stage]] = {
    DecisionOutcome.ADOPT: (frozenset({Stage.LISTED_FOR_PANEL}), Stage.ADOPTED),
    DecisionOutcome.NOT_ADOPT: (frozenset({Stage.LISTED_FOR_PANEL}), Stage.NOT_ADOPTED),
    DecisionOutcome.DEFER: (frozenset({Stage.LISTED_FOR_PANEL}), Stage.DEFERRED),
    DecisionOutcome.CONTINUE_SUPPORT: (frozenset({Stage.UNDER_REVIEW}), Stage.SUPPORT_ACTIVE),
    DecisionOutcome.EXIT: (frozenset({Stage.UNDER_REVIEW}), Stage.EXITED),
}


def decisions_available(case: Case) -> list[DecisionOutcome]:
    """The decisions a panel can record on `case` at its stage (for the decision form; any caller)."""
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
    """Record a panel decision on an agenda item and move the case; the caller has checked
    Capability.CHAIR_MEETING on the meeting and Capability.DECIDE on the case. Valid only with the
    meeting's chair and a police representative for the subject's area recorded as present (CTSA 2015
    s.37(3)), and only from the meeting's start until the minutes are approved. Exit schedules the 6- and
    12-month reviews. Audited as case.decision_recorded (outcome and how, never the rationale) and
    case.stage_changed. Raises ValidationError naming the rule when the decision cannot be recorded."""
    # The meeting first, locked, as approve_minutes and record_attendance lock it: a decision must not
    # slip in beside an approval, nor be judged on attendance that is being changed. Items never move
    # between meetings, so the caller's meeting_id is the stored one.
    meeting = PanelMeeting.objects.select_for_update().get(pk=agenda_item.meeting_id)
    case = Case.objects.select_for_update().select_related("subject").get(pk=case.pk)
    item = AgendaItem.objects.select_for_update().get(pk=agenda_item.pk)
    if item.case_id != case.pk:
        refuse("This agenda item is about another case.")
    refuse_if_locked(meeting)
    refuse_before_start(meeting, "decisions")
    sources, target = DECISION_FROM[outcome]
    if case.stage not in sources:
        refuse(f"'{outcome.label}' cannot be decided for a case at '{Stage(case.stage).label}'.")
    if Decision.objects.filter(agenda_item=item).exists():
        refuse("A decision has already been recorded for this agenda item.")
    problems = quorum_problems(meeting=meeting, case=case)
    if problems:
        refuse(problems[0])
    if how_reached == HowReached.MAJORITY and (
        votes_for is None or votes_against is None or votes_for <= votes_against
    ):
        refuse("A majority decision needs the votes for and against, with more votes for.")
    if outcome == DecisionOutcome.NOT_ADOPT and health_or_social_care_referral is None:
        refuse(
            "When a case is not adopted, record whether a health or social care referral was made (CTSA 2015 s.36(6))."
        )
    if outcome == DecisionOutcome.EXIT and exit_reason is None:
        refuse("Give the reason for exit.")
    if not rationale.strip():
        refuse("Record the rationale for the decision.")
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
    change_stage(case=case, to=target, actor=actor, reason=f"Panel decision: {outcome.label}")
    if outcome == DecisionOutcome.EXIT:
        today = timezone.localdate()
        Review.objects.create(case=case, kind=ReviewKind.POST_EXIT_6, due_on=today + relativedelta(months=6))
        Review.objects.create(case=case, kind=ReviewKind.POST_EXIT_12, due_on=today + relativedelta(months=12))
    return decision
