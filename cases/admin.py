"""The admin keeps the postcode district table (cases.models.PostcodeArea), reference data like agencies:
never case content. A row is never deleted, because subjects' areas were derived from it: when a
district moves to another area, end-date its row and add a new one (or load a newer directory with
`manage.py load_postcode_areas`). Adds and changes are audited with their values (area names and ONS
codes are not personal data), as agencies are (cases/apps.py).

It also keeps each council's Channel panel (cases.models.Panel): its deputy chairs (people of that council
who may chair), review intervals and window, and the local part of the quorum, audited with their values
(deputies by username)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.utils import timezone

from cases.models import Panel, PostcodeArea
from lib.forms import BoundedModelMultipleChoiceField
from partners.models import AgencyKind, User
from sharing.policy import Capability, roles_with


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


class PanelForm(forms.ModelForm):
    quorum_agency_kinds = forms.MultipleChoiceField(
        choices=AgencyKind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Quorum also needs someone present from",
        help_text="On top of the chair (or a deputy) and police for the subject's area (CTSA 2015 s.37(3)).",
    )

    class Meta:
        model = Panel
        # Checkboxes, not the admin's two-box filter widget: its help icons carry ARIA that axe refuses.
        widgets = {"deputy_chairs": forms.CheckboxSelectMultiple}
        # A key too large for the database is an invalid choice, not a server error.
        field_classes = {"deputy_chairs": BoundedModelMultipleChoiceField}
        fields = [
            "council",
            "deputy_chairs",
            "review_interval_weeks",
            "reassessment_after_weeks",
            "review_window_days",
            "quorum_agency_kinds",
            "quorum_minimum_present",
        ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Deputies are people who may chair: of the panel's council once it is chosen (clean checks it).
        chairs = User.objects.filter(role__in=roles_with(Capability.CHAIR_MEETING), is_active=True)
        if self.instance.pk:
            chairs = chairs.filter(agency_id=self.instance.council_id)
        self.fields["deputy_chairs"].queryset = chairs.select_related("agency")  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        council = data.get("council")
        outsiders = [user for user in data.get("deputy_chairs") or [] if council and user.agency_id != council.pk]
        if outsiders:
            self.add_error("deputy_chairs", f"Deputy chairs must be panel chairs of {council}.")
        return data


@admin.register(Panel)
class PanelAdmin(admin.ModelAdmin):
    form = PanelForm
    list_display = ["council", "review_interval_weeks", "quorum_minimum_present"]

    def save_model(self, request: HttpRequest, obj: Panel, form: Any, change: bool) -> None:
        obj.updated_at = timezone.now()
        super().save_model(request, obj, form, change)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
