"""Sharing notifications and housekeeping. Emails name the case number, never the person."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.urls import reverse

from partners.models import Role, User
from sharing import services
from sharing.models import AccessRequest, Disclosure, RequestStatus, ShareGrant
from sharing.todo import digest


def _coordinators(agency_id: int) -> list[str]:
    return list(
        User.objects.filter(agency_id=agency_id, role=Role.PREVENT_COORDINATOR, is_active=True)
        .exclude(email="")
        .values_list("email", flat=True)
    )


@shared_task(name="sharing.notify_request_made", ignore_result=True)
def notify_request_made(request_id: int) -> int:
    """The owning coordinators are emailed. A request that matched no case runs the same queries (its
    coordinators are looked up for agency 0, which does not exist) and emails no one: in the embedded
    default this task runs inside the request, so both answers must cost the same."""
    request = AccessRequest.every.select_related("case", "requester__agency").get(pk=request_id)
    number = request.case.number if request.case is not None else ""
    link = f"{settings.SITE_URL}{reverse('sharing:requests')}"
    who = f"{request.requester.get_full_name() or request.requester.username} ({request.requester.agency.name})"
    return send_mail(
        subject=f"Access requested to {number}",
        message=f"{who} asks for access to {number}.\n\nAnswer it in Prevent Panel: {link}",
        from_email=None,
        recipient_list=_coordinators(request.case.owning_agency_id if request.case is not None else 0),
    )


@shared_task(name="sharing.notify_request_answered", ignore_result=True)
def notify_request_answered(request_id: int) -> int:
    request = AccessRequest.objects.select_related("case", "requester").get(pk=request_id)
    answer = "approved" if request.status == RequestStatus.APPROVED else "refused"
    message = f"Your request for access to {request.owner_case.number} was {answer}."
    if request.decision_note:
        message += f"\n\nNote from the owner: {request.decision_note}"
    if request.grant is not None:
        message += f"\n\nAccess lasts until {request.grant.ends_at:%-d %B %Y %H:%M}."
    return send_mail(
        subject=f"Access request {answer}: {request.owner_case.number}",
        message=message,
        from_email=None,
        recipient_list=[request.requester.email] if request.requester.email else [],
    )


@shared_task(name="sharing.notify_break_glass", ignore_result=True)
def notify_break_glass(grant_id: int) -> int:
    grant = ShareGrant.objects.select_related("case", "user__agency").get(pk=grant_id)
    assert grant.user is not None  # noqa: S101 - break-glass grants are always to one user
    who = f"{grant.user.get_full_name() or grant.user.username} ({grant.user.agency.name})"
    return send_mail(
        subject=f"Break-glass access to {grant.case.number}",
        message=f"{who} took emergency access to {grant.case.number} "
        f"until {grant.ends_at:%-d %B %Y %H:%M}. Auditors will review it.",
        from_email=None,
        recipient_list=_coordinators(grant.case.owning_agency_id),
    )


@shared_task(name="sharing.notify_disclosure", ignore_result=True)
def notify_disclosure(disclosure_id: int) -> int:
    """Email a disclosure's words to the person it was made to, or to the active people of the agency."""
    disclosure = Disclosure.objects.select_related("case", "user").get(pk=disclosure_id)
    if disclosure.user is not None:
        emails = [disclosure.user.email] if disclosure.user.is_active and disclosure.user.email else []
    else:
        people = User.objects.caseworkers().filter(agency_id=disclosure.agency_id).exclude(email="")
        emails = list(people.values_list("email", flat=True))
    link = f"{settings.SITE_URL}{reverse('cases:list')}"
    return send_mail(
        subject=f"About case {disclosure.case.number}",
        message=f"{disclosure.what}\n\nSign in to Prevent Panel: {link}",
        from_email=None,
        recipient_list=emails,
    )


@shared_task(name="sharing.tidy_ended_grants", ignore_result=True)
def tidy_ended_grants() -> int:
    return services.tidy_ended_grants()


@shared_task(name="sharing.send_daily_digest", ignore_result=True)
def send_daily_digest() -> int:
    """Daily (07:00): each person with something due hears of their work queue (sharing.todo.digest)."""
    return digest.send_digests()
