"""Sharing pages: grant, revoke and extend (the owner), access requests, and break-glass."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from audit import services as audit
from sharing import services
from sharing.access import Capability, access_case, can_do, find_case_by_number, require, visible_cases
from sharing.forms import AnswerRequestForm, BreakGlassForm, ExtendForm, GrantForm, RequestAccessForm, end_of
from sharing.models import AccessRequest, LegalBasis, Level, RequestStatus


def _user(request: HttpRequest) -> Any:
    return request.user


def grant(request: HttpRequest, reference: UUID) -> HttpResponse:
    case = access_case(request.user, reference, action=Capability.SHARE)
    form = GrantForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.grant_access(
                case=case,
                actor=_user(request),
                level=d["level"],
                purpose=d["purpose"],
                legal_basis=d["legal_basis"],
                ends_at=end_of(d["until"]),
                agency=d["agency"],
                user=d["user"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "The case is shared.")
            return redirect("cases:sharing", reference=case.reference)
    return render(
        request,
        "cases/case_form.html",
        {"case": case, "form": form, "title": "Share the case", "back": "cases:sharing"},
        status=400 if form.errors else 200,
    )


def _grant_of(case: Any, grant_reference: UUID) -> Any:
    item = case.grants.filter(reference=grant_reference).first()
    if item is None:
        raise Http404("No such grant")
    return item


@require_POST
def revoke(request: HttpRequest, reference: UUID, grant_reference: UUID) -> HttpResponse:
    case = access_case(request.user, reference, action=Capability.SHARE)
    try:
        services.revoke_grant(grant=_grant_of(case, grant_reference), actor=_user(request))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "Sharing revoked. It stopped immediately.")
    return redirect("cases:sharing", reference=case.reference)


def extend(request: HttpRequest, reference: UUID, grant_reference: UUID) -> HttpResponse:
    case = access_case(request.user, reference, action=Capability.SHARE)
    item = _grant_of(case, grant_reference)
    form = ExtendForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.extend_grant(grant=item, actor=_user(request), ends_at=end_of(form.cleaned_data["until"]))
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Sharing extended.")
            return redirect("cases:sharing", reference=case.reference)
    return render(
        request,
        "cases/case_form.html",
        {"case": case, "form": form, "title": "Extend the sharing", "back": "cases:sharing"},
        status=400 if form.errors else 200,
    )


def requests(request: HttpRequest) -> HttpResponse:
    """Ask for access to a case by its number; owners see and answer requests for their cases."""
    user: Any = request.user
    require(user, Capability.REQUEST_ACCESS)
    form = RequestAccessForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.request_access(
                case=find_case_by_number(form.cleaned_data["number"]),
                number=form.cleaned_data["number"],
                requester=user,
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            # The same message whether or not the case exists: a number reveals nothing.
            messages.success(request, "Your request has been sent to the case's owner, if the reference is right.")
            return redirect("sharing:requests")
    # Answered requests only: listing a pending one would tell the requester that the number exists.
    mine = list(
        AccessRequest.objects.filter(requester=user).exclude(status=RequestStatus.PENDING).select_related("case")[:50]
    )
    to_answer = (
        list(
            AccessRequest.objects.filter(
                case__in=visible_cases(user, action=Capability.SHARE), status=RequestStatus.PENDING
            ).select_related("case", "requester__agency")
        )
        if can_do(user, Capability.SHARE)
        else []
    )
    audit.record_list(
        actor=user,
        event="sharing.requests_listed",
        model=AccessRequest,
        references=[r.case.number for r in to_answer],
        filters={},
    )
    return render(
        request,
        "sharing/requests.html",
        {"form": form, "mine": mine, "to_answer": to_answer},
        status=400 if form.errors else 200,
    )


def answer(request: HttpRequest, reference: UUID) -> HttpResponse:
    item = AccessRequest.objects.filter(reference=reference).select_related("case").first()
    if item is None:
        raise Http404("No such request")
    case = access_case(request.user, item.case.reference, action=Capability.SHARE)
    form = AnswerRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            if d["answer"] == "approve":
                services.approve_request(
                    request=item,
                    actor=_user(request),
                    level=Level(d["level"] or Level.SUMMARY),
                    legal_basis=LegalBasis(d["legal_basis"] or LegalBasis.PUBLIC_TASK),
                    ends_at=form.ends_at(),
                    note=d["note"],
                )
            else:
                services.refuse_request(request=item, actor=_user(request), note=d["note"])
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Answer sent to the requester.")
            return redirect("sharing:requests")
    return render(
        request, "sharing/answer.html", {"case": case, "item": item, "form": form}, status=400 if form.errors else 200
    )


def break_glass(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    require(user, Capability.BREAK_GLASS)
    form = BreakGlassForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        number = form.cleaned_data["number"]
        case = find_case_by_number(number)
        if case is None:
            # Recorded before the error is added: add_error drops the field from cleaned_data.
            audit.record(
                event="sharing.break_glass",
                actor=user,
                model=AccessRequest,
                object_repr=number[:20],
                outcome=audit.Outcome.DENIED,
                is_flagged=True,
                detail={"reason": "no such case"},
            )
            form.add_error("number", "Check the case reference: no case with that reference can be opened")
        else:
            try:
                services.break_glass(case=case, actor=user, reason=form.cleaned_data["reason"])
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, "Emergency access granted for 12 hours. Auditors will review it.")
                return redirect("cases:detail", reference=case.reference)
    return render(request, "sharing/break_glass.html", {"form": form}, status=400 if form.errors else 200)
