from __future__ import annotations

from django.urls import include, path

from cases import meeting_views, views
from sharing import views as sharing_views

app_name = "cases"

case_urls = [
    path("", views.detail, name="detail"),
    path("chronology/", views.chronology, name="chronology"),
    path("assessment/", views.assessment, name="assessment"),
    path("plan/", views.plan, name="plan"),
    path("actions/", views.actions, name="actions"),
    path("reviews/", views.reviews, name="reviews"),
    path("access/", views.access_history, name="access"),
    path("sharing/", views.sharing, name="sharing"),
    path("sharing/new/", sharing_views.grant, name="grant"),
    path("sharing/<uuid:grant_reference>/revoke/", sharing_views.revoke, name="revoke"),
    path("sharing/<uuid:grant_reference>/extend/", sharing_views.extend, name="extend"),
    path("move/", views.move, name="move"),
    path("screen/", views.screen, name="screen"),
    path("notes/new/", views.add_note, name="add_note"),
    path("assessment/new/", views.add_assessment, name="add_assessment"),
    path("consent/", views.consent, name="consent"),
    path("decision/", views.decide, name="decide"),
    path("plan/new/", views.add_support, name="add_support"),
    path("actions/new/", views.add_action, name="add_action"),
    path("actions/<uuid:action>/done/", views.complete_action, name="complete_action"),
    path("reviews/new/", views.schedule_review, name="schedule_review"),
    path("reviews/<uuid:review>/done/", views.complete_review, name="complete_review"),
]

meeting_urls = [
    path("", meeting_views.meeting_detail, name="meeting"),
    path("agenda/", meeting_views.build_agenda, name="build_agenda"),
    path("agenda/<uuid:item>/remove/", meeting_views.remove_item, name="remove_item"),
    path("invite/", meeting_views.invite, name="invite"),
    path("circulate/", meeting_views.circulate, name="circulate"),
    path("attendance/", meeting_views.attendance, name="attendance"),
    path("items/<uuid:item>/", meeting_views.meeting_item, name="meeting_item"),
    path("items/<uuid:item>/decision/", meeting_views.record_decision, name="meeting_decision"),
    path("items/<uuid:item>/actions/", meeting_views.add_item_action, name="meeting_action"),
    path("items/<uuid:item>/discussion/", meeting_views.record_discussion, name="meeting_discussion"),
    path("minutes/", meeting_views.minutes, name="minutes"),
    path("minutes/approve/", meeting_views.approve_minutes, name="approve_minutes"),
    path("minutes.pdf", meeting_views.minutes_pdf, name="minutes_pdf"),
]

urlpatterns = [
    path("", views.case_list, name="list"),
    path("new/", views.new_referral, name="new"),
    path("dashboard/", meeting_views.dashboard, name="dashboard"),
    path("meetings/", meeting_views.meeting_list, name="meetings"),
    path("meetings/new/", meeting_views.new_meeting, name="new_meeting"),
    path("meetings/<uuid:meeting>/", include(meeting_urls)),
    path("<uuid:reference>/", include(case_urls)),
]
