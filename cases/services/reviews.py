"""Reviews on time: when a post-exit review may be completed (the panel's review window), the re-assessment
a case needs after consent is refused or withdrawn or the panel withdraws support (CTSA 2015 s.36(4)(e)),
and the closing report a case needs before it closes. The dates come from the council's panel
(cases.models.Panel); each rule that says no raises ValidationError naming it and changes nothing."""

from __future__ import annotations

from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone

from audit import services as audit
from cases.models import POST_EXIT_STAGES, Case, ClosingReport, Panel, Review, ReviewKind, Stage, SupportChange
from cases.services import support
from cases.services.stages import change_stage, refuse
from partners.models import User

# Post-exit reviews are completed in a window that opens before their due date (the panel's
# review_window_days); the words name the review as the refusal does.
WINDOWED = {ReviewKind.POST_EXIT_6: "6-month", ReviewKind.POST_EXIT_12: "12-month"}
# Stages at which the closing report is written: after exit, before closing.
CLOSING_REPORT_STAGES = POST_EXIT_STAGES


def panel_of(case: Case) -> Panel:
    """The procedure the case's owning council's panel works to (defaults when none is set up)."""
    return Panel.objects.for_council(case.owning_agency)


def default_review_on(case: Case) -> date:
    """When the next in-programme review falls due, at the panel's interval from today."""
    return timezone.localdate() + timedelta(weeks=panel_of(case).review_interval_weeks)


def default_reassessment_on(case: Case) -> date:
    """When a re-assessment falls due after the panel withdraws support, at the panel's period from today."""
    return timezone.localdate() + timedelta(weeks=panel_of(case).reassessment_after_weeks)


def opens_on(review: Review, panel: Panel) -> date | None:
    """The first day a review may be completed: a post-exit review's window opens the panel's
    review_window_days before it is due; other reviews may be completed any day (None)."""
    if review.kind not in WINDOWED:
        return None
    return review.due_on - timedelta(days=panel.review_window_days)


def not_open_yet(review: Review, panel: Panel) -> str:
    """Why the review cannot be completed today, naming the rule and the day it can; empty when it can."""
    first_day = opens_on(review, panel)
    if first_day is None or timezone.localdate() >= first_day:
        return ""
    days = panel.review_window_days
    return (
        f"A {WINDOWED[ReviewKind(review.kind)]} post-exit review can be completed from {first_day:%-d %B %Y}, "
        f"{days} day{'s' if days != 1 else ''} before it is due (the panel's review window)."
    )


def open_reassessment(case: Case) -> Review | None:
    """The re-assessment a case at 're-assessment scheduled' is waiting for, for the case page."""
    if case.stage != Stage.REASSESSMENT_SCHEDULED:
        return None
    return case.reviews.filter(kind=ReviewKind.REASSESSMENT, completed_on__isnull=True).order_by("-due_on").first()


@transaction.atomic(savepoint=False)
def schedule_reassessment(*, case: Case, actor: User, due_on: date, because: str) -> Review:
    """The one tracked record of a re-assessment, whichever way a case comes to need one (consent refused
    or withdrawn, cases.services.consent; support withdrawn by the panel, cases.services.decisions): a
    Review of kind REASSESSMENT due on `due_on`, and the case moved to 're-assessment scheduled', from
    where it goes back on an agenda. Runs inside the caller's transaction, with the case row locked.
    Audited as case.reassessment_scheduled (`because`: a code) and case.stage_changed."""
    review = Review.objects.create(case=case, kind=ReviewKind.REASSESSMENT, due_on=due_on)
    detail: dict[str, object] = {"because": because}
    if because == "consent_withdrawn":
        # Support stops with the consent it rested on: each element withdrawn (a version kept), so it
        # never comes back into force if the case is adopted again.
        detail["support_withdrawn"] = support.stop_all_support(
            case=case, actor=actor, change=SupportChange.WITHDRAWN, reason="Consent to support was withdrawn."
        )
    # A review of support that has stopped is not due any more.
    detail["reviews_closed"] = case.reviews.filter(kind=ReviewKind.IN_PROGRAMME, completed_on__isnull=True).update(
        completed_on=timezone.localdate(), outcome="Support stopped: re-assessment scheduled"
    )
    audit.record(
        event="case.reassessment_scheduled",
        actor=actor,
        obj=review,
        action=audit.EntryKind.CREATE,
        case_reference=case.number,
        detail=detail,
    )
    reasons = {
        "consent_refused": "Consent refused",
        "consent_withdrawn": "Consent withdrawn",
        "support_withdrawn": "Panel decision: Withdraw support",
    }
    reason = f"{reasons[because]}: re-assessment due {due_on:%-d %B %Y}"
    change_stage(case=case, to=Stage.REASSESSMENT_SCHEDULED, actor=actor, reason=reason)
    return review


def closing_report_unavailable(case: Case) -> str:
    """Why the closing report cannot be written now; empty when it can."""
    if ClosingReport.objects.filter(case=case).exists():
        return "The closing report has been written."
    if case.stage not in CLOSING_REPORT_STAGES:
        return "The closing report is written after the person exits Channel, before the case is closed."
    return ""


@transaction.atomic
def write_closing_report(
    *, case: Case, actor: User, summary: str, outcomes: str, onward_referrals: str
) -> ClosingReport:
    """Record the case's closing report: a summary of the support given, its outcomes and the onward
    referrals (caller checked Capability.WRITE_CLOSING_REPORT). Needed before the case closes
    (cases.services.stages.move_case). Audited as case.closing_report_written (never the text). Raises
    ValidationError when the case is not after exit, a report exists, or a part is empty."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    problem = closing_report_unavailable(case)
    if problem:
        refuse(problem)
    if not (summary.strip() and outcomes.strip() and onward_referrals.strip()):
        refuse("A closing report needs the summary of support, the outcomes and the onward referrals.")
    report = ClosingReport.objects.create(
        case=case,
        summary=summary.strip(),
        outcomes=outcomes.strip(),
        onward_referrals=onward_referrals.strip(),
        written_by=actor,
    )
    Case.objects.filter(pk=case.pk).update(last_activity_at=timezone.now())
    audit.record(
        event="case.closing_report_written",
        actor=actor,
        obj=report,
        action=audit.EntryKind.CREATE,
        case_reference=case.number,
    )
    return report
