"""Which sections of the service each user has: the navigation and the landing page read this list, and
each section names the capability it is for, so the menu follows the policy's role table (sharing/policy.py).

Showing a section is not permission: every page still asks sharing.access for what it shows.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse

from partners.models import User
from sharing.access import Capability, can_do, can_export
from sharing.todo import Task, things_to_do

# The home page's "Things to do" (sharing/todo.py) is offered here, beside the sections, so the home page
# in partners reaches it through the one sharing module it may import.
__all__ = ["NavItem", "Section", "Task", "sections_for", "things_to_do"]


@dataclass(frozen=True)
class Section:
    label: str
    url_name: str
    description: str
    # What the section is for: shown exactly when the role may do it. None is the Exports section, shown
    # to whoever may have exports at all (sharing.access.can_export).
    capability: Capability | None

    def is_for(self, user: User) -> bool:
        return can_export(user) if self.capability is None else can_do(user, self.capability)


SECTIONS = [
    Section("Cases", "cases:list", "Referrals and Channel cases shared with you.", Capability.VIEW),
    Section("New referral", "cases:new", "Log a Prevent referral.", Capability.CREATE_REFERRAL),
    Section(
        "Panel dashboard", "cases:dashboard", "Stages, overdue work and the next panel.", Capability.VIEW_DASHBOARD
    ),
    Section("Panel meetings", "cases:meetings", "Agendas, meetings and minutes.", Capability.VIEW_MEETING),
    Section(
        "Access requests",
        "sharing:requests",
        "Ask for, approve or refuse access to a case.",
        Capability.REQUEST_ACCESS,
    ),
    Section(
        "Break-glass",
        "sharing:break_glass",
        "Emergency access to a case, reviewed by auditors.",
        Capability.BREAK_GLASS,
    ),
    Section("Audit log", "audit:search", "Search and export the access log.", Capability.SEARCH_AUDIT),
    Section("Exports", "audit:exports", "The log exports and case access reports you asked for.", None),
    Section("Reference data", "admin:index", "Agencies and user accounts.", Capability.ADMINISTER),
]


@dataclass(frozen=True)
class NavItem:
    label: str
    description: str
    href: str | None  # None while the section is not yet built


def sections_for(user: User) -> list[NavItem]:
    """The sections this user's role has, in menu order; inactive users (or agencies) have none."""
    items = []
    for section in SECTIONS:
        if not section.is_for(user):
            continue
        try:
            href: str | None = reverse(section.url_name)
        except NoReverseMatch:
            href = None
        items.append(NavItem(section.label, section.description, href))
    return items
