from __future__ import annotations

from django.urls import path

from sharing import views

app_name = "sharing"
urlpatterns = [
    path("requests/", views.requests, name="requests"),
    path("requests/<uuid:reference>/", views.answer, name="answer"),
    path("break-glass/", views.break_glass, name="break_glass"),
    path("queue/<slug:key>/", views.queue, name="queue"),
]
