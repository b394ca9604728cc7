from __future__ import annotations

from typing import Any
from urllib.parse import urlencode
from uuid import UUID

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django_htmx.middleware import HtmxDetails

from audit import exports
from audit import services as audit
from audit.forms import AuditSearchForm, CaseReportForm, FlagReviewForm
from audit.models import AuditEntry, ExportFile, ExportJob, ExportKind, ExportStatus
from sharing.access import Capability, access_case, access_export, can_do, can_export, require

PAGE_SIZE = 50


class HtmxHttpRequest(HttpRequest):
    htmx: HtmxDetails


def filters_of(form: AuditSearchForm) -> dict[str, Any]:
    return {k: v for k, v in form.cleaned_data.items() if k in form.fields}


def search(request: HttpRequest) -> HttpResponse:
    """Auditors search the log. The search itself is recorded before any entry is shown."""
    require(request.user, Capability.SEARCH_AUDIT)
    form = AuditSearchForm(request.GET or None)
    valid = form.is_valid() if form.is_bound else True
    filters = filters_of(form) if form.is_bound and valid else {}
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


def review_flagged(request: HttpRequest, entry_id: int) -> HttpResponse:
    require(request.user, Capability.SEARCH_AUDIT)
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


# --- exports ----------------------------------------------------------------------------------------


def _start_export(request: HttpRequest, **kwargs: Any) -> HttpResponse | None:
    """Ask the service for a job and go to its progress page; None (with the error on the form) if refused."""
    job = audit.request_export(requester=request.user, **kwargs)
    messages.success(request, "Export requested. It is being prepared.")
    return redirect("audit:export", reference=job.reference)


def new_export(request: HttpRequest) -> HttpResponse:
    """Confirm and request a PDF and CSV of the entries matching the auditor's search."""
    require(request.user, Capability.EXPORT_AUDIT)
    form = AuditSearchForm(request.POST if request.method == "POST" else request.GET)
    error = ""
    if form.is_valid():
        filters = exports.stored_filters(form)
        count = AuditEntry.objects.matching(**filters_of(form)).count()
        if request.method == "POST":
            try:
                return _start_export(request, kind=ExportKind.LOG, filters=filters)  # type: ignore[return-value]
            except ValidationError as refused:
                error = refused.messages[0]
        audit.record(event="audit.export_previewed", actor=request.user, model=ExportJob, detail={"filters": filters})
        context = {
            "form": form,
            "count": count,
            "filters": form.as_filters(),
            "error": error,
            "query": filters,
            "back": urlencode(filters),
        }
        return render(request, "audit/export_new.html", context, status=400 if error else 200)
    audit.record_denied(actor=request.user, event="audit.export_previewed", model=ExportJob, reason="invalid filters")
    return render(request, "audit/export_new.html", {"form": form}, status=400)


def new_case_report(request: HttpRequest) -> HttpResponse:
    """An auditor asks for one case's access report by its reference."""
    require(request.user, Capability.EXPORT_AUDIT)
    form = CaseReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            return _start_export(  # type: ignore[return-value]
                request, kind=ExportKind.CASE, case_reference=form.cleaned_data["case_reference"]
            )
        except ValidationError as refused:
            form.add_error(None, refused)
    return render(request, "audit/case_report_new.html", {"form": form}, status=400 if form.errors else 200)


def case_report(request: HttpRequest, reference: UUID) -> HttpResponse:
    """The owning council asks for its case's access report, from the case's access history tab."""
    case = access_case(request.user, reference, action=Capability.ACCESS_HISTORY)
    if request.method == "POST":
        try:
            return _start_export(  # type: ignore[return-value]
                request, kind=ExportKind.CASE, case_reference=case.number, in_case_history=True
            )
        except ValidationError as refused:
            messages.error(request, refused.messages[0])
    return redirect("cases:access", reference=case.reference)


def export_list(request: HttpRequest) -> HttpResponse:
    if not can_export(request.user):
        require(request.user, Capability.EXPORT_AUDIT)  # records the refusal and raises 403
    jobs = list(ExportJob.objects.filter(requested_by_id=request.user.pk)[:50])
    audit.record_list(
        actor=request.user,
        event="audit.exports_listed",
        model=ExportJob,
        references=[str(j.reference) for j in jobs],
        filters={},
    )
    return render(
        request,
        "audit/export_list.html",
        {"jobs": jobs, "may_export_log": can_do(request.user, Capability.EXPORT_AUDIT)},
    )


def export_detail(request: HtmxHttpRequest, reference: UUID) -> HttpResponse:
    """The job's progress. htmx polls the progress fragment through the same gate; only the polls' allowed
    accesses go unrecorded, being the requester's own job status every two seconds (counts only,
    no log content): polls are not audited, the page itself is."""
    job = access_export(request.user, reference, event="audit.export_viewed", record_allowed=not request.htmx)
    context = {"job": job, "expired": job.expired()}
    return render(request, "audit/_export_progress.html" if request.htmx else "audit/export_detail.html", context)


def export_download(request: HttpRequest, reference: UUID, fmt: str) -> HttpResponse:
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
