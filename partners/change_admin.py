"""The admin's list of access change requests, and the page where a second administrator decides one (or
the administrator who asked withdraws it). Registered in partners/admin.py."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import URLPattern, path, reverse
from django.views.decorators.http import require_POST

from audit import services as audit
from partners import changes
from partners.models import AccessChangeRequest, User
from sharing.access import Capability, can_do, require


def change_summary(change: AccessChangeRequest) -> str:
    """The change in one line of words, e.g. "Role: Panel member → Panel chair"."""
    return "; ".join(f"{row['field']}: {row['before']} → {row['after']}" for row in changes.described(change))


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", "Approve"), ("reject", "Reject"), ("withdraw", "Withdraw")])
    reason = forms.CharField(required=False, max_length=2000)


class AccessChangeRequestAdmin(admin.ModelAdmin):
    list_display = ["requested_at", "target", "summary", "status", "requested_by", "decided_by"]
    list_filter = ["status"]
    fields = readonly_fields = (
        "target",
        "summary",
        "reason",
        "status",
        "requested_by",
        "requested_at",
        "decided_by",
        "decided_at",
        "decision_reason",
    )
    change_form_template = "admin/partners/accesschangerequest/change_form.html"

    # Read-only: requests are made by saving a user or an agency, and decided on their own page.
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return can_do(request.user, Capability.ADMINISTER)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return can_do(request.user, Capability.ADMINISTER)

    @admin.display(description="Account or agency")
    def target(self, obj: AccessChangeRequest) -> str:
        return f"User {obj.user.username}" if obj.user else f"Agency {obj.agency}"

    @admin.display(description="Change")
    def summary(self, obj: AccessChangeRequest) -> str:
        return change_summary(obj)

    def get_urls(self) -> list[URLPattern]:
        decide = path(
            "<int:pk>/decide/",
            self.admin_site.admin_view(self.decide_view),
            name="partners_accesschangerequest_decide",
        )
        return [decide, *super().get_urls()]

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        change = AccessChangeRequest.objects.filter(pk=object_id).first() if object_id.isdigit() else None
        context = dict(extra_context or {})
        if change is not None and change.is_pending:
            actor: User = request.user  # type: ignore[assignment]
            try:
                changes.refuse_own_decision(actor=actor, change=change)
                context["can_decide"] = can_do(actor, Capability.DECIDE_ACCESS_CHANGE)
            except ValidationError as error:
                context["why_not"] = " ".join(error.messages)
            context["can_withdraw"] = change.requested_by_id == actor.pk
            context["decide_url"] = reverse("admin:partners_accesschangerequest_decide", args=[change.pk])
        return super().change_view(request, object_id, form_url, context)

    def decide_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        return _decide(request, pk)


DONE = {"approve": "approved and applied", "reject": "rejected", "withdraw": "withdrawn"}


@require_POST
def _decide(request: HttpRequest, pk: int) -> HttpResponse:
    """Approve or reject (a second administrator), or withdraw (whoever asked); a refusal is shown as a
    message on the request's page."""
    actor: User = request.user  # type: ignore[assignment]
    require(actor, Capability.ADMINISTER)
    change = get_object_or_404(AccessChangeRequest, pk=pk)
    form = DecisionForm(request.POST)
    back = redirect("admin:partners_accesschangerequest_change", change.pk)
    if not form.is_valid():
        messages.error(request, "Choose approve, reject or withdraw.")
        return back
    decision, reason = form.cleaned_data["decision"], form.cleaned_data["reason"]
    if decision != "withdraw":
        require(actor, Capability.DECIDE_ACCESS_CHANGE)
    action = {"approve": changes.approve_change, "reject": changes.reject_change}.get(decision, changes.withdraw_change)
    try:
        action(actor=actor, change=change, reason=reason)
    except ValidationError as error:
        # A refused decision (one's own change, already decided, values moved on) is recorded too.
        audit.record_denied(
            actor=actor,
            event=f"account.change_{decision}_refused",
            obj=change.user or change.agency,
            reason=" ".join(error.messages),
            is_flagged=True,
        )
        messages.error(request, " ".join(error.messages))
        return back
    messages.success(request, f"The change has been {DONE[decision]}.")
    return back
