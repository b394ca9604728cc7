from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from audit import services as audit
from audit.forms import AuditSearchForm
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
