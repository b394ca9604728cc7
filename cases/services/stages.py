"""The stage machine of the Channel process, and the two primitives every workflow module writes with:
`refuse` (a rule says no) and `change_stage` (the one write that moves a case), and
`schedule_next_review` (the next in-programme review at the panel's interval).

Which moves exist is TRANSITIONS; which of them a person makes with the plain 'move case' form, and the
statutory checks on them (CTSA 2015 s.36: screening is a police decision, support needs consent and a
plan), are `manual_stages` and `move_case`. Panel decisions, consent and re-assessments reach their
stages through cases.services.decisions and cases.services.casework, which call `change_stage`.
"""

from __future__ import annotations

from datetime import timedelta
from typing import NoReturn

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from audit import services as audit
from cases.models import (
    Case,
    ClosingReport,
    Consent,
    ConsentGiver,
    ConsentStatus,
    Panel,
    Review,
    ReviewKind,
    Stage,
    StageChange,
    SupportPlan,
)
from cases.tasks import notify_police_screening
from partners.models import User
from sharing.policy import Capability, roles_with

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


def refuse(message: str) -> NoReturn:
    """Say no: every rule in cases.services refuses through this, with a message naming the rule, which
    the view shows on the form (lib.forms.refusal_shown_on). Raises ValidationError; the service's
    transaction rolls back, so nothing is half-saved."""
    raise ValidationError(message)


@transaction.atomic(savepoint=False)
def change_stage(*, case: Case, to: Stage, actor: User, reason: str) -> Case:
    """Move `case` along one edge of the stage machine and record why in its chronology. Called only by
    the services of cases.services, after their own checks and with the case row locked; it runs inside
    their transaction. Audited as case.stage_changed (the stages, never the reason, which may name people).
    Raises ValidationError for an edge the machine does not have, or an empty reason."""
    if to not in TRANSITIONS.get(Stage(case.stage), frozenset()):
        refuse(
            f"A case cannot move from '{Stage(case.stage).label}' to '{to.label}'. "
            f"Allowed next stages: {', '.join(s.label for s in next_stages(case)) or 'none'}."
        )
    if not reason.strip():
        refuse("Give a reason for the change: it is recorded in the case chronology.")
    previous = case.stage
    now = timezone.now()
    case.stage = to
    case.stage_changed_at = now
    case.last_activity_at = now
    case.save(update_fields=["stage", "stage_changed_at", "last_activity_at"])
    StageChange.objects.create(case=case, from_stage=previous, to_stage=to, actor=actor, reason=reason, at=now)
    if to == Stage.POLICE_SCREENING:
        # The police of the subject's area are told after commit (the case number and a link only).
        notify_police_screening.delay_on_commit(case.pk)
    audit.record(
        event="case.stage_changed",
        actor=actor,
        obj=case,
        action=audit.EntryKind.UPDATE,
        case_reference=case.number,
        detail={"from": previous, "to": str(to)},
    )
    return case


@transaction.atomic(savepoint=False)
def schedule_next_review(*, case: Case, actor: User) -> Review:
    """Schedule the case's next in-programme review at its panel's interval from today (when support
    starts, and after each decision to continue it), unless one is already open. Runs inside the
    caller's transaction. Audited as case.review_scheduled (the kind, and that the panel's interval set
    the date)."""
    review = case.reviews.filter(kind=ReviewKind.IN_PROGRAMME, completed_on__isnull=True).first()
    if review is not None:
        return review
    weeks = Panel.objects.for_council(case.owning_agency).review_interval_weeks
    review = Review.objects.create(
        case=case, kind=ReviewKind.IN_PROGRAMME, due_on=timezone.localdate() + timedelta(weeks=weeks)
    )
    audit.record(
        event="case.review_scheduled",
        actor=actor,
        obj=review,
        action=audit.EntryKind.CREATE,
        case_reference=case.number,
        detail={"kind": str(ReviewKind.IN_PROGRAMME), "due": "panel_interval"},
    )
    return review


def _latest_consent(case: Case) -> Consent | None:
    return case.consents.order_by("-on", "-id").first()


def _check_support_can_start(case: Case) -> None:
    consent = _latest_consent(case)
    if consent is None or consent.status != ConsentStatus.GIVEN:
        refuse("Support cannot start without consent (Channel is voluntary, CTSA 2015 s.36(4)). Record consent first.")
    if case.subject.age_on(consent.on) < 18 and consent.given_by != ConsentGiver.PARENT_OR_GUARDIAN:
        refuse("The person was under 18 when consent was recorded, so a parent or guardian must give it.")
    plan = SupportPlan.objects.filter(case=case).first()
    # Ended or withdrawn elements are the plan's history, not support that can start.
    if plan is None or not plan.elements.in_force().exists():
        refuse(
            "Support cannot start without a support plan that names the support in force, the provider, how "
            "and when (CTSA 2015 s.36(5)). Add a support element first."
        )


def _review_done(case: Case, kind: ReviewKind) -> bool:
    return case.reviews.filter(kind=kind, completed_on__isnull=False).exists()


@transaction.atomic
def move_case(*, case: Case, actor: User, to: Stage, reason: str) -> Case:
    """Move a case one step along the stage machine with the 'move case' or screening form; the caller
    has checked Capability.MOVE or SCREEN. Screening outcomes are police decisions; panel decisions,
    consent and re-assessments have their own services. Starting support schedules the first in-programme
    review at the panel's interval; closing needs the closing report. Audited as case.stage_changed.
    Raises ValidationError naming the rule when the move is not allowed."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    if to in DECISION_STAGES:
        refuse(f"'{to.label}' is a panel decision: record it as a decision of a quorate panel.")
    if (Stage(case.stage), to) in DECISION_EDGES:
        refuse("Continuing support after a review is a panel decision: record it as a decision of a quorate panel.")
    if to in CONSENT_STAGES:
        refuse(f"'{to.label}' follows refused or withdrawn consent: record the consent and the re-assessment date.")
    if case.stage == Stage.POLICE_SCREENING and actor.role not in roles_with(Capability.SCREEN):
        refuse("Only a police decision can close, signpost, keep or refer a case at screening (CTSA 2015 s.36(2)).")
    starting = to == Stage.SUPPORT_ACTIVE and case.stage == Stage.CONSENT_SOUGHT
    if starting:
        _check_support_can_start(case)
    if case.stage == Stage.POST_EXIT_REVIEW_6 and not _review_done(case, ReviewKind.POST_EXIT_6):
        refuse("Complete the 6-month post-exit review first.")
    if case.stage == Stage.POST_EXIT_REVIEW_12 and not _review_done(case, ReviewKind.POST_EXIT_12):
        refuse("Complete the 12-month post-exit review before closing the case.")
    closing = case.stage == Stage.POST_EXIT_REVIEW_12 and to == Stage.CLOSED
    if closing and not ClosingReport.objects.filter(case=case).exists():
        refuse("Write the closing report before closing the case.")
    case = change_stage(case=case, to=to, actor=actor, reason=reason)
    if starting:
        schedule_next_review(case=case, actor=actor)
    return case
