"""The chair's dashboard and panel meetings: agenda, invitations, meeting mode, minutes.

Meetings are reached through sharing.access.access_meeting (minutes through access_minutes) and cases
through access_case, which record each access; lists and the dashboard record which references they
showed, and the agenda and minutes write an entry for each case they show, so it is in that case's access
history. Shape: access, form, service, redirect.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.views.decorators.http import require_POST

from audit import services as audit
from cases import dashboard as figures
from cases.forms import (
    ActionForm,
    AgendaForm,
    AttendanceForm,
    DecisionForm,
    DiscussionForm,
    InvitationForm,
    MeetingForm,
)
from cases.models import (
    ActionStatus,
    AgendaItem,
    Case,
    Decision,
    DecisionOutcome,
    HowReached,
    MeetingStatus,
    PanelMeeting,
)
from cases.services import casework, decisions, meetings
from lib.pdf import render_pdf
from sharing.access import (
    Capability,
    access_case,
    access_meeting,
    access_minutes,
    can_do,
    can_meeting,
    minutes_copies,
    require,
    visible_agenda,
    visible_assessments,
    visible_cases,
    visible_meetings,
)


def _actor(request: HttpRequest) -> Any:
    """The signed-in user, for services (LoginRequiredMiddleware has made sure there is one)."""
    return request.user


def dashboard(request: HttpRequest) -> HttpResponse:
    """Stages, referrals by month and concern, overdue work and the next meeting: every figure counts only
    the cases the viewer may see, and links to the case list filtered the same way."""
    require(request.user, Capability.VIEW_DASHBOARD)
    cases = visible_cases(request.user)
    context = figures.figures(cases=cases, full=visible_cases(request.user, action=Capability.VIEW_FULL))
    meeting = (
        visible_meetings(request.user)
        .upcoming()
        .filter(held_on__gte=timezone.localdate())
        .select_related("chair")
        .first()
    )
    agenda = list(visible_agenda(request.user, meeting)) if meeting else []
    shown = [item.case.number for item in agenda] + [a.case.number for a in context["overdue_actions"]]
    audit.record_list(actor=_actor(request), event="dashboard.viewed", model=Case, references=shown, filters={})
    return render(request, "cases/dashboard.html", {**context, "meeting": meeting, "agenda": agenda})


def meeting_list(request: HttpRequest) -> HttpResponse:
    require(request.user, Capability.VIEW_MEETING)
    found = list(visible_meetings(request.user).select_related("chair").order_by("-held_on", "-starts_at"))
    audit.record_list(
        actor=_actor(request),
        event="meeting.listed",
        model=PanelMeeting,
        references=[str(m.reference) for m in found],
        filters={},
    )
    return render(
        request,
        "cases/meetings.html",
        {
            "upcoming": [m for m in found if not m.is_locked],
            "past": [m for m in found if m.is_locked],
            "can_organise": can_do(request.user, Capability.ORGANISE_MEETING),
        },
    )


def new_meeting(request: HttpRequest) -> HttpResponse:
    require(request.user, Capability.ORGANISE_MEETING)
    user: Any = request.user
    form = MeetingForm(request.POST or None, agency=user.agency)
    if request.method == "POST" and form.is_valid():
        try:
            meeting = meetings.create_meeting(actor=user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Meeting planned. Now build its agenda.")
            return redirect("cases:meeting", meeting=meeting.reference)
    status = 400 if request.method == "POST" else 200
    return render(request, "cases/meeting_form.html", {"form": form, "title": "Plan a panel meeting"}, status=status)


def meeting_detail(request: HttpRequest, meeting: UUID) -> HttpResponse:
    found = access_meeting(request.user, meeting)
    user = request.user
    items = list(visible_agenda(user, found).select_related("decision"))
    organiser = can_meeting(user, found, Capability.ORGANISE_MEETING)
    _record_cases_shown(request, found, items, event="meeting.agenda_viewed")
    return render(
        request,
        "cases/meeting.html",
        {
            "meeting": found,
            "items": items,
            "hidden_items": found.items.count() - len(items),
            "invitations": list(
                found.invitations.select_related("agency", "user__agency").prefetch_related("items__case")
            )
            if organiser
            else [],
            "attendance": list(found.attendance.select_related("user__agency")),
            "can_organise": organiser and not found.is_locked,
            "can_chair": can_meeting(user, found, Capability.CHAIR_MEETING) and not found.is_locked,
        },
    )


def _record_cases_shown(request: HttpRequest, found: PanelMeeting, items: list[AgendaItem], *, event: str) -> None:
    """One entry per case shown, carrying its case reference: a case's access history is its entries by
    case reference, so a list entry alone would hide who read its agenda entry or its minutes."""
    for item in items:
        audit.record(
            event=event,
            actor=_actor(request),
            obj=item.case,
            case_reference=item.case.number,
            detail={"meeting": str(found.reference)},
        )


def _meeting_form(
    request: HttpRequest, found: PanelMeeting, form: Form, save: Any, *, title: str, done: str
) -> HttpResponse:
    """One page per meeting change: the form, the service, then back to the meeting."""
    if request.method == "POST" and form.is_valid():
        try:
            save(form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, done)
            return redirect("cases:meeting", meeting=found.reference)
    status = 400 if request.method == "POST" else 200
    return render(request, "cases/meeting_form.html", {"form": form, "title": title, "meeting": found}, status=status)


def build_agenda(request: HttpRequest, meeting: UUID) -> HttpResponse:
    """Cases for the panel, from the dashboard's lists of the viewer's own cases, added to the agenda."""
    found = access_meeting(request.user, meeting, action=Capability.ORGANISE_MEETING)
    groups = meetings.agenda_candidates(cases=visible_cases(request.user, action=Capability.MOVE), meeting=found)
    candidates = {str(case.reference): case for _, listed in groups for case in listed}
    form = AgendaForm(request.POST or None, candidates=list(candidates.values()))
    if request.method == "POST" and form.is_valid():
        chosen = [candidates[key] for key in form.cleaned_data["cases"]]
        try:
            meetings.add_to_agenda(meeting=found, actor=_actor(request), cases=chosen)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"{len(chosen)} case{'s' if len(chosen) != 1 else ''} added to the agenda.")
            return redirect("cases:meeting", meeting=found.reference)
    status = 400 if request.method == "POST" else 200
    return render(request, "cases/agenda_build.html", {"meeting": found, "form": form, "groups": groups}, status=status)


@require_POST
def remove_item(request: HttpRequest, meeting: UUID, item: UUID) -> HttpResponse:
    found = access_meeting(request.user, meeting, action=Capability.ORGANISE_MEETING)
    try:
        meetings.remove_from_agenda(item=_item(found, item), actor=_actor(request))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "Removed from the agenda.")
    return redirect("cases:meeting", meeting=found.reference)


def invite(request: HttpRequest, meeting: UUID) -> HttpResponse:
    found = access_meeting(request.user, meeting, action=Capability.ORGANISE_MEETING)
    form = InvitationForm(request.POST or None, items=found.items.select_related("case__subject"))
    return _meeting_form(
        request,
        found,
        form,
        lambda d: meetings.invite(
            meeting=found, actor=_actor(request), agency=d["agency"], user=d["user"], items=d["items"]
        ),
        title="Invite to the meeting",
        done="Invitation recorded.",
    )


@require_POST
def circulate(request: HttpRequest, meeting: UUID) -> HttpResponse:
    found = access_meeting(request.user, meeting, action=Capability.ORGANISE_MEETING)
    try:
        meetings.circulate_agenda(meeting=found, actor=_actor(request))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "Agenda circulated. Invitees can now see their cases.")
    return redirect("cases:meeting", meeting=found.reference)


def attendance(request: HttpRequest, meeting: UUID) -> HttpResponse:
    found = access_meeting(request.user, meeting, action=Capability.CHAIR_MEETING)
    present = [str(pk) for pk in found.attendance.filter(present=True).values_list("user_id", flat=True)]
    form = AttendanceForm(request.POST or None, people=meetings.expected_attendees(found), initial={"present": present})
    return _meeting_form(
        request,
        found,
        form,
        lambda d: meetings.record_attendance(meeting=found, actor=_actor(request), present=form.present_users()),
        title="Record attendance",
        done="Attendance recorded.",
    )


# --- meeting mode -----------------------------------------------------------------------------------


def _item(found: PanelMeeting, reference: UUID) -> AgendaItem:
    item = found.items.select_related("case__subject").filter(reference=reference).first()
    if item is None:
        raise Http404("No such agenda item")
    return item


def _item_page(request: HttpRequest, found: PanelMeeting, item: AgendaItem, case: Case, **forms: Any) -> HttpResponse:
    """Meeting mode for one agenda item: the case in brief, the quorum, the decision, actions, discussion."""
    user = request.user
    items = list(found.items.values_list("reference", flat=True))
    index = items.index(item.reference)
    decision = Decision.objects.filter(agenda_item=item).select_related("exit_reason").first()
    outcomes = decisions.decisions_available(case)
    assessments = list(visible_assessments(user, case).prefetch_related("factors")[:2])
    context = {
        "meeting": found,
        "item": item,
        "case": case,
        "position": index + 1,
        "count": len(items),
        "previous": items[index - 1] if index else None,
        "next": items[index + 1] if index + 1 < len(items) else None,
        "decision": decision,
        "problems": decisions.quorum_problems(meeting=found, case=case) if decision is None and outcomes else [],
        "assessment": assessments[0] if assessments else None,
        "changes": casework.assessment_changes(assessments[0], assessments[1] if len(assessments) > 1 else None)
        if assessments
        else [],
        "open_actions": list(
            case.actions.filter(status=ActionStatus.OPEN).select_related("owner_agency", "owner_user")
        ),
        "item_actions": list(item.actions.select_related("owner_agency", "owner_user")),
        "decision_form": forms.get("decision_form")
        or (DecisionForm(outcomes=outcomes) if outcomes and decision is None else None),
        "action_form": forms.get("action_form") or ActionForm(),
        "discussion_form": forms.get("discussion_form") or DiscussionForm(initial={"discussion": item.discussion}),
        "locked": found.is_locked,
    }
    status = 400 if forms else 200
    return render(request, "cases/meeting_item.html", context, status=status)


def _chair_item(request: HttpRequest, meeting: UUID, item: UUID) -> tuple[PanelMeeting, AgendaItem, Case]:
    found = access_meeting(request.user, meeting, action=Capability.CHAIR_MEETING)
    agenda_item = _item(found, item)
    case = access_case(request.user, agenda_item.case.reference, action=Capability.DECIDE, purpose="panel meeting")
    return found, agenda_item, case


def meeting_item(request: HttpRequest, meeting: UUID, item: UUID) -> HttpResponse:
    found, agenda_item, case = _chair_item(request, meeting, item)
    return _item_page(request, found, agenda_item, case)


def _saved(request: HttpRequest, found: PanelMeeting, item: AgendaItem, done: str) -> HttpResponse:
    messages.success(request, done)
    return redirect("cases:meeting_item", meeting=found.reference, item=item.reference)


@require_POST
def record_decision(request: HttpRequest, meeting: UUID, item: UUID) -> HttpResponse:
    found, agenda_item, case = _chair_item(request, meeting, item)
    form = DecisionForm(request.POST, outcomes=decisions.decisions_available(case))
    if form.is_valid():
        d = form.cleaned_data
        try:
            decisions.record_decision(
                case=case,
                actor=_actor(request),
                agenda_item=agenda_item,
                outcome=DecisionOutcome(d["outcome"]),
                how_reached=HowReached(d["how_reached"]),
                rationale=d["rationale"],
                votes_for=d["votes_for"],
                votes_against=d["votes_against"],
                health_or_social_care_referral={"yes": True, "no": False}.get(d["health_or_social_care_referral"]),
                exit_reason=d["exit_reason"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return _saved(request, found, agenda_item, "Decision recorded.")
    return _item_page(request, found, agenda_item, case, decision_form=form)


@require_POST
def add_item_action(request: HttpRequest, meeting: UUID, item: UUID) -> HttpResponse:
    found, agenda_item, case = _chair_item(request, meeting, item)
    form = ActionForm(request.POST)
    if form.is_valid():
        try:
            casework.add_action(case=case, actor=_actor(request), agenda_item=agenda_item, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return _saved(request, found, agenda_item, "Action added.")
    return _item_page(request, found, agenda_item, case, action_form=form)


@require_POST
def record_discussion(request: HttpRequest, meeting: UUID, item: UUID) -> HttpResponse:
    found, agenda_item, case = _chair_item(request, meeting, item)
    form = DiscussionForm(request.POST)
    if form.is_valid():
        try:
            meetings.record_discussion(
                item=agenda_item, actor=_actor(request), discussion=form.cleaned_data["discussion"]
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return _saved(request, found, agenda_item, "Discussion recorded.")
    return _item_page(request, found, agenda_item, case, discussion_form=form)


# --- minutes ----------------------------------------------------------------------------------------


def _minutes_context(request: HttpRequest, found: PanelMeeting) -> dict[str, Any]:
    """The minutes as this reader may see them: attendance, and the agenda cases they may see in full."""
    items = list(
        visible_agenda(request.user, found, action=Capability.VIEW_FULL)
        .select_related("decision__exit_reason")
        .prefetch_related("actions__owner_agency", "actions__owner_user")
    )
    return {
        "meeting": found,
        "items": items,
        "attendance": list(found.attendance.select_related("user__agency")),
        "approved": found.status == MeetingStatus.APPROVED,
    }


def minutes(request: HttpRequest, meeting: UUID) -> HttpResponse:
    found = access_minutes(request.user, meeting)
    chair = can_meeting(request.user, found, Capability.CHAIR_MEETING)
    context = _minutes_context(request, found)
    _record_cases_shown(request, found, context["items"], event="meeting.minutes_viewed")
    return render(request, "cases/minutes.html", {**context, "can_approve": chair and not found.is_locked})


@require_POST
def approve_minutes(request: HttpRequest, meeting: UUID) -> HttpResponse:
    found = access_meeting(request.user, meeting, action=Capability.CHAIR_MEETING)
    try:
        meetings.approve_minutes(
            meeting=found,
            actor=_actor(request),
            copies=minutes_copies(found, meetings.present_attendees(found)),
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("cases:minutes", meeting=found.reference)
    messages.success(request, "Minutes approved and locked. Each attendee can download their copy.")
    return redirect("cases:minutes", meeting=found.reference)


def minutes_pdf(request: HttpRequest, meeting: UUID) -> HttpResponse:
    """This reader's copy of the approved minutes: only the cases they may see. Audited with the cases
    it contains, and in each of those cases' access history."""
    found = access_minutes(request.user, meeting, copy=True)
    context = _minutes_context(request, found)
    audit.record(
        event="meeting.minutes_exported",
        actor=_actor(request),
        obj=found,
        detail={"cases": [item.case.number for item in context["items"]]},
    )
    _record_cases_shown(request, found, context["items"], event="meeting.minutes_downloaded")
    html = render_to_string("pdf/minutes.html", {**context, "reader": request.user})
    response = HttpResponse(render_pdf(html), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="minutes-{found.held_on:%Y-%m-%d}.pdf"'
    return response
