"""Referral drafts as pages: the referral form's autosave (and its 'Save as draft' button without
JavaScript), and discarding a draft. Only the author reaches a draft (sharing.drafts)."""

from __future__ import annotations

from uuid import UUID

from django.conf import settings
from django.contrib import messages
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from cases.forms.referrals import draft_fields
from cases.services import drafts
from partners import sessions
from partners.http import AuthenticatedHttpRequest
from sharing.access import Capability, require
from sharing.drafts import access_referral_draft


@require_POST
def save_draft(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Save the referral form as typed. The page's script posts here while someone types (asking for JSON:
    the draft's reference, for the form's next save and its sign-in return address); the 'Save as draft'
    button posts the whole form here and comes back to the draft."""
    require(request.user, Capability.CREATE_REFERRAL)
    reference = request.POST.get("draft", "")
    found = (
        access_referral_draft(request.user, reference, event="referral_draft.saved", record_allowed=False)
        if reference
        else None
    )
    fields = draft_fields(request.POST)
    as_json = "application/json" in request.headers.get("Accept", "")
    if not fields and found is None:
        if as_json:
            return JsonResponse({"reference": None})
        messages.info(request, "There was nothing to save: the form is empty.")
        return redirect("cases:new")
    draft = drafts.save_draft(author=request.user, fields=fields, draft=found)
    address = f"{reverse('cases:new')}?draft={draft.reference}"
    if as_json:
        saved = timezone.localtime(draft.saved_at)
        # Saving is activity (the session limits restarted the idle clock): the page's timeout warning
        # hears how long is left now.
        idle, absolute = sessions.seconds_left(request.session)
        return JsonResponse(
            {
                "reference": str(draft.reference),
                "saved_at": f"{saved:%H:%M}",
                "url": address,
                "session": {"idle_seconds": idle, "absolute_seconds": absolute},
            }
        )
    messages.success(
        request,
        f"Your draft is saved. Only you can see it; it is deleted {settings.REFERRAL_DRAFT_DAYS} days after "
        "you last save it, or when you log the referral.",
    )
    return redirect(address)


def discard_draft(request: AuthenticatedHttpRequest, reference: UUID) -> HttpResponse:
    """GET asks to confirm (nothing is undone once discarded); POST discards."""
    require(request.user, Capability.CREATE_REFERRAL)
    if request.method == "POST":
        draft = access_referral_draft(request.user, reference, event="referral_draft.discarded", record_allowed=False)
        drafts.discard_draft(author=request.user, draft=draft)
        messages.success(request, "The draft was discarded.")
        return redirect("cases:new")
    draft = access_referral_draft(request.user, reference, event="referral_draft.opened")
    return render(request, "cases/discard_draft.html", {"draft": draft})
