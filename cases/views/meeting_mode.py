"""Meeting mode: the chair works through the agenda one item at a time, seeing the case in brief and the
quorum, and records the decision, the actions agreed and the discussion. The meeting is reached through
access_meeting (CHAIR_MEETING) and the case through access_case (DECIDE), which record each access."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from cases.forms.casework import ActionForm
from cases.forms.meetings import DecisionForm, DiscussionForm
from cases.models import (
    ActionStatus,
    AgendaItem,
    CareService,
    Case,
    Decision,
    DecisionOutcome,
    HowReached,
    NotAdoptedRoute,
    PanelMeeting,
)
from cases.services import casework, decisions, meetings, reviews, sittings, support
from cases.views.meetings import item_on_agenda
from lib.forms import refusal_shown_on
from partners.http import AuthenticatedHttpRequest
from sharing.access import Capability, access_case, access_meeting, visible_assessments, visible_support_elements


def _item_page(
    request: AuthenticatedHttpRequest, found: PanelMeeting, item: AgendaItem, case: Case, **sent: forms.Form
) -> HttpResponse:
    """Meeting mode for one agenda item: the case in brief, the quorum, the decision, actions, discussion.
    A form sent and refused (`sent`) is shown again with its errors, and the page answers 400."""
    user = request.user
    items = list(found.items.values_list("reference", flat=True))
    index = items.index(item.reference)
    decision = Decision.objects.filter(agenda_item=item).select_related("exit_reason").first()
    outcomes = decisions.decisions_available(case)
    started = sittings.has_started(found)
    problems = decisions.quorum_problems(meeting=found, case=case) if started and decision is None and outcomes else []
    # The decision form is offered only when it can succeed: from the meeting's start, with the quorum.
    offered = bool(outcomes) and decision is None and started and not problems
    assessments = list(visible_assessments(user, case).prefetch_related("factors")[:2])
    elements = visible_support_elements(user, case).with_progress().select_related("support_type", "provider")
    context: dict[str, Any] = {
        "meeting": found,
        "item": item,
        "case": case,
        "position": index + 1,
        "count": len(items),
        "previous": items[index - 1] if index else None,
        "next": items[index + 1] if index + 1 < len(items) else None,
        "decision": decision,
        "problems": problems,
        "decision_needed": bool(outcomes) and decision is None,
        "started": started,
        "starts_in_words": sittings.start_in_words(found),
        "assessment": assessments[0] if assessments else None,
        "changes": casework.assessment_changes(assessments[0], assessments[1] if len(assessments) > 1 else None)
        if assessments
        else [],
        "open_actions": list(
            case.actions.filter(status=ActionStatus.OPEN).select_related("owner_agency", "owner_user")
        ),
        # The plan's progress, element by element, with stalled support called out.
        "progress": support.progress(elements, days=settings.STALLED_SUPPORT_DAYS),
        "item_actions": list(item.actions.select_related("owner_agency", "owner_user")),
        "decision_form": sent.get("decision_form") or (_decision_form(case, outcomes) if offered else None),
        "action_form": sent.get("action_form") or ActionForm(case=case),
        "discussion_form": sent.get("discussion_form") or DiscussionForm(initial={"discussion": item.discussion}),
        "locked": not found.is_open,
    }
    return render(request, "cases/meeting_item.html", context, status=400 if sent else 200)


def _decision_form(case: Case, outcomes: list[DecisionOutcome], data: Any = None) -> DecisionForm:
    return DecisionForm(data, outcomes=outcomes, reassessment_default=reviews.default_reassessment_on(case))


def _chair_item(request: AuthenticatedHttpRequest, meeting: UUID, item: UUID) -> tuple[PanelMeeting, AgendaItem, Case]:
    found = access_meeting(request.user, meeting, action=Capability.CHAIR_MEETING)
    agenda_item = item_on_agenda(found, item)
    case = access_case(request.user, agenda_item.case.reference, action=Capability.DECIDE, purpose="panel meeting")
    return found, agenda_item, case


def meeting_item(request: AuthenticatedHttpRequest, meeting: UUID, item: UUID) -> HttpResponse:
    found, agenda_item, case = _chair_item(request, meeting, item)
    return _item_page(request, found, agenda_item, case)


def _back_to_item(request: AuthenticatedHttpRequest, found: PanelMeeting, item: AgendaItem, done: str) -> HttpResponse:
    messages.success(request, done)
    return redirect("cases:meeting_item", meeting=found.reference, item=item.reference)


@require_POST
def record_decision(request: AuthenticatedHttpRequest, meeting: UUID, item: UUID) -> HttpResponse:
    found, agenda_item, case = _chair_item(request, meeting, item)
    form = _decision_form(case, decisions.decisions_available(case), request.POST)
    if form.is_valid():
        d = form.cleaned_data
        made = {"yes": True, "no": False}.get(d.get("health_or_social_care_referral", ""))
        with refusal_shown_on(form):
            decisions.record_decision(
                case=case,
                actor=request.user,
                agenda_item=agenda_item,
                outcome=DecisionOutcome(d["outcome"]),
                how_reached=HowReached(d["how_reached"]),
                rationale=d["rationale"],
                votes_for=d["votes_for"],
                votes_against=d["votes_against"],
                health_or_social_care_referral=made,
                exit_reason=d["exit_reason"],
                not_adopted_route=NotAdoptedRoute(d["not_adopted_route"]) if d.get("not_adopted_route") else None,
                referral_service=CareService(d["referral_service"]) if d.get("referral_service") else None,
                referral_service_name=d.get("referral_service_name", ""),
                referral_due_on=d.get("referral_due_on"),
                no_referral_reason=d.get("no_referral_reason", ""),
                reassessment_on=d.get("reassessment_on"),
            )
            return _back_to_item(request, found, agenda_item, "Decision recorded.")
    return _item_page(request, found, agenda_item, case, decision_form=form)


@require_POST
def add_item_action(request: AuthenticatedHttpRequest, meeting: UUID, item: UUID) -> HttpResponse:
    found, agenda_item, case = _chair_item(request, meeting, item)
    form = ActionForm(request.POST, case=case)
    if form.is_valid():
        with refusal_shown_on(form):
            casework.add_action(case=case, actor=request.user, agenda_item=agenda_item, **form.cleaned_data)
            return _back_to_item(request, found, agenda_item, "Action added.")
    return _item_page(request, found, agenda_item, case, action_form=form)


@require_POST
def record_discussion(request: AuthenticatedHttpRequest, meeting: UUID, item: UUID) -> HttpResponse:
    found, agenda_item, case = _chair_item(request, meeting, item)
    form = DiscussionForm(request.POST)
    if form.is_valid():
        with refusal_shown_on(form):
            meetings.record_discussion(item=agenda_item, actor=request.user, discussion=form.cleaned_data["discussion"])
            return _back_to_item(request, found, agenda_item, "Discussion recorded.")
    return _item_page(request, found, agenda_item, case, discussion_form=form)
