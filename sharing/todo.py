"""The home page's "Things to do": for each role, the work waiting for this person, counted exactly as the
page it links to lists it (issue 15 finding 10).

Each provider names the capability it is for (as the sections in sharing/navigation.py do) and counts
through the gate: cases by `visible_cases`, meetings by `visible_meetings` and `visible_agenda`, requests
by the cases the person may share. Its link opens the list it counted, filtered the same way, so the
number on the home page is the number of rows that page shows. Partners (the home page) reaches this
through sharing.navigation and so never imports cases.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlencode

from django.urls import reverse
from django.utils import formats, timezone

from audit.models import AuditEntry
from cases.models import Escalation, Stage
from partners.models import User
from sharing.access import Capability, can_do, visible_agenda, visible_cases, visible_meetings
from sharing.models import AccessRequest, RequestStatus


@dataclass(frozen=True)
class Task:
    text: str  # "3 new referrals to screen"
    count: int
    href: str


def _case_list(**filters: str) -> str:
    return f"{reverse('cases:list')}?{urlencode(filters)}"


def _plural(count: int, one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}"


def _new_referrals(user: User) -> Task | None:
    """New referrals waiting for the coordinator's first look (the case list at stage 'received')."""
    count = visible_cases(user).filter(stage=Stage.RECEIVED).count()
    text = _plural(count, "new referral to screen", "new referrals to screen")
    return Task(text, count, _case_list(stage=Stage.RECEIVED))


def _police_screening(user: User) -> Task | None:
    count = visible_cases(user).filter(stage=Stage.POLICE_SCREENING).count()
    text = _plural(count, "referral waiting for police screening", "referrals waiting for police screening")
    return Task(text, count, _case_list(stage=Stage.POLICE_SCREENING))


def _escalations(user: User) -> Task | None:
    """Escalations to the police of the person's area not yet acknowledged (the list it links to)."""
    cases = visible_cases(user, action=Capability.ACKNOWLEDGE_ESCALATION)
    count = Escalation.objects.filter(acknowledged_at__isnull=True, case__in=cases).count()
    text = _plural(count, "escalation to the police to acknowledge", "escalations to the police to acknowledge")
    return Task(text, count, reverse("cases:escalations"))


def _overdue_actions(user: User) -> Task | None:
    """Cases with an overdue action, among those whose actions the person may see (as the list filter)."""
    full = visible_cases(user, action=Capability.VIEW_FULL).with_overdue_actions()
    count = visible_cases(user).filter(pk__in=full.values("pk")).count()
    text = _plural(count, "case with overdue actions", "cases with overdue actions")
    return Task(text, count, _case_list(overdue="on"))


def _requests_to_answer(user: User) -> Task | None:
    """Access requests for cases the person may share (as the access requests page lists them)."""
    cases = visible_cases(user, action=Capability.SHARE)
    count = AccessRequest.objects.filter(case__in=cases, status=RequestStatus.PENDING).count()
    text = _plural(count, "access request to answer", "access requests to answer")
    return Task(text, count, reverse("sharing:requests"))


def _next_meeting(user: User) -> Task | None:
    """The next panel meeting the person may open, and how many of its agenda's cases they can see."""
    meeting = visible_meetings(user).upcoming().filter(held_on__gte=timezone.localdate()).first()
    if meeting is None:
        return None
    count = visible_agenda(user, meeting).count()
    day = formats.date_format(meeting.held_on, "j F Y")
    text = f"Next panel meeting, {day}: {_plural(count, 'case', 'cases')} on the agenda"
    return Task(text, count, reverse("cases:meeting", kwargs={"meeting": meeting.reference}))


def _flagged_to_review(user: User) -> Task | None:
    """Break-glass accesses and access changes no auditor has reviewed yet (the "Review" links of the
    review queue, which lists them first)."""
    count = AuditEntry.objects.filter(is_flagged=True, review__isnull=True).count()
    text = _plural(count, "flagged access to review", "flagged accesses to review")
    return Task(text, count, reverse("audit:flagged"))


@dataclass(frozen=True)
class Provider:
    capability: Capability
    task: Callable[[User], Task | None]
    # Shown at nought too, so the person sees that the work they would expect here is done.
    always: bool = False


PROVIDERS = [
    Provider(Capability.CREATE_REFERRAL, _new_referrals, always=True),
    Provider(Capability.ACKNOWLEDGE_ESCALATION, _escalations),
    Provider(Capability.SCREEN, _police_screening, always=True),
    Provider(Capability.SHARE, _requests_to_answer, always=True),
    Provider(Capability.VIEW_MEETING, _next_meeting),
    Provider(Capability.MOVE, _overdue_actions, always=True),
    Provider(Capability.SEARCH_AUDIT, _flagged_to_review, always=True),
]


def things_to_do(user: User) -> list[Task]:
    """The work waiting for this person, by what their role may do, in the order they would do it."""
    tasks = []
    for provider in PROVIDERS:
        if not can_do(user, provider.capability):
            continue
        task = provider.task(user)
        if task is not None and (task.count or provider.always):
            tasks.append(task)
    return tasks
