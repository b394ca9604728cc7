"""The chair's dashboard: stages, referrals by month and concern, overdue work and the next meeting.
Every figure counts only the cases the viewer may see (cases.dashboard computes them), and links to the
case list filtered the same way."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone

from audit import services as audit
from cases import dashboard as figures
from cases.models import Case
from partners.http import AuthenticatedHttpRequest
from sharing.access import Capability, require, visible_agenda, visible_cases, visible_meetings

# Overdue actions a page: the dashboard shows the ten most overdue, this list all of them.
PAGE_SIZE = 50


def dashboard(request: AuthenticatedHttpRequest) -> HttpResponse:
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
    audit.record_list(actor=request.user, event="dashboard.viewed", model=Case, references=shown, filters={})
    return render(request, "cases/dashboard.html", {**context, "meeting": meeting, "agenda": agenda})


def overdue_actions(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Every overdue action the viewer may see (the dashboard's count opens this list, so the two agree):
    what the action is, its case, its owner by name and agency, and when it was due."""
    require(request.user, Capability.VIEW_DASHBOARD)
    found = figures.overdue(visible_cases(request.user, action=Capability.VIEW_FULL))
    page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
    audit.record_list(
        actor=request.user,
        event="action.overdue_listed",
        model=Case,
        references=[action.case.number for action in page],
        filters={"page": page.number},
    )
    return render(request, "cases/overdue_actions.html", {"page": page, "actions": list(page)})
