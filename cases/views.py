"""Case pages. Every case is reached through sharing.access, which records the access; lists record
which references they showed. Shape: access, form, service, redirect."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any
from uuid import UUID

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from audit import services as audit
from audit.models import AuditEntry
from cases.forms import (
    ActionForm,
    AssessmentForm,
    CaseFilterForm,
    ConsentForm,
    MoveForm,
    NoteForm,
    ReferralForm,
    ReviewOutcomeForm,
    ScheduleReviewForm,
    SupportElementForm,
)
from cases.models import Case, CaseQuerySet, MeetingStatus, Referral, Stage, Subject
from cases.services import casework, decisions, referrals, stages
from sharing.access import (
    Capability,
    access_case,
    can,
    can_do,
    earlier_cases,
    may_update_subject,
    require,
    visible_assessments,
    visible_cases,
    visible_meetings,
    visible_notes,
    visible_support_elements,
    who_can_see,
)

PAGE_SIZE = 25
# Each tab and the action it needs (sharing.access decides who has it).
TABS = [
    ("summary", "Summary", Capability.VIEW),
    ("chronology", "Chronology", Capability.VIEW_FULL),
    ("assessment", "Assessment", Capability.VIEW_FULL),
    ("plan", "Support plan", Capability.VIEW_PLAN),
    ("actions", "Actions", Capability.VIEW_FULL),
    ("reviews", "Reviews", Capability.VIEW_FULL),
    ("access", "Access history", Capability.ACCESS_HISTORY),
    ("sharing", "Sharing", Capability.SHARE),
]
TAB_ACTIONS = {key: action for key, _, action in TABS}


def case_list(request: HttpRequest) -> HttpResponse:
    """Cases the user can see, filtered and searched; records the references shown and the terms."""
    form = CaseFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    cases = visible_cases(request.user)
    cases = cases.search(filters.get("q", ""))
    if filters.get("stage"):
        cases = cases.filter(stage=filters["stage"])
    if filters.get("concern_type"):
        cases = cases.filter(referral__concern_type=filters["concern_type"])
    if filters.get("overdue"):
        # Only cases whose actions the user may see, or the filter would reveal them.
        cases = cases.filter(pk__in=visible_cases(request.user, action=Capability.VIEW_FULL).with_overdue_actions())
    if filters.get("flag"):
        cases = _flagged(request.user, cases, filters["flag"])
    if filters.get("received"):
        cases = cases.received_in(date.fromisoformat(f"{filters['received']}-01"))
    # The page is chosen among ids, and only its 25 cases are joined to their subject and concern (in
    # the same statement): joining every visible case before sorting costs tens of milliseconds for a
    # user who sees thousands (docs/benchmarks.md).
    page = Paginator(cases.values("pk"), PAGE_SIZE).get_page(request.GET.get("page"))
    shown = list(cases.page_rows(page.object_list))
    terms = {k: str(v) for k, v in filters.items() if v}
    audit.record_list(
        actor=request.user, event="case.listed", model=Case, references=[c.number for c in shown], filters=terms
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "cases/list.html",
        {
            "form": form,
            "page": page,
            "cases": shown,
            "query": query.urlencode(),
            "can_refer": can_do(request.user, Capability.CREATE_REFERRAL),
        },
    )


def _flagged(user: Any, cases: CaseQuerySet, flag: str) -> CaseQuerySet:
    """The dashboard's figures as filters; reviews and stalled support (judged on the activity of notes,
    actions and reviews) only on cases the user may see in full, as on the dashboard."""
    full = visible_cases(user, action=Capability.VIEW_FULL)
    if flag == "screening":
        return cases.awaiting_screening(days=settings.SCREENING_WAIT_DAYS)
    if flag in ("reviews_due", "reviews_overdue"):
        return cases.filter(pk__in=full.with_open_reviews(overdue=flag == "reviews_overdue").values("pk"))
    if flag == "stalled":
        return cases.filter(pk__in=full.stalled(days=settings.STALLED_SUPPORT_DAYS).values("pk"))
    return cases.repeats()


def new_referral(request: HttpRequest) -> HttpResponse:
    """Log a referral. If earlier subjects match, the coordinator is asked whether it is the same person,
    and sees earlier cases' outcomes only where sharing allows."""
    require(request.user, Capability.CREATE_REFERRAL)
    user: Any = request.user
    matches: list[Subject] = []
    if request.method == "POST":
        probe = ReferralForm(request.POST)
        if probe.is_valid():
            matches = referrals.matching_subjects(
                first_name=probe.cleaned_data["first_name"],
                last_name=probe.cleaned_data["last_name"],
                date_of_birth=probe.cleaned_data["date_of_birth"],
                postcode=probe.cleaned_data["postcode"],
            )
    form = ReferralForm(request.POST or None, matches=matches)
    if request.method == "POST" and form.is_valid():
        choice = form.cleaned_data.get("link_subject", "")
        existing = next((s for s in matches if str(s.reference) == choice), None)
        case = referrals.create_referral(
            actor=user,
            owning_agency=user.agency,
            subject_fields=form.subject_fields() | {"local_authority_area": user.agency.local_authority_area},
            referral_fields=form.referral_fields(),
            existing_subject=existing,
            update_subject=existing is not None and may_update_subject(user, existing),
        )
        messages.success(request, f"Referral logged as {case.number}.")
        return redirect("cases:detail", reference=case.reference)
    earlier = _earlier_cases(request.user, matches) if matches else {}
    status = 400 if request.method == "POST" else 200
    return render(request, "cases/new_referral.html", {"form": form, "earlier": earlier}, status=status)


def _earlier_cases(user: Any, subjects: list[Subject]) -> dict[str, Any]:
    visible, hidden = earlier_cases(user, subjects=subjects)
    audit.record_list(
        actor=user,
        event="case.repeat_match",
        model=Case,
        references=[c.number for c in visible],
        filters={"hidden_earlier_cases": hidden},
    )
    return {"visible": visible, "hidden": hidden}


def _tab(
    request: HttpRequest,
    reference: UUID,
    tab: str,
    extra: Callable[[Case], dict[str, Any]],
) -> HttpResponse:
    case = access_case(request.user, reference, action=TAB_ACTIONS[tab], purpose=f"{tab} tab")
    user = request.user
    context = {
        "case": case,
        "tab": tab,
        "tabs": [(key, label) for key, label, action in TABS if can(user, case, action)],
        "can_view_full": can(user, case, Capability.VIEW_FULL),
        "can_move": can(user, case, Capability.MOVE) and bool(stages.manual_stages(case)),
        "can_screen": can(user, case, Capability.SCREEN) and case.stage == Stage.POLICE_SCREENING,
        "can_decide": can(user, case, Capability.DECIDE) and bool(decisions.decisions_available(case)),
        "can_consent": can(user, case, Capability.CONSENT)
        and case.stage in (Stage.CONSENT_SOUGHT, Stage.SUPPORT_ACTIVE, Stage.UNDER_REVIEW),
        "can_note": can(user, case, Capability.ADD_NOTE),
        "can_assess": can(user, case, Capability.ASSESS),
        "can_plan": can(user, case, Capability.PLAN),
        **extra(case),
    }
    return render(request, f"cases/tab_{tab}.html", context)


def detail(request: HttpRequest, reference: UUID) -> HttpResponse:
    def extra(case: Case) -> dict[str, Any]:
        previous = case.previous_case
        subjects = [case.subject] + ([previous.subject] if previous is not None else [])
        visible, hidden = earlier_cases(request.user, subjects=subjects, exclude=case)
        return {
            "referral": Referral.objects.select_related("source_sector", "concern_type").get(case=case),
            "earlier_visible": visible,
            "earlier_hidden": hidden,
            "age": case.subject.age_on(case.received_on),
        }

    return _tab(request, reference, "summary", extra)


def chronology(request: HttpRequest, reference: UUID) -> HttpResponse:
    def extra(case: Case) -> dict[str, Any]:
        notes = visible_notes(request.user, case).select_related("author", "originator_agency")
        changes = case.stage_changes.select_related("actor")
        entries = [{"at": n.created_at, "note": n} for n in notes] + [{"at": c.at, "change": c} for c in changes]
        return {"entries": sorted(entries, key=lambda e: e["at"], reverse=True)}

    return _tab(request, reference, "chronology", extra)


def assessment(request: HttpRequest, reference: UUID) -> HttpResponse:
    def extra(case: Case) -> dict[str, Any]:
        versions = list(
            visible_assessments(request.user, case)
            .select_related("assessor", "originator_agency")
            .prefetch_related("factors")
        )
        current = versions[0] if versions else None
        previous = versions[1] if len(versions) > 1 else None
        changes = casework.assessment_changes(current, previous) if current else []
        return {"current": current, "previous": previous, "changes": changes, "versions": versions}

    return _tab(request, reference, "assessment", extra)


def plan(request: HttpRequest, reference: UUID) -> HttpResponse:
    def extra(case: Case) -> dict[str, Any]:
        elements = list(
            visible_support_elements(request.user, case).select_related("support_type", "provider", "provider_user")
        )
        consents = (
            list(case.consents.select_related("recorded_by")) if can(request.user, case, Capability.VIEW_FULL) else []
        )
        return {"elements": elements, "consents": consents}

    return _tab(request, reference, "plan", extra)


def actions(request: HttpRequest, reference: UUID) -> HttpResponse:
    return _tab(
        request,
        reference,
        "actions",
        lambda case: {"actions": list(case.actions.select_related("owner_agency", "owner_user"))},
    )


def reviews(request: HttpRequest, reference: UUID) -> HttpResponse:
    return _tab(
        request,
        reference,
        "reviews",
        lambda case: {
            "reviews": list(case.reviews.all()),
            "decisions": list(case.decisions.select_related("decided_by")),
        },
    )


def access_history(request: HttpRequest, reference: UUID) -> HttpResponse:
    def extra(case: Case) -> dict[str, Any]:
        entries = AuditEntry.objects.filter(case_reference=case.number).select_related("actor", "actor_agency")
        return {"entries": list(entries[:100])}

    return _tab(request, reference, "access", extra)


def sharing(request: HttpRequest, reference: UUID) -> HttpResponse:
    return _tab(request, reference, "sharing", lambda case: {"rows": who_can_see(case)})


# --- changes ------------------------------------------------------------------------------------


def _case_form(
    request: HttpRequest,
    reference: UUID,
    *,
    action: Capability,
    title: str,
    make_form: Callable[..., Form],
    save: Callable[[Case, dict[str, Any]], Any],
    done: str,
    back: str = "cases:detail",
) -> HttpResponse:
    """One page per change: the gate for `action`, the form, the service, then back to the case."""
    case = access_case(request.user, reference, action=action)
    form = make_form(case, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            save(case, form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, done)
            return redirect(back, reference=case.reference)
    status = 400 if request.method == "POST" else 200
    return render(
        request, "cases/case_form.html", {"case": case, "form": form, "title": title, "back": back}, status=status
    )


def move(request: HttpRequest, reference: UUID) -> HttpResponse:
    user: Any = request.user
    return _case_form(
        request,
        reference,
        action=Capability.MOVE,
        title="Move the case",
        make_form=lambda case, data: MoveForm(data, stages=stages.manual_stages(case)),
        save=lambda case, d: stages.move_case(case=case, actor=user, to=Stage(d["to"]), reason=d["reason"]),
        done="The case has moved.",
    )


def screen(request: HttpRequest, reference: UUID) -> HttpResponse:
    user: Any = request.user
    return _case_form(
        request,
        reference,
        action=Capability.SCREEN,
        title="Record the police screening decision",
        make_form=lambda case, data: MoveForm(data, stages=stages.manual_stages(case)),
        save=lambda case, d: stages.move_case(case=case, actor=user, to=Stage(d["to"]), reason=d["reason"]),
        done="The screening decision is recorded.",
    )


def add_note(request: HttpRequest, reference: UUID) -> HttpResponse:
    user: Any = request.user
    return _case_form(
        request,
        reference,
        action=Capability.ADD_NOTE,
        title="Add a note",
        make_form=lambda case, data: NoteForm(data),
        save=lambda case, d: casework.add_note(
            case=case, actor=user, text=d["text"], visibility=d["visibility"], shared_with=d["shared_with"]
        ),
        done="Note added.",
        back="cases:chronology",
    )


def add_assessment(request: HttpRequest, reference: UUID) -> HttpResponse:
    user: Any = request.user
    return _case_form(
        request,
        reference,
        action=Capability.ASSESS,
        title="Add a vulnerability assessment",
        make_form=lambda case, data: AssessmentForm(data),
        save=lambda case, d: casework.add_assessment(
            case=case,
            actor=user,
            ratings=_ratings(d),
            summary=d["summary"],
            management_plan=d["management_plan"],
            visibility=d["visibility"],
            shared_with=d["shared_with"],
        ),
        done="Assessment added.",
        back="cases:assessment",
    )


def _ratings(data: dict[str, Any]) -> dict[str, tuple[int, str]]:
    return {
        name.removeprefix("rating_"): (value, data[f"evidence_{name.removeprefix('rating_')}"])
        for name, value in data.items()
        if name.startswith("rating_")
    }


def consent(request: HttpRequest, reference: UUID) -> HttpResponse:
    user: Any = request.user
    return _case_form(
        request,
        reference,
        action=Capability.CONSENT,
        title="Record consent",
        make_form=lambda case, data: ConsentForm(data),
        save=lambda case, d: casework.record_consent(
            case=case,
            actor=user,
            status=d["status"],
            given_by=d["given_by"],
            method=d["method"],
            on=d["on"],
            reassessment_on=d["reassessment_on"],
        ),
        done="Consent recorded.",
        back="cases:plan",
    )


def decide(request: HttpRequest, reference: UUID) -> HttpResponse:
    """Decisions are taken at a panel meeting, where attendance is recorded: open the case's undecided
    item on an agenda the user can run, or say how to get the case onto one."""
    case = access_case(request.user, reference, action=Capability.DECIDE)
    item = (
        case.agenda_items.filter(meeting__in=visible_meetings(request.user), decision__isnull=True)
        .exclude(meeting__status=MeetingStatus.APPROVED)
        .select_related("meeting")
        .order_by("meeting__held_on")
        .first()
    )
    if item is not None:
        return redirect("cases:meeting_item", meeting=item.meeting.reference, item=item.reference)
    return render(request, "cases/decide.html", {"case": case})


def add_support(request: HttpRequest, reference: UUID) -> HttpResponse:
    user: Any = request.user
    return _case_form(
        request,
        reference,
        action=Capability.PLAN,
        title="Add support to the plan",
        make_form=lambda case, data: SupportElementForm(data),
        save=lambda case, d: casework.add_support_element(case=case, actor=user, **d),
        done="Support added to the plan.",
        back="cases:plan",
    )


def add_action(request: HttpRequest, reference: UUID) -> HttpResponse:
    user: Any = request.user
    return _case_form(
        request,
        reference,
        action=Capability.PLAN,
        title="Add an action",
        make_form=lambda case, data: ActionForm(data),
        save=lambda case, d: casework.add_action(case=case, actor=user, **d),
        done="Action added.",
        back="cases:actions",
    )


def schedule_review(request: HttpRequest, reference: UUID) -> HttpResponse:
    user: Any = request.user
    return _case_form(
        request,
        reference,
        action=Capability.PLAN,
        title="Schedule a review",
        make_form=lambda case, data: ScheduleReviewForm(data),
        save=lambda case, d: casework.schedule_review(case=case, actor=user, due_on=d["due_on"]),
        done="Review scheduled.",
        back="cases:reviews",
    )


def complete_review(request: HttpRequest, reference: UUID, review: UUID) -> HttpResponse:
    user: Any = request.user

    def make_form(case: Case, data: Any) -> Form:
        if not case.reviews.filter(reference=review, completed_on__isnull=True).exists():
            raise Http404("No such review")
        return ReviewOutcomeForm(data)

    return _case_form(
        request,
        reference,
        action=Capability.PLAN,
        title="Complete the review",
        make_form=make_form,
        save=lambda case, d: casework.complete_review(
            review=case.reviews.get(reference=review), actor=user, outcome=d["outcome"]
        ),
        done="Review completed.",
        back="cases:reviews",
    )


@require_POST
def complete_action(request: HttpRequest, reference: UUID, action: UUID) -> HttpResponse:
    case = access_case(request.user, reference, action=Capability.PLAN)
    item = case.actions.filter(reference=action).first()
    if item is None:
        raise Http404("No such action")
    try:
        casework.complete_action(action=item, actor=request.user)  # type: ignore[arg-type]
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "Action marked as done.")
    return redirect("cases:actions", reference=case.reference)
