"""The audit pages: searching the log, reviewing break-glass accesses, and exports (asking for one, its
progress, its files). Who may do each is decided in sharing.access; every page is audited."""

from __future__ import annotations

from urllib.parse import urlencode
from uuid import UUID

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import prefetch_related_objects
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render

from audit import exports, jobs
from audit import services as audit
from audit.documents import kind_of
from audit.forms import AuditSearchForm, CaseReportForm, FlagReviewForm, split_typed
from audit.models import AuditEntry, ExportFile, ExportJob, ExportKind, ExportStatus
from lib.forms import refusal_shown_on
from lib.views import refusal_shown_as_message, render_form
from partners.http import AuthenticatedHttpRequest
from sharing.access import Capability, access_case, access_export, can_do, can_export, require

PAGE_SIZE = 50


def search(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Auditors search the log. The search itself is recorded before any entry is shown."""
    require(request.user, Capability.SEARCH_AUDIT)
    form = AuditSearchForm(request.GET or None)
    valid = form.is_valid() if form.is_bound else True
    filters = form.criteria() if form.is_bound and valid else {}
    entries = AuditEntry.objects.matching(**filters).select_related("actor", "actor_agency")
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    shown = list(page.object_list) if valid else []
    # The typed text (searches) kept beside the log, in one query, only for entries that have any.
    prefetch_related_objects([entry for entry in shown if entry.has_typed_text], "texts")
    kept, typed = split_typed(form.as_filters()) if filters else ({}, {})
    audit.record_list(
        actor=request.user,
        event="audit.searched",
        model=AuditEntry,
        references=[str(entry.pk) for entry in shown],
        filters=kept,
        typed=typed,
    )
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "entries": shown,
        "query": query.urlencode(),
        "text_days": settings.AUDIT_FREE_TEXT_DAYS,
    }
    return render(request, "audit/search.html", context, status=200 if valid else 400)


def flagged(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The review queue: break-glass accesses, unreviewed first."""
    require(request.user, Capability.SEARCH_AUDIT)
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


def review_flagged(request: AuthenticatedHttpRequest, entry_id: int) -> HttpResponse:
    """An auditor records whether a break-glass access was justified; opening the entry is audited."""
    require(request.user, Capability.SEARCH_AUDIT)
    entry = AuditEntry.objects.filter(pk=entry_id, is_flagged=True).select_related("actor", "actor_agency").first()
    if entry is None:
        raise Http404("No such flagged entry")
    form = FlagReviewForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        with refusal_shown_on(form):
            audit.review_flagged_entry(
                entry=entry,
                reviewer=request.user,
                justified=form.cleaned_data["justified"] == "yes",
                note=form.cleaned_data["note"],
            )
            messages.success(request, "Review recorded.")
            return redirect("audit:flagged")
    audit.record(event="audit.flag_opened", actor=request.user, obj=entry, case_reference=entry.case_reference)
    context = {"entry": entry, "text_days": settings.AUDIT_FREE_TEXT_DAYS}
    return render_form(request, "audit/review_flagged.html", context, form=form)


# --- exports ----------------------------------------------------------------------------------------


def _started(job: ExportJob) -> HttpResponse:
    """A job was stored: straight to its page, which says it is being prepared (one status at a time: no
    banner saying so above it, which would still be there once the export is ready)."""
    return redirect("audit:export", reference=job.reference)


def new_export(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Confirm and request a PDF and CSV of the entries matching the auditor's search."""
    require(request.user, Capability.EXPORT_AUDIT)
    form = AuditSearchForm(request.POST if request.method == "POST" else request.GET)
    if not form.is_valid():
        audit.record_denied(
            actor=request.user, event="audit.export_previewed", model=ExportJob, reason="invalid filters"
        )
        return render(request, "audit/export_new.html", {"form": form}, status=400)
    filters = exports.stored_filters(form)
    if request.method == "POST":
        with refusal_shown_on(form):
            job = jobs.request_export(requester=request.user, kind=ExportKind.LOG, filters=filters)
            return _started(job)
    count = AuditEntry.objects.matching(**form.criteria()).count()
    kept, typed = split_typed(filters)
    audit.record(
        event="audit.export_previewed", actor=request.user, model=ExportJob, detail={"filters": kept}, typed=typed
    )
    context = {
        "count": count,
        "filters": form.described(),
        # A refusal (too many entries) is shown by the export button it refused, not on a search field.
        "error": " ".join(map(str, form.non_field_errors())),
        "query": filters,
        "back": urlencode(filters),
    }
    return render_form(request, "audit/export_new.html", context, form=form)


def new_case_report(request: AuthenticatedHttpRequest) -> HttpResponse:
    """An auditor asks for one case's access report by its reference."""
    require(request.user, Capability.EXPORT_AUDIT)
    form = CaseReportForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        with refusal_shown_on(form):
            job = jobs.request_export(
                requester=request.user, kind=ExportKind.CASE, case_reference=form.cleaned_data["case_reference"]
            )
            return _started(job)
    return render_form(request, "audit/case_report_new.html", {}, form=form)


def case_report(request: AuthenticatedHttpRequest, reference: UUID) -> HttpResponse:
    """The owning council asks for its case's access report, from the case's access history tab."""
    case = access_case(request.user, reference, action=Capability.ACCESS_HISTORY)
    if request.method == "POST":
        with refusal_shown_as_message(request):
            job = jobs.request_export(
                requester=request.user, kind=ExportKind.CASE, case_reference=case.number, in_case_history=True
            )
            return _started(job)
    return redirect("cases:access", reference=case.reference)


def export_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The requester's own exports, newest first."""
    if not can_export(request.user):
        require(request.user, Capability.EXPORT_AUDIT)  # records the refusal and raises 403
    mine = list(ExportJob.objects.filter(requested_by_id=request.user.pk)[:50])
    for job in mine:
        job.description = kind_of(job).describe(job)
    audit.record_list(
        actor=request.user,
        event="audit.exports_listed",
        model=ExportJob,
        references=[str(job.reference) for job in mine],
        filters={},
    )
    return render(
        request,
        "audit/export_list.html",
        {"jobs": mine, "may_export_log": can_do(request.user, Capability.EXPORT_AUDIT)},
    )


def export_detail(request: AuthenticatedHttpRequest, reference: UUID) -> HttpResponse:
    """The job's progress. htmx polls the progress fragment through the same gate; only the polls' allowed
    accesses go unrecorded, being the requester's own job status every two seconds (counts only,
    no log content): polls are not audited, the page itself is."""
    job = access_export(request.user, reference, event="audit.export_viewed", record_allowed=not request.htmx)
    context = {"job": job, "expired": job.expired()}
    if not request.htmx:
        document = kind_of(job)
        context |= {"description": document.describe(job), "filters": document.printed_filters(job)}
    return render(request, "audit/_export_progress.html" if request.htmx else "audit/export_detail.html", context)


def export_download(request: AuthenticatedHttpRequest, reference: UUID, fmt: str) -> HttpResponse:
    """One of a finished job's files, to its requester while the link lasts; 410 once expired or not ready."""
    if fmt not in ExportFile.Format.values:
        raise Http404("No such format")
    # One entry per request: the download is recorded as allowed only once there is a file to send.
    job = access_export(request.user, reference, event="audit.export_downloaded", record_allowed=False)
    file = job.files.filter(format=fmt).first() if job.status == ExportStatus.DONE and not job.expired() else None
    if file is None:
        audit.record_denied(actor=request.user, event="audit.export_downloaded", obj=job, reason="expired or not ready")
        return render(request, "audit/export_gone.html", {"job": job}, status=410)
    audit.record(
        event="audit.export_downloaded",
        actor=request.user,
        obj=job,
        case_reference=job.history_reference,
        detail={"format": fmt, "sha256": file.sha256},
    )
    response = HttpResponse(bytes(file.content), content_type="application/pdf" if fmt == "pdf" else "text/csv")
    name = f"{job.get_kind_display().lower().replace(' ', '-')}-{job.created_at:%Y%m%d-%H%M}.{fmt}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "no-store"
    response["X-Content-SHA256"] = file.sha256
    return response
