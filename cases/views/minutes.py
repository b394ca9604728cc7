"""The minutes of a panel meeting: read on screen, approved (and so locked) by the chair, and downloaded
by each attendee as their own PDF copy. Minutes are reached through sharing.access.access_minutes, and
each case shown writes an entry in that case's access history."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.views.decorators.http import require_POST

from audit import services as audit
from cases.models import MeetingStatus, PanelMeeting
from cases.services import meetings
from cases.views.meetings import record_cases_shown
from lib.pdf import render_pdf
from lib.views import refusal_shown_as_message
from partners.http import AuthenticatedHttpRequest
from partners.models import User
from sharing.access import Capability, access_meeting, access_minutes, can_meeting, minutes_copies, visible_agenda


def _minutes_context(reader: User, found: PanelMeeting) -> dict[str, Any]:
    """The minutes as this reader may see them: attendance, and the agenda cases they may see in full."""
    items = list(
        visible_agenda(reader, found, action=Capability.VIEW_FULL)
        .select_related("decision__exit_reason")
        .prefetch_related("actions__owner_agency", "actions__owner_user")
    )
    return {
        "meeting": found,
        "items": items,
        "attendance": list(found.attendance.select_related("user__agency")),
        "approved": found.status == MeetingStatus.APPROVED,
    }


def minutes(request: AuthenticatedHttpRequest, meeting: UUID) -> HttpResponse:
    found = access_minutes(request.user, meeting)
    chair = can_meeting(request.user, found, Capability.CHAIR_MEETING)
    context = _minutes_context(request.user, found)
    record_cases_shown(request.user, found, context["items"], event="meeting.minutes_viewed")
    # Approval is offered only when it would succeed; otherwise the chair reads why not.
    problems = meetings.approval_problems(found) if chair and not found.is_locked else []
    return render(
        request,
        "cases/minutes.html",
        {**context, "can_approve": chair and not found.is_locked and not problems, "approval_problems": problems},
    )


@require_POST
def approve_minutes(request: AuthenticatedHttpRequest, meeting: UUID) -> HttpResponse:
    found = access_meeting(request.user, meeting, action=Capability.CHAIR_MEETING)
    with refusal_shown_as_message(request):
        copies = minutes_copies(found, meetings.present_attendees(found))
        meetings.approve_minutes(meeting=found, actor=request.user, copies=copies)
        messages.success(request, "Minutes approved and locked. Each attendee can download their copy.")
    return redirect("cases:minutes", meeting=found.reference)


def minutes_pdf(request: AuthenticatedHttpRequest, meeting: UUID) -> HttpResponse:
    """This reader's copy of the approved minutes: only the cases they may see. Audited with the cases
    it contains, and in each of those cases' access history."""
    found = access_minutes(request.user, meeting, copy=True)
    context = _minutes_context(request.user, found)
    audit.record(
        event="meeting.minutes_exported",
        actor=request.user,
        obj=found,
        detail={"cases": [item.case.number for item in context["items"]]},
    )
    record_cases_shown(request.user, found, context["items"], event="meeting.minutes_downloaded")
    html = render_to_string("pdf/minutes.html", {**context, "reader": request.user})
    response = HttpResponse(render_pdf(html), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="minutes-{found.held_on:%Y-%m-%d}.pdf"'
    return response
