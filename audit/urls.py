from __future__ import annotations

from django.urls import path

from audit import views

app_name = "audit"
urlpatterns = [
    path("", views.search, name="search"),
    path("flagged/", views.flagged, name="flagged"),
    path("flagged/<int:entry_id>/", views.review_flagged, name="review_flagged"),
    path("exports/", views.export_list, name="exports"),
    path("exports/new/", views.new_export, name="new_export"),
    path("exports/case-report/", views.new_case_report, name="new_case_report"),
    path("exports/case-report/<uuid:reference>/", views.case_report, name="case_report"),
    path("exports/<uuid:reference>/", views.export_detail, name="export"),
    path("exports/<uuid:reference>/download.<str:fmt>", views.export_download, name="export_download"),
]
