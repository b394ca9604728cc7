"""The work queue (issue 17 part 6): one place computes what is due for whom. The home page's "Things to
do" (issue 15 finding 10) and the daily digest email (sharing.todo.digest) both read `things_to_do`.

Each provider names the capability it is for (as the sections in sharing/navigation.py do) and counts
through the gate: cases by `visible_cases`, meetings by `visible_meetings` and `visible_agenda`, requests
by the cases the person may share. Its link opens the list it counted, filtered the same way, so the
number on the home page is the number of rows that page shows: the case list, the pages of escalations,
access requests and flagged accesses, and for what falls due (sharing/todo/due.py) the queue page
(sharing.views.queue). Each provider is a fixed number of queries, however many cases there are.
Partners (the home page) reaches this through sharing.navigation and so never imports cases.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.urls import reverse
from django.utils import formats, timezone

from audit.models import AuditEntry
from cases.models import Escalation, Stage
from partners.models import User
from sharing.access import Capability, can_do, visible_agenda, visible_cases, visible_meetings
from sharing.models import AccessRequest, RequestStatus
from sharing.todo.base import Row, Task, case_list, case_numbers, plural
from sharing.todo.due import LISTINGS, Listing

__all__ = ["LISTINGS", "PROVIDERS", "Listing", "Row", "Task", "things_to_do"]


def _new_referrals(user: User) -> Task | None:
    """New referrals waiting for the coordinator's first look (the case list at stage 'received')."""
    cases = visible_cases(user).filter(stage=Stage.RECEIVED)
    count = cases.count()
    text = plural(count, "new referral to screen", "new referrals to screen")
    return Task(text, count, case_list(stage=Stage.RECEIVED), numbers=case_numbers(cases))


def _police_screening(user: User) -> Task | None:
    cases = visible_cases(user).filter(stage=Stage.POLICE_SCREENING)
    count = cases.count()
    text = plural(count, "referral waiting for police screening", "referrals waiting for police screening")
    return Task(text, count, case_list(stage=Stage.POLICE_SCREENING), numbers=case_numbers(cases))


def _escalations(user: User) -> Task | None:
    """Escalations to the police of the person's area not yet acknowledged (the list it links to)."""
    cases = visible_cases(user, action=Capability.ACKNOWLEDGE_ESCALATION)
    waiting = Escalation.objects.filter(acknowledged_at__isnull=True, case__in=cases)
    count = waiting.count()
    text = plural(count, "escalation to the police to acknowledge", "escalations to the police to acknowledge")
    numbers = case_numbers(cases.filter(pk__in=waiting.values("case_id")))
    return Task(text, count, reverse("cases:escalations"), status="Urgent", colour="red", numbers=numbers)


def _overdue_actions(user: User) -> Task | None:
    """Cases with an overdue action, among those whose actions the person may see (as the list filter)."""
    full = visible_cases(user, action=Capability.VIEW_FULL).with_overdue_actions()
    cases = visible_cases(user).filter(pk__in=full.values("pk"))
    count = cases.count()
    text = plural(count, "case with overdue actions", "cases with overdue actions")
    # The overview of everyone's overdue actions stays on the home page: the digest tells each action's
    # owner, or for an action no one owns the council's coordinators (sharing/todo/due.py), once.
    return Task(text, count, case_list(overdue="on"), status="Overdue", colour="red", in_digest=False)


def _requests_to_answer(user: User) -> Task | None:
    """Access requests for cases the person may share (as the access requests page lists them)."""
    cases = visible_cases(user, action=Capability.SHARE)
    pending = AccessRequest.objects.filter(case__in=cases, status=RequestStatus.PENDING)
    count = pending.count()
    text = plural(count, "access request to answer", "access requests to answer")
    numbers = case_numbers(cases.filter(pk__in=pending.values("case_id")))
    return Task(text, count, reverse("sharing:requests"), numbers=numbers)


def _next_meeting(user: User) -> Task | None:
    """The next panel meeting the person may open, and how many of its agenda's cases they can see: for
    invitees, its papers. The digest mentions it once it is QUEUE_MEETING_DAYS away or nearer."""
    meeting = visible_meetings(user).upcoming().filter(held_on__gte=timezone.localdate()).first()
    if meeting is None:
        return None
    agenda = visible_agenda(user, meeting)
    count = agenda.count()
    day = formats.date_format(meeting.held_on, "j F Y")
    text = f"Next panel meeting, {day}: {plural(count, 'case', 'cases')} on the agenda"
    near = meeting.held_on <= timezone.localdate() + timedelta(days=settings.QUEUE_MEETING_DAYS)
    return Task(
        text,
        count,
        reverse("cases:meeting", kwargs={"meeting": meeting.reference}),
        status=meeting.get_status_display(),
        colour="grey",
        numbers=lambda: sorted(agenda.values_list("case__number", flat=True)),
        in_digest=near,
    )


def _flagged_to_review(user: User) -> Task | None:
    """Break-glass accesses and access changes no auditor has reviewed yet (the "Review" links of the
    review queue, which lists them first)."""
    count = AuditEntry.objects.filter(is_flagged=True, review__isnull=True).count()
    text = plural(count, "flagged access to review", "flagged accesses to review")
    return Task(text, count, reverse("audit:flagged"))


@dataclass(frozen=True)
class Provider:
    capability: Capability
    task: Callable[[User], Task | None]
    # Shown at nought too, so the person sees that the work they would expect here is done.
    always: bool = False


def _listed(key: str, *, always: bool = False) -> Provider:
    listing = LISTINGS[key]
    return Provider(listing.capability, listing.task, always=always)


# In the order the person would do the work: the urgent first, then what is overdue or due, then the rest.
PROVIDERS = [
    Provider(Capability.ACKNOWLEDGE_ESCALATION, _escalations),
    Provider(Capability.CREATE_REFERRAL, _new_referrals, always=True),
    Provider(Capability.SCREEN, _police_screening, always=True),
    _listed("my-actions"),
    _listed("unowned-actions"),
    Provider(Capability.MOVE, _overdue_actions, always=True),
    _listed("reviews"),
    _listed("reassessments"),
    _listed("stalled-support"),
    _listed("consent"),
    Provider(Capability.SHARE, _requests_to_answer, always=True),
    _listed("grants"),
    _listed("my-access"),
    _listed("meetings"),
    Provider(Capability.VIEW_MEETING, _next_meeting),
    Provider(Capability.SEARCH_AUDIT, _flagged_to_review, always=True),
]


def things_to_do(user: User) -> list[Task]:
    """The work waiting for this person, by what their role may do, in the order they would do it. A task
    that counts nothing says so with no tag ("None waiting")."""
    tasks = []
    for provider in PROVIDERS:
        if not can_do(user, provider.capability):
            continue
        task = provider.task(user)
        if task is None or not (task.count or provider.always):
            continue
        if not task.count:
            task = Task(task.text, 0, task.href, status="None waiting", colour="")
        tasks.append(task)
    return tasks
