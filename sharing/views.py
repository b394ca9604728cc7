"""Sharing pages: grant, revoke and extend (the owner), access requests, and break-glass."""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from audit import services as audit
from cases.models import Case
from lib.forms import refusal_shown_on
from lib.views import refusal_shown_as_message, render_form
from partners.http import AuthenticatedHttpRequest
from sharing import policy, services, todo
from sharing.access import (
    Capability,
    access_case,
    can_do,
    find_case_by_number,
    find_case_by_reference,
    require,
    visible_cases,
)
from sharing.forms import AnswerRequestForm, BreakGlassForm, ExtendForm, GrantForm, RequestAccessForm, end_of
from sharing.models import AccessRequest, LegalBasis, Level, RequestStatus, ShareGrant


def grant(request: AuthenticatedHttpRequest, reference: UUID) -> HttpResponse:
    case = access_case(request.user, reference, action=Capability.SHARE)
    form = GrantForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        d = form.cleaned_data
        with refusal_shown_on(form):
            services.grant_access(
                case=case,
                actor=request.user,
                level=d["level"],
                purpose=d["purpose"],
                legal_basis=d["legal_basis"],
                ends_at=end_of(d["until"]),
                agency=d["agency"],
                user=d["user"],
                special_category_condition=form.sensitive_condition(),
            )
            messages.success(request, "The case is shared.")
            return redirect("cases:sharing", reference=case.reference)
    context = {"case": case, "title": "Share the case", "back": "cases:sharing"}
    return render_form(request, "cases/case_form.html", context, form=form)


def _grant_of(case: Case, grant_reference: UUID) -> ShareGrant:
    """One of this case's grants; another case's grant is as missing as one that does not exist."""
    item = case.grants.filter(reference=grant_reference).first()
    if item is None:
        raise Http404("No such grant")
    return item


@require_POST
def revoke(request: AuthenticatedHttpRequest, reference: UUID, grant_reference: UUID) -> HttpResponse:
    case = access_case(request.user, reference, action=Capability.SHARE)
    item = _grant_of(case, grant_reference)
    with refusal_shown_as_message(request):
        services.revoke_grant(grant=item, actor=request.user)
        messages.success(request, "Sharing revoked. It stopped immediately.")
    return redirect("cases:sharing", reference=case.reference)


def extend(request: AuthenticatedHttpRequest, reference: UUID, grant_reference: UUID) -> HttpResponse:
    case = access_case(request.user, reference, action=Capability.SHARE)
    item = _grant_of(case, grant_reference)
    form = ExtendForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        with refusal_shown_on(form):
            services.extend_grant(grant=item, actor=request.user, ends_at=end_of(form.cleaned_data["until"]))
            messages.success(request, "Sharing extended.")
            return redirect("cases:sharing", reference=case.reference)
    context = {"case": case, "title": "Extend the sharing", "back": "cases:sharing"}
    return render_form(request, "cases/case_form.html", context, form=form)


def requests(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Ask for access to a case by its number; owners see and answer requests for their cases."""
    require(request.user, Capability.REQUEST_ACCESS)
    form = RequestAccessForm(request.POST if request.method == "POST" else None, by_link=case_in_link(request))
    if form.is_valid():
        # By the link's reference or by the number: one lookup either way, whether or not the case exists.
        if form.by_link:
            reference = form.cleaned_data["case"]
            asked_for, case = str(reference), find_case_by_reference(reference)
        else:
            asked_for = form.cleaned_data["number"]
            case = find_case_by_number(asked_for)
        with refusal_shown_on(form):
            services.request_access(
                case=case,
                number=asked_for,
                requester=request.user,
                reason=form.cleaned_data["reason"],
            )
            # The same message whether or not the case exists: a number reveals nothing.
            messages.success(request, "Your request has been sent to the case's owner, if the reference is right.")
            return redirect("sharing:requests")
    # Answered requests only: listing a pending one would tell the requester that the number exists.
    answered = AccessRequest.objects.filter(requester=request.user).exclude(status=RequestStatus.PENDING)
    mine = list(answered.select_related("case")[:50])
    to_answer = (
        list(
            AccessRequest.objects.filter(
                case__in=visible_cases(request.user, action=Capability.SHARE), status=RequestStatus.PENDING
            ).select_related("case", "requester__agency")
        )
        if can_do(request.user, Capability.SHARE)
        else []
    )
    audit.record_list(
        actor=request.user,
        event="sharing.requests_listed",
        model=AccessRequest,
        references=[r.owner_case.number for r in to_answer],
        filters={},
    )
    return render_form(request, "sharing/requests.html", {"mine": mine, "to_answer": to_answer}, form=form)


def case_in_link(request: AuthenticatedHttpRequest) -> UUID | None:
    """The case reference an "Ask for access" link carries (?case=…, from the page not found), if any and
    well formed. Nothing is looked up: the form page is the same whether or not the case exists."""
    try:
        return UUID(request.GET["case"]) if request.method == "GET" and "case" in request.GET else None
    except ValueError:
        return None


def answer(request: AuthenticatedHttpRequest, reference: UUID) -> HttpResponse:
    item = AccessRequest.objects.filter(reference=reference).select_related("case").first()
    if item is None:
        raise Http404("No such request")
    case = access_case(request.user, item.owner_case.reference, action=Capability.SHARE)
    form = AnswerRequestForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        d = form.cleaned_data
        with refusal_shown_on(form):
            if d["answer"] == "approve":
                services.approve_request(
                    request=item,
                    actor=request.user,
                    level=Level(d["level"] or Level.SUMMARY),
                    legal_basis=LegalBasis(d["legal_basis"] or LegalBasis.PUBLIC_TASK),
                    ends_at=form.ends_at(),
                    note=d["note"],
                )
            else:
                services.refuse_request(request=item, actor=request.user, note=d["note"])
            messages.success(request, "Answer sent to the requester.")
            return redirect("sharing:requests")
    return render_form(request, "sharing/answer.html", {"case": case, "item": item}, form=form)


def break_glass(request: AuthenticatedHttpRequest) -> HttpResponse:
    require(request.user, Capability.BREAK_GLASS)
    form = BreakGlassForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        number = form.cleaned_data["number"]
        case = find_case_by_number(number)
        # A case outside the break-glass scope is refused in the same words as a missing one.
        reaches = case is not None and policy.break_glass_reaches(request.user, case)
        if case is None or not reaches:
            # Recorded before the error is added: add_error drops the field from cleaned_data.
            audit.record(
                event="sharing.break_glass",
                actor=request.user,
                model=AccessRequest,
                object_repr=number[:20],
                outcome=audit.Outcome.DENIED,
                is_flagged=True,
                detail={"reason": "no such case" if case is None else "outside the break-glass scope"},
            )
            form.add_error("number", services.BREAK_GLASS_NO_CASE)
        else:
            with refusal_shown_on(form):
                services.break_glass(case=case, actor=request.user, reason=form.cleaned_data["reason"])
                messages.success(request, "Emergency access granted for 12 hours. Auditors will review it.")
                return redirect("cases:detail", reference=case.reference)
    return render_form(request, "sharing/break_glass.html", {}, form=form)


def queue(request: AuthenticatedHttpRequest, key: str) -> HttpResponse:
    """One line of the person's work queue, opened: exactly the records its count on the home page (and in
    the daily digest) counted, through the same gate. A list the role does not have is refused (403)."""
    listing = todo.LISTINGS.get(key)
    if listing is None:
        raise Http404("No such list")
    require(request.user, listing.capability)
    rows = listing.rows(request.user)
    audit.record_list(
        actor=request.user,
        event="sharing.queue_listed",
        model=Case,
        references=[row.label for row in rows if row.is_case],
        filters={"list": key},
    )
    return render(request, "sharing/queue.html", {"title": listing.title, "rows": rows})
