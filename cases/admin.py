"""The admin keeps the postcode district table (cases.models.PostcodeArea), reference data like agencies:
never case content. A row is never deleted, because subjects' areas were derived from it: when a
district moves to another area, end-date its row and add a new one (or load a newer directory with
`manage.py load_postcode_areas`). Adds and changes are audited with their values (area names and ONS
codes are not personal data), as agencies are (cases/apps.py)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from cases.models import PostcodeArea


@admin.register(PostcodeArea)
class PostcodeAreaAdmin(admin.ModelAdmin):
    list_display = ["district", "local_authority_area", "police_force_area", "effective_from", "effective_to"]
    list_filter = ["local_authority_area", "police_force_area"]
    search_fields = ["district", "local_authority_area", "police_force_area"]
    fields = [
        "district",
        "local_authority_area",
        "local_authority_code",
        "police_force_area",
        "police_force_code",
        "effective_from",
        "effective_to",
    ]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
