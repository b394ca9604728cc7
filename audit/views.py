from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from audit import services as audit
from audit.forms import AuditSearchForm, FlagReviewForm
from audit.models import AuditEntry
from sharing.access import Action, require

PAGE_SIZE = 50


def search(request: HttpRequest) -> HttpResponse:
    """Auditors search the log. The search itself is recorded before any entry is shown."""
    require(request.user, Action.SEARCH_AUDIT)
    form = AuditSearchForm(request.GET or None)
    valid = form.is_valid() if form.is_bound else True
    filters = {k: v for k, v in form.cleaned_data.items() if k in form.fields} if form.is_bound and valid else {}
    entries = AuditEntry.objects.matching(**filters).select_related("actor", "actor_agency")
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    shown = list(page.object_list) if valid else []
    audit.record_list(
        actor=request.user,
        event="audit.searched",
        model=AuditEntry,
        references=[str(entry.pk) for entry in shown],
        filters=form.as_filters() if filters else {},
    )
    query = request.GET.copy()
    query.pop("page", None)
    context = {"form": form, "page": page, "entries": shown, "query": query.urlencode()}
    return render(request, "audit/search.html", context, status=200 if valid else 400)


def flagged(request: HttpRequest) -> HttpResponse:
    """The review queue: break-glass accesses, unreviewed first."""
    require(request.user, Action.SEARCH_AUDIT)
    entries = list(
        AuditEntry.objects.filter(is_flagged=True)
        .select_related("actor", "actor_agency", "review__reviewer")
        .order_by("review", "-timestamp")[:200]
    )
    audit.record_list(
        actor=request.user,
        event="audit.flagged_listed",
        model=AuditEntry,
        references=[str(e.pk) for e in entries],
        filters={},
    )
    return render(request, "audit/flagged.html", {"entries": entries})


def review_flagged(request: HttpRequest, entry_id: int) -> HttpResponse:
    require(request.user, Action.SEARCH_AUDIT)
    entry = AuditEntry.objects.filter(pk=entry_id, is_flagged=True).select_related("actor", "actor_agency").first()
    if entry is None:
        raise Http404("No such flagged entry")
    form = FlagReviewForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            audit.review_flagged_entry(
                entry=entry,
                reviewer=request.user,
                justified=form.cleaned_data["justified"] == "yes",
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Review recorded.")
            return redirect("audit:flagged")
    audit.record(event="audit.flag_opened", actor=request.user, obj=entry, case_reference=entry.case_reference)
    return render(
        request, "audit/review_flagged.html", {"entry": entry, "form": form}, status=400 if form.errors else 200
    )
