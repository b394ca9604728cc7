"""Which sections of the service each role has: the navigation and the landing page read this table.

Showing a section is not permission: every page still asks sharing.access for what it shows.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse

from partners.models import Role, User

CASEWORK = frozenset({Role.PREVENT_COORDINATOR, Role.PANEL_CHAIR, Role.POLICE_PRACTITIONER, Role.PANEL_MEMBER})


@dataclass(frozen=True)
class Section:
    label: str
    url_name: str
    description: str
    roles: frozenset[str]


SECTIONS = [
    Section(
        "Cases",
        "cases:list",
        "Referrals and Channel cases shared with you.",
        CASEWORK | {Role.INTERVENTION_PROVIDER},
    ),
    Section("New referral", "cases:new", "Log a Prevent referral.", frozenset({Role.PREVENT_COORDINATOR})),
    Section(
        "Panel dashboard",
        "cases:dashboard",
        "Stages, overdue work and the next panel.",
        frozenset({Role.PREVENT_COORDINATOR, Role.PANEL_CHAIR}),
    ),
    Section("Panel meetings", "cases:meetings", "Agendas, meetings and minutes.", CASEWORK),
    Section("Access requests", "sharing:requests", "Ask for, approve or refuse access to a case.", CASEWORK),
    Section(
        "Break-glass",
        "sharing:break_glass",
        "Emergency access to a case, reviewed by auditors.",
        frozenset({Role.POLICE_PRACTITIONER, Role.PANEL_CHAIR}),
    ),
    Section("Audit log", "audit:search", "Search and export the access log.", frozenset({Role.AUDITOR})),
    Section(
        "Exports",
        "audit:exports",
        "The log exports and case access reports you asked for.",
        frozenset({Role.AUDITOR, Role.PREVENT_COORDINATOR, Role.PANEL_CHAIR}),
    ),
    Section("Reference data", "admin:index", "Agencies and user accounts.", frozenset({Role.ADMINISTRATOR})),
]


@dataclass(frozen=True)
class NavItem:
    label: str
    description: str
    href: str | None  # None while the section is not yet built


def sections_for(user: User) -> list[NavItem]:
    """The sections this user's role has, in menu order; inactive users have none."""
    if not user.is_active:
        return []
    items = []
    for section in SECTIONS:
        if user.role not in section.roles:
            continue
        try:
            href: str | None = reverse(section.url_name)
        except NoReverseMatch:
            href = None
        items.append(NavItem(section.label, section.description, href))
    return items
