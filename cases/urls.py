from __future__ import annotations

from django.urls import include, path

from cases.views import (
    areas,
    case_list,
    case_page,
    casework,
    dashboard,
    drafts,
    meeting_mode,
    meetings,
    minutes,
    referrals,
)
from sharing import views as sharing_views

app_name = "cases"

case_urls = [
    path("", case_page.detail, name="detail"),
    path("logged/", referrals.referral_logged, name="referral_logged"),
    path("chronology/", case_page.chronology, name="chronology"),
    path("assessment/", case_page.assessment, name="assessment"),
    path("plan/", case_page.plan, name="plan"),
    path("actions/", case_page.actions, name="actions"),
    path("reviews/", case_page.reviews, name="reviews"),
    path("access/", case_page.access_history, name="access"),
    path("sharing/", case_page.sharing, name="sharing"),
    path("sharing/new/", sharing_views.grant, name="grant"),
    path("sharing/<uuid:grant_reference>/revoke/", sharing_views.revoke, name="revoke"),
    path("sharing/<uuid:grant_reference>/extend/", sharing_views.extend, name="extend"),
    path("address/", areas.change_address, name="change_address"),
    path("area/", areas.override_area, name="override_area"),
    path("move/", casework.move, name="move"),
    path("screen/", casework.screen, name="screen"),
    path("notes/new/", casework.add_note, name="add_note"),
    path("assessment/new/", casework.add_assessment, name="add_assessment"),
    path("consent/", casework.consent, name="consent"),
    path("decision/", casework.decide, name="decide"),
    path("plan/new/", casework.add_support, name="add_support"),
    path("actions/new/", casework.add_action, name="add_action"),
    path("actions/<uuid:action>/done/", casework.complete_action, name="complete_action"),
    path("reviews/new/", casework.schedule_review, name="schedule_review"),
    path("reviews/<uuid:review>/done/", casework.complete_review, name="complete_review"),
]

meeting_urls = [
    path("", meetings.meeting_detail, name="meeting"),
    path("agenda/", meetings.build_agenda, name="build_agenda"),
    path("agenda/<uuid:item>/remove/", meetings.remove_item, name="remove_item"),
    path("invite/", meetings.invite, name="invite"),
    path("circulate/", meetings.circulate, name="circulate"),
    path("attendance/", meetings.attendance, name="attendance"),
    path("items/<uuid:item>/", meeting_mode.meeting_item, name="meeting_item"),
    path("items/<uuid:item>/decision/", meeting_mode.record_decision, name="meeting_decision"),
    path("items/<uuid:item>/actions/", meeting_mode.add_item_action, name="meeting_action"),
    path("items/<uuid:item>/discussion/", meeting_mode.record_discussion, name="meeting_discussion"),
    path("minutes/", minutes.minutes, name="minutes"),
    path("minutes/approve/", minutes.approve_minutes, name="approve_minutes"),
    path("minutes.pdf", minutes.minutes_pdf, name="minutes_pdf"),
]

urlpatterns = [
    path("", case_list.case_list, name="list"),
    path("new/", referrals.new_referral, name="new"),
    path("new/draft/", drafts.save_draft, name="save_draft"),
    path("drafts/<uuid:reference>/discard/", drafts.discard_draft, name="discard_draft"),
    path("dashboard/", dashboard.dashboard, name="dashboard"),
    path("dashboard/overdue-actions/", dashboard.overdue_actions, name="overdue_actions"),
    path("meetings/", meetings.meeting_list, name="meetings"),
    path("meetings/new/", meetings.new_meeting, name="new_meeting"),
    path("meetings/<uuid:meeting>/", include(meeting_urls)),
    path("<uuid:reference>/", include(case_urls)),
]
