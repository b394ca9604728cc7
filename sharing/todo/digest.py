"""The daily digest (issue 17 part 6): each active person with something due gets one email listing their
work queue in words, with case numbers only (never a name), and a link to their home page. Nothing goes
to someone with nothing due. It replaces the separate overdue-actions email: overdue actions are in the
queue (the owner's own, and for coordinators their council's actions no one owns)."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.urls import reverse

from partners.models import User
from sharing.todo import Task, things_to_do

# The most case numbers one line of the digest lists; the rest are counted ("and 4 more").
NUMBERS_SHOWN = 10


def _line(task: Task) -> str:
    numbers = task.numbers()
    if not numbers:
        return f"- {task.text}"
    shown = ", ".join(numbers[:NUMBERS_SHOWN])
    more = len(numbers) - NUMBERS_SHOWN
    return f"- {task.text}: {shown}{f' and {more} more' if more > 0 else ''}"


def digest_for(user: User) -> str | None:
    """The body of this person's digest, or None when nothing is due for them."""
    due = [task for task in things_to_do(user) if task.count and task.in_digest]
    if not due:
        return None
    link = f"{settings.SITE_URL}{reverse('home')}"
    lines = "\n".join(_line(task) for task in due)
    return (
        f"These are waiting for you in Prevent Panel today:\n\n{lines}\n\n"
        f"Open your things to do in Prevent Panel: {link}\n\n"
        "You get this email on days when something is waiting for you."
    )


def send_digests() -> int:
    """One email to each active person (of an active agency, with an email address) who has something due;
    returns how many were sent."""
    people = User.objects.filter(is_active=True, agency__is_active=True).exclude(email="").select_related("agency")
    sent = 0
    for person in people.order_by("pk"):
        body = digest_for(person)
        if body is None:
            continue
        sent += send_mail(
            subject="Prevent Panel: your things to do today",
            message=body,
            from_email=None,
            recipient_list=[person.email],
        )
    return sent
