from __future__ import annotations

from django.urls import include, path

from cases import views
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

urlpatterns = [
    path("", views.case_list, name="list"),
    path("new/", views.new_referral, name="new"),
    path("<uuid:reference>/", include(case_urls)),
]
