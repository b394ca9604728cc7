"""The case list: the cases the viewer may see, searched and filtered (the dashboard's figures link here
with the same filters). Records which references each page showed, and the search terms."""

from __future__ import annotations

from django.conf import settings
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render

from audit import services as audit
from cases.forms.case_list import CaseFilterForm
from cases.models import Case, CaseQuerySet
from partners.http import AuthenticatedHttpRequest
from partners.models import User
from sharing.access import Capability, can_do, visible_cases

PAGE_SIZE = 25


def case_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Cases the user can see, filtered and searched; records the references shown and the terms."""
    form = CaseFilterForm(request.GET or None)
    # Filters that cannot be read show the error summary and no cases, never the unfiltered list.
    valid = form.is_valid() if form.is_bound else True
    filters = form.cleaned_data if form.is_bound and valid else {}
    cases = visible_cases(request.user)
    cases = cases if valid else cases.none()
    cases = cases.search(filters.get("q", ""))
    if filters.get("stage"):
        cases = cases.filter(stage=filters["stage"])
    if filters.get("concern_type"):
        cases = cases.filter(referral__concern_type=filters["concern_type"])
    if filters.get("overdue"):
        # Only cases whose actions the user may see, or the filter would reveal them.
        cases = cases.filter(pk__in=visible_cases(request.user, action=Capability.VIEW_FULL).with_overdue_actions())
    if filters.get("flag"):
        cases = _flagged(request.user, cases, filters["flag"])
    if filters.get("received"):
        cases = cases.received_in(filters["received"])
    # The page is chosen among ids, and only its 25 cases are joined to their subject and concern (in
    # the same statement): joining every visible case before sorting costs tens of milliseconds for a
    # user who sees thousands (docs/benchmarks.md).
    page = Paginator(cases.values("pk"), PAGE_SIZE).get_page(request.GET.get("page"))
    shown = list(cases.page_rows(page.object_list))
    # The search box is free text (a subject's name or date of birth): the entry holds only its keyed
    # digest and the text is kept beside the log for a while (audit.texts). The rest are choices.
    terms = {k: (f"{v:%Y-%m}" if k == "received" else str(v)) for k, v in filters.items() if v and k != "q"}
    audit.record_list(
        actor=request.user,
        event="case.listed",
        model=Case,
        references=[c.number for c in shown],
        filters=terms,
        typed={"q": filters.get("q", "")},
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "cases/list.html",
        {
            "form": form,
            "page": page,
            "cases": shown,
            "query": query.urlencode(),
            "can_refer": can_do(request.user, Capability.CREATE_REFERRAL),
        },
        status=200 if valid else 400,
    )


def _flagged(user: User, cases: CaseQuerySet, flag: str) -> CaseQuerySet:
    """The dashboard's figures as filters; reviews and stalled support (a support element with no session
    for STALLED_SUPPORT_DAYS) only on cases the user may see in full, as on the dashboard."""
    full = visible_cases(user, action=Capability.VIEW_FULL)
    if flag == "screening":
        return cases.awaiting_screening(days=settings.SCREENING_WAIT_DAYS)
    if flag in ("reviews_due", "reviews_overdue"):
        return cases.filter(pk__in=full.with_open_reviews(overdue=flag == "reviews_overdue").values("pk"))
    if flag == "stalled":
        return cases.filter(pk__in=full.stalled(days=settings.STALLED_SUPPORT_DAYS).values("pk"))
    return cases.repeats()
