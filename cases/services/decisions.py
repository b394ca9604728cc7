"""Panel decisions: which decisions a case's stage allows, the quorum a valid decision needs (the chair
and a police representative for the subject's area, CTSA 2015 s.37(3)), and recording a decision at a
meeting, which moves the case. A case not adopted gets its s.36(6) record (where it goes instead, and the
health or social care referral made, with an action to make it, or why none was); a decision at a
review completes the in-programme review; continuing support schedules the next at the panel's interval;
withdrawing support ends the plan's support and schedules the re-assessment (s.36(4)(d)-(e))."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta
from django.db import transaction
from django.utils import timezone

from audit import services as audit
from cases.models import (
    Action,
    AgendaItem,
    Attendance,
    CareService,
    Case,
    Decision,
    DecisionOutcome,
    HowReached,
    NotAdoptedRoute,
    Panel,
    PanelMeeting,
    ReferenceValue,
    Review,
    ReviewKind,
    Stage,
    SupportChange,
)
from cases.services import casework, reviews, support
from cases.services.sittings import refuse_before_start, refuse_if_locked
from cases.services.stages import change_stage, refuse, schedule_next_review
from partners.models import AgencyKind, Role, User
from sharing.meeting_policy import stands_in_for_chair

# Each outcome: the stages it may be decided from, and the stage it moves the case to.
DECISION_FROM: dict[DecisionOutcome, tuple[frozenset[Stage], Stage]] = {
    DecisionOutcome.ADOPT: (frozenset({Stage.LISTED_FOR_PANEL}), Stage.ADOPTED),
    DecisionOutcome.NOT_ADOPT: (frozenset({Stage.LISTED_FOR_PANEL}), Stage.NOT_ADOPTED),
    DecisionOutcome.DEFER: (frozenset({Stage.LISTED_FOR_PANEL}), Stage.DEFERRED),
    DecisionOutcome.CONTINUE_SUPPORT: (frozenset({Stage.UNDER_REVIEW}), Stage.SUPPORT_ACTIVE),
    DecisionOutcome.EXIT: (frozenset({Stage.UNDER_REVIEW}), Stage.EXITED),
    DecisionOutcome.WITHDRAW: (frozenset({Stage.UNDER_REVIEW}), Stage.REASSESSMENT_SCHEDULED),
}
# The referral agreed when a case is not adopted is to be made within this many working days (Monday to
# Friday), unless the panel gives a date.
REFERRAL_WORKING_DAYS = 10


def working_days_after(start: date, days: int) -> date:
    """The date `days` working days (Monday to Friday) after `start`."""
    day = start
    while days > 0:
        day += timedelta(days=1)
        if day.weekday() < 5:
            days -= 1
    return day


def decisions_available(case: Case) -> list[DecisionOutcome]:
    """The decisions a panel can record on `case` at its stage (for the decision form; any caller)."""
    return [outcome for outcome, (sources, _) in DECISION_FROM.items() if case.stage in sources]


@dataclass(frozen=True)
class Presence:
    """Who is present, as the quorum sees it: the chair (or a deputy chair standing in), the police force
    areas represented, the kinds of agency represented and how many people."""

    chair: bool
    police_areas: frozenset[str]
    agency_kinds: frozenset[str]
    count: int


def _presence(meeting: PanelMeeting, people: Iterable[User] | None = None) -> Presence:
    """From the recorded attendance, or from `people` when given (an attendance about to be recorded).
    A deputy chair of the council's panel present counts as the chair (sharing.meeting_policy)."""
    if people is None:
        present = User.objects.filter(pk__in=Attendance.objects.filter(meeting=meeting, present=True).values("user_id"))
    else:
        present = User.objects.filter(pk__in=[user.pk for user in people])
    rows = list(
        present.filter(is_active=True).values_list(
            "pk", "role", "agency__kind", "agency__is_active", "agency__police_force_area"
        )
    )
    chairs = stands_in_for_chair(meeting)
    return Presence(
        chair=any(pk in chairs for pk, *_ in rows),
        police_areas=frozenset(
            area
            for _, role, kind, active, area in rows
            if role == Role.POLICE_PRACTITIONER and kind == AgencyKind.POLICE and active
        ),
        agency_kinds=frozenset(kind for _, _, kind, active, _ in rows if active),
        count=len(rows),
    )


def council_panel(meeting: PanelMeeting) -> Panel:
    """The panel of the meeting's council, or (unsaved) one with the defaults. One query."""
    return Panel.objects.filter(council_id=meeting.owning_agency_id).first() or Panel()


def panel_rule_in_words(panel: Panel) -> list[str]:
    """The local part of a panel's quorum (CTSA 2015 s.37(7)), one sentence a requirement; none when the
    panel has set none. For the meeting and attendance pages."""
    rules = [f"someone from {_kind_words(kind)} present" for kind in panel.quorum_agency_kinds]
    if panel.quorum_minimum_present:
        rules.append(f"at least {panel.quorum_minimum_present} people present")
    return [f"This panel's quorum needs {rule} (the panel's own rule)." for rule in rules]


def _kind_words(kind: str) -> str:
    return AgencyKind(kind).label.lower() if kind in AgencyKind.values else kind


def _problems(presence: Presence, *, area: str, panel: Panel) -> list[str]:
    problems = []
    if not presence.chair:
        problems.append("A panel decision needs the chair, or a deputy chair of the panel, present (CTSA 2015 s.37).")
    if area not in presence.police_areas:
        problems.append(f"A panel decision needs a police representative for {area} present (CTSA 2015 s.37(3)).")
    for kind in panel.quorum_agency_kinds:
        if kind not in presence.agency_kinds:
            problems.append(
                f"This panel's quorum needs someone from {_kind_words(kind)} present (the panel's own rule)."
            )
    if presence.count < panel.quorum_minimum_present:
        problems.append(
            f"This panel's quorum needs at least {panel.quorum_minimum_present} people present: "
            f"{presence.count} {'is' if presence.count == 1 else 'are'} recorded (the panel's own rule)."
        )
    return problems


def quorum_problems(*, meeting: PanelMeeting, case: Case) -> list[str]:
    """Why a decision on `case` at `meeting` would be invalid now, from the recorded attendance: the chair
    (or a deputy chair) and a police representative for the subject's area must be present (CTSA 2015
    s.37(3)), and whatever the council's panel requires on top (Panel.quorum_agency_kinds and
    quorum_minimum_present)."""
    panel = council_panel(meeting)
    return _problems(_presence(meeting), area=case.subject.police_force_area, panel=panel)


def decisions_losing_quorum(*, meeting: PanelMeeting, present: Iterable[User]) -> list[str]:
    """The case numbers of decisions recorded at `meeting` that are valid on the recorded attendance but
    would not be if only `present` were there. The minutes show the final attendance, so a change that
    leaves such a decision without its quorum would make the minutes record an invalid decision."""
    panel = council_panel(meeting)
    before, after = _presence(meeting), _presence(meeting, present)
    decisions = (
        Decision.objects.filter(agenda_item__meeting=meeting)
        .select_related("case__subject")
        .order_by("agenda_item__position", "agenda_item_id")
    )
    return [
        decision.case.number
        for decision in decisions
        if not _problems(before, area=decision.case.subject.police_force_area, panel=panel)
        and _problems(after, area=decision.case.subject.police_force_area, panel=panel)
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
    not_adopted_route: NotAdoptedRoute | None = None,
    referral_service: CareService | None = None,
    referral_service_name: str = "",
    referral_due_on: date | None = None,
    no_referral_reason: str = "",
    reassessment_on: date | None = None,
) -> Decision:
    """Record a panel decision on an agenda item and move the case; the caller has checked
    Capability.CHAIR_MEETING on the meeting and Capability.DECIDE on the case. Valid only with the
    meeting's chair and a police representative for the subject's area recorded as present (CTSA 2015
    s.37(3)), and only from the meeting's start until the minutes are approved. Not adopting needs the
    s.36(6) record: the route, and the referral's service and name (an action to make it is created, due
    `referral_due_on` or in 10 working days) or why no referral was made. A decision at a review completes
    the open in-programme review; continuing support schedules the next; exit schedules the 6- and
    12-month reviews; withdrawing support ends the plan's support elements today and schedules the
    re-assessment on `reassessment_on` (default: the panel's period). Audited as case.decision_recorded
    (outcome, how and codes, never typed text), case.stage_changed and what the follow-ups write. Raises
    ValidationError naming the rule when the decision cannot be recorded."""
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
    not_adopted = outcome == DecisionOutcome.NOT_ADOPT
    made = health_or_social_care_referral
    if not_adopted:
        _check_not_adopted(
            route=not_adopted_route,
            made=made,
            service=referral_service,
            name=referral_service_name,
            due_on=referral_due_on,
            reason=no_referral_reason,
        )
    if outcome == DecisionOutcome.WITHDRAW and reassessment_on is not None and reassessment_on <= timezone.localdate():
        refuse("The re-assessment date must be after today.")
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
        health_or_social_care_referral=made if not_adopted else None,
        not_adopted_route=(not_adopted_route or "") if not_adopted else "",
        referral_service=(referral_service or "") if not_adopted and made else "",
        referral_service_name=referral_service_name.strip() if not_adopted and made else "",
        no_referral_reason=no_referral_reason.strip() if not_adopted and made is False else "",
        exit_reason=exit_reason if outcome == DecisionOutcome.EXIT else None,
        decided_by=actor,
    )
    detail: dict[str, object] = {"outcome": str(outcome), "how": str(how_reached)}
    if not_adopted:
        detail |= {"route": str(not_adopted_route), "referral": "made" if made else "not_made"}
        if made:
            detail["service"] = str(referral_service)
    if case.stage == Stage.UNDER_REVIEW:
        # The panel's decision at a review is the in-programme review's outcome.
        done = case.reviews.filter(kind=ReviewKind.IN_PROGRAMME, completed_on__isnull=True)
        detail["reviews_completed"] = done.update(
            completed_on=timezone.localdate(), outcome=f"Panel decision: {outcome.label}"
        )
    if case.reviews.filter(kind=ReviewKind.REASSESSMENT, completed_on__isnull=True).exists():
        # The panel deciding on a case listed for its re-assessment is the re-assessment taking place.
        done = case.reviews.filter(kind=ReviewKind.REASSESSMENT, completed_on__isnull=True)
        detail["reassessments_completed"] = done.update(
            completed_on=timezone.localdate(), outcome=f"Panel decision: {outcome.label}"
        )
    if outcome == DecisionOutcome.WITHDRAW:
        detail["support_ended"] = support.stop_all_support(
            case=case,
            actor=actor,
            change=SupportChange.WITHDRAWN,
            reason="The panel withdrew support (CTSA 2015 s.36(4)(d)).",
        )
    if outcome == DecisionOutcome.EXIT:
        detail["support_ended"] = support.stop_all_support(
            case=case, actor=actor, change=SupportChange.ENDED, reason="The person exited Channel by a panel decision."
        )
    audit.record(
        event="case.decision_recorded",
        actor=actor,
        obj=case,
        action=audit.EntryKind.UPDATE,
        case_reference=case.number,
        detail=detail,
    )
    if not_adopted and made:
        decision.referral_action = _referral_action(decision, actor=actor, due_on=referral_due_on)
        decision.save(update_fields=["referral_action"])
    if outcome == DecisionOutcome.WITHDRAW:
        due_on = reassessment_on or reviews.default_reassessment_on(case)
        reviews.schedule_reassessment(case=case, actor=actor, due_on=due_on, because="support_withdrawn")
        return decision
    change_stage(case=case, to=target, actor=actor, reason=f"Panel decision: {outcome.label}")
    if outcome == DecisionOutcome.CONTINUE_SUPPORT:
        schedule_next_review(case=case, actor=actor)
    if outcome == DecisionOutcome.EXIT:
        today = timezone.localdate()
        Review.objects.create(case=case, kind=ReviewKind.POST_EXIT_6, due_on=today + relativedelta(months=6))
        Review.objects.create(case=case, kind=ReviewKind.POST_EXIT_12, due_on=today + relativedelta(months=12))
    return decision


def _check_not_adopted(
    *,
    route: NotAdoptedRoute | None,
    made: bool | None,
    service: CareService | None,
    name: str,
    due_on: date | None,
    reason: str,
) -> None:
    """The s.36(6) record of a case not adopted is complete: where it goes, and the referral or why not."""
    if made is None:
        refuse(
            "When a case is not adopted, record whether a health or social care referral was made (CTSA 2015 s.36(6))."
        )
    if not route:
        refuse(
            "When a case is not adopted, record what happens next: signposted to other services, no further"
            " action or returned to police-led work (CTSA 2015 s.36(6))."
        )
    if made:
        if not service:
            refuse("Say which service the health or social care referral was made to.")
        if not name.strip():
            refuse("Give the name of the service the referral was made to, for example the GP practice or team.")
        if due_on is not None and due_on < timezone.localdate():
            refuse("The date to make the referral by cannot be in the past.")
    elif not reason.strip():
        refuse("Say why no health or social care referral was made (CTSA 2015 s.36(6)).")


def _referral_action(decision: Decision, *, actor: User, due_on: date | None) -> Action:
    """The action to make the health or social care referral the panel agreed, owned by the case's
    council, due on the date given or in REFERRAL_WORKING_DAYS working days."""
    case = decision.case
    service = decision.get_referral_service_display().lower()
    return casework.add_action(
        case=case,
        actor=actor,
        description=f"Make the referral to {service} agreed at panel: {decision.referral_service_name}.",
        owner_agency=case.owning_agency,
        due_on=due_on or working_days_after(timezone.localdate(), REFERRAL_WORKING_DAYS),
        agenda_item=decision.agenda_item,
    )
