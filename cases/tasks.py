"""Notifications, sent after the transaction that caused them commits. Emails carry the case number
and a link, never a person's name."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.db.models import Q
from django.urls import reverse

from cases.models import AreaChange, Attendance, Case, Escalation, Invitation, PanelMeeting
from cases.services import drafts
from partners.models import Role, User
from sharing.policy import Capability, roles_with
from sharing.reach import police_for_area


def _owners(case: Case) -> list[str]:
    return list(
        User.objects.filter(agency=case.owning_agency, role=Role.PREVENT_COORDINATOR, is_active=True)
        .exclude(email="")
        .values_list("email", flat=True)
    )


@shared_task(name="cases.notify_immediate_risk", ignore_result=True)
def notify_immediate_risk(case_id: int) -> int:
    case = Case.objects.select_related("owning_agency").get(pk=case_id)
    link = f"{settings.SITE_URL}{reverse('cases:detail', args=[case.reference])}"
    return send_mail(
        subject=f"Immediate risk referral {case.number}",
        message=(
            f"A referral marked as an immediate risk of harm has been logged: {case.number}.\n\n"
            f"Open it in Prevent Panel: {link}\n\nIf life is at risk, call 999."
        ),
        from_email=None,
        recipient_list=_owners(case),
    )


@shared_task(name="cases.notify_escalation", ignore_result=True)
def notify_escalation(escalation_id: int) -> int:
    """The police practitioners of the subject's force area hear of an escalation: the case number, the
    council and a link; never the person or the reason, which they read in the case."""
    escalation = Escalation.objects.select_related("case__owning_agency", "case__subject").get(pk=escalation_id)
    case = escalation.case
    police = police_for_area(case.subject.police_force_area).exclude(email="").values_list("email", flat=True)
    link = f"{settings.SITE_URL}{reverse('cases:acknowledge_escalation', args=[case.reference, escalation.reference])}"
    return send_mail(
        subject=f"Case escalated to the police: {case.number}",
        message=(
            f"{case.owning_agency.name} has escalated {case.number} to the police: an immediate risk has been "
            f"found since the referral.\n\nRead why and acknowledge it in Prevent Panel: {link}\n\n"
            "If life is at risk, call 999."
        ),
        from_email=None,
        recipient_list=list(police),
    )


@shared_task(name="cases.notify_police_screening", ignore_result=True)
def notify_police_screening(case_id: int) -> int:
    """A referral has reached police screening: the police practitioners of the subject's force area are
    told, with the case number and a link only (never the person, the concern or the area)."""
    case = Case.objects.select_related("subject").get(pk=case_id)
    link = f"{settings.SITE_URL}{reverse('cases:detail', args=[case.reference])}"
    emails = police_for_area(case.subject.police_force_area).exclude(email="").values_list("email", flat=True)
    sent = 0
    for email in emails:
        sent += send_mail(
            subject=f"A referral is waiting for police screening: {case.number}",
            message=(
                f"Referral {case.number} is waiting for your force's screening decision.\n\n"
                f"Open it in Prevent Panel: {link}"
            ),
            from_email=None,
            recipient_list=[email],
        )
    return sent


@shared_task(name="cases.notify_minutes_approved", ignore_result=True)
def notify_minutes_approved(meeting_id: int) -> int:
    """Tell each attendee that their copy of the minutes is ready. The email holds a link only: each copy
    is built for its reader, with the cases they may see, when they open it."""
    meeting = PanelMeeting.objects.get(pk=meeting_id)
    link = f"{settings.SITE_URL}{reverse('cases:minutes', args=[meeting.reference])}"
    emails = (
        Attendance.objects.filter(meeting=meeting, present=True, user__is_active=True)
        .exclude(user__email="")
        .values_list("user__email", flat=True)
    )
    sent = 0
    for email in emails:
        sent += send_mail(
            subject=f"Minutes of the panel meeting on {meeting.held_on:%-d %B %Y}",
            message=f"The minutes are approved. Download your copy in Prevent Panel: {link}",
            from_email=None,
            recipient_list=[email],
        )
    return sent


@shared_task(name="cases.expire_referral_drafts", ignore_result=True)
def expire_referral_drafts() -> int:
    """Hourly: referral drafts not saved for REFERRAL_DRAFT_DAYS are deleted (cases.services.drafts)."""
    return drafts.expire_drafts()


@shared_task(name="cases.notify_area_change", ignore_result=True)
def notify_area_change(area_change_id: int) -> int:
    """Tell the police practitioners of the force a case's subject now lives in that the case has come to
    their area. The case number and a link only: no name, address or area."""
    change = AreaChange.objects.select_related("case").get(pk=area_change_id)
    case = change.case
    link = f"{settings.SITE_URL}{reverse('cases:detail', args=[case.reference])}"
    emails = police_for_area(change.new_police_force_area).exclude(email="").values_list("email", flat=True)
    sent = 0
    for email in emails:
        sent += send_mail(
            subject=f"A Channel case has moved to your force area: {case.number}",
            message=(
                f"The person's address or area on case {case.number} was changed, so the case is now in your "
                f"force's area and you can see it.\n\nOpen it in Prevent Panel: {link}"
            ),
            from_email=None,
            recipient_list=[email],
        )
    return sent


def invitee_emails(meeting: PanelMeeting, invitation_id: int | None = None) -> list[str]:
    """Who an invitation reaches, for email: an invited person (while active), and an invited agency's
    active people who may attend a meeting (never its auditors or administrators). All the meeting's
    invitations, or the one named."""
    invitations = Invitation.objects.filter(meeting=meeting)
    if invitation_id is not None:
        invitations = invitations.filter(pk=invitation_id)
    people = User.objects.filter(is_active=True).exclude(email="")
    people = people.filter(
        Q(pk__in=invitations.filter(user__isnull=False).values("user_id"))
        | Q(
            agency_id__in=invitations.filter(agency__isnull=False).values("agency_id"),
            role__in=roles_with(Capability.VIEW_MEETING),
        )
    )
    return sorted(set(people.values_list("email", flat=True)))


# What each email about a meeting says: its subject and its first line. The date (and time) and a link
# only: never a case number or a person's name (a per-case invitee reads their cases on the meeting page).
MEETING_NEWS = {
    "invited": (
        "You are invited to a panel meeting on {date}",
        "You are invited to the Channel panel meeting on {when}.",
    ),
    "circulated": (
        "Agenda for the panel meeting on {date}",
        "The agenda for the Channel panel meeting on {when} has been circulated.",
    ),
    "rescheduled": (
        "Panel meeting moved to {date}",
        "The Channel panel meeting you are invited to has been moved to {when}.",
    ),
    "cancelled": ("Panel meeting on {date} cancelled", "The Channel panel meeting on {when} has been cancelled."),
}


@shared_task(name="cases.notify_meeting_invitees", ignore_result=True)
def notify_meeting_invitees(meeting_id: int, news: str, invitation_id: int | None = None) -> int:
    """Tell a meeting's invitees (or one invitation's) that they are invited, that the agenda is out, or
    that the meeting was moved or cancelled: one email each, with the date and a link to the meeting."""
    meeting = PanelMeeting.objects.get(pk=meeting_id)
    link = f"{settings.SITE_URL}{reverse('cases:meeting', args=[meeting.reference])}"
    when = f"{meeting.held_on:%A %-d %B %Y} at {meeting.starts_at:%H:%M}"
    subject, opening = MEETING_NEWS[news]
    sent = 0
    for email in invitee_emails(meeting, invitation_id):
        sent += send_mail(
            subject=subject.format(date=f"{meeting.held_on:%-d %B %Y}"),
            message=f"{opening.format(when=when)}\n\nSee the meeting in Prevent Panel: {link}",
            from_email=None,
            recipient_list=[email],
        )
    return sent
