from __future__ import annotations

from django.urls import path

from audit import views

app_name = "audit"
urlpatterns = [
    path("", views.search, name="search"),
    path("flagged/", views.flagged, name="flagged"),
    path("flagged/<int:entry_id>/", views.review_flagged, name="review_flagged"),
]
