"""The policy gives one answer, however it is asked.

On the demo data, with the people the drifts of the past were about added (a provider whose support has
ended but who holds a summary grant, a superuser panel member, a deactivated coordinator, a user of a
deactivated agency), for every person x every demo case x every case capability: the list
(`visible_cases(user, action=c)`), the gate for one case (`access_case`, which answers 404 when the case is
hidden and 403 when it is visible but the capability is not allowed) and the template answer (`can`, on the
case the gate returned and on a case loaded any other way) agree. And for every persona, the menu offers a
section exactly when the role may do what the section is for (ROLE_ACTIONS), and every section offered opens.
Meetings likewise: for every person x every demo meeting x every meeting capability, the list of meetings,
the gate for one meeting and the template answer agree.
"""

from __future__ import annotations

import io
from datetime import timedelta
from itertools import pairwise

from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from cases.models import Case, PanelMeeting, Stage
from cases.services import casework
from partners.demo import PERSONAS
from partners.models import Agency, AgencyKind, Role, User
from sharing.access import (
    ROLE_ACTIONS,
    Capability,
    access_case,
    access_level,
    access_meeting,
    can,
    can_meeting,
    visible_cases,
    visible_meetings,
)
from sharing.models import Level
from sharing.navigation import SECTIONS, Section
from sharing.policy import CASE_CAPABILITIES, LEVEL_ACTIONS, AccessLevel
from tests.base import BaseTestCase
from tests.cases.helpers import ref
from tests.factories import make_agency, make_user
from tests.sharing.grant_helpers import share

CAPABILITIES = sorted(CASE_CAPABILITIES)
MEETING_CAPABILITIES = (Capability.VIEW_MEETING, Capability.ORGANISE_MEETING, Capability.CHAIR_MEETING)
# The case list answers everyone with the cases they may see, which for auditors and administrators is none.
OPEN_TO_EVERYONE = {"cases:list"}


def gate(user: User, case: Case, capability: Capability) -> str:
    try:
        access_case(user, case.reference, action=capability)
    except Http404:
        return "hidden"
    except PermissionDenied:
        return "refused"
    return "allowed"


def meeting_gate(user: User, meeting: PanelMeeting, capability: Capability) -> str:
    try:
        access_meeting(user, meeting.reference, action=capability)
    except Http404:
        return "hidden"
    except PermissionDenied:
        return "refused"
    return "allowed"


def add_edge_cases(by_name: dict[str, User]) -> list[User]:
    """People the policy once answered differently depending on how it was asked."""
    coordinator, panel_member, provider = by_name["coordinator"], by_name["health"], by_name["provider"]
    case = Case.objects.filter(owning_agency=coordinator.agency, stage=Stage.SUPPORT_ACTIVE).order_by("number")[0]
    # Robin delivered support on a case that has ended, and the owner shared a summary with them since.
    robin = make_user(agency=provider.agency, role=Role.INTERVENTION_PROVIDER, username="robin-ended")
    today = timezone.localdate()
    casework.add_support_element(
        case=case,
        actor=coordinator,
        support_type=ref("support_type", "ideological_mentoring"),
        provider=provider.agency,
        provider_user=robin,
        how="Weekly sessions",
        when="Tuesdays",
        starts_on=today - timedelta(days=90),
        ends_on=today - timedelta(days=1),
    )
    share(case, actor=coordinator, user=robin, level=Level.SUMMARY)
    # Sid is a panel member with the superuser flag, which grants nothing.
    sid = make_user(agency=panel_member.agency, role=Role.PANEL_MEMBER, username="sid-superuser")
    User.objects.filter(pk=sid.pk).update(is_superuser=True)
    # Dee was a coordinator of the lead council and has been deactivated.
    dee = make_user(agency=coordinator.agency, role=Role.PREVENT_COORDINATOR, username="dee-inactive")
    User.objects.filter(pk=dee.pk).update(is_active=False)
    # Gus is a coordinator of a council that has been deactivated, with a grant from the lead council.
    closed = make_agency(kind=AgencyKind.LOCAL_AUTHORITY, name="Synthetic Closed Council")
    gus = make_user(agency=closed, role=Role.PREVENT_COORDINATOR, username="gus-closed-agency")
    share(case, actor=coordinator, agency=closed, level=Level.FULL)
    Agency.objects.filter(pk=closed.pk).update(is_active=False)
    return [User.objects.select_related("agency").get(pk=user.pk) for user in (robin, sid, dee, gus)]


def role_may(role: str, section: Section) -> bool:
    """Read from the role table alone. The Exports section is for whoever has exports: auditors (the
    log) and those who see a case's access history (its access report)."""
    allowed = ROLE_ACTIONS[role]
    if section.url_name == "audit:exports":
        return Capability.EXPORT_AUDIT in allowed or Capability.ACCESS_HISTORY in allowed
    return section.capability in allowed


class PolicyAgreementTestCase(BaseTestCase):
    users: list[User]
    personas: list[User]
    cases: list[Case]
    meetings: list[PanelMeeting]

    @classmethod
    def setUpTestData(cls) -> None:
        call_command("seed_demo", stdout=io.StringIO())
        by_name = {user.username: user for user in User.objects.select_related("agency")}
        cls.personas = [by_name[persona.username] for persona in PERSONAS]
        cls.users = cls.personas + add_edge_cases(by_name)
        cls.cases = list(Case.objects.select_related("subject", "owning_agency").order_by("number"))
        cls.meetings = list(PanelMeeting.objects.order_by("held_on", "id"))

    def test_the_levels_form_a_chain_so_the_strongest_way_decides(self) -> None:
        levels = sorted(AccessLevel, key=lambda level: len(LEVEL_ACTIONS[level]))
        for weaker, stronger in pairwise(levels):
            self.assertLess(LEVEL_ACTIONS[weaker], LEVEL_ACTIONS[stronger], (weaker, stronger))

    def test_the_list_the_gate_and_the_template_agree_for_every_persona_case_and_capability(self) -> None:
        answers: set[str] = set()
        for user in self.users:
            listed = {c: set(visible_cases(user, action=c).values_list("pk", flat=True)) for c in CAPABILITIES}
            for case in self.cases:
                level = access_level(user, case)
                with self.subTest(user=user.username, case=case.number):
                    self.assertEqual(level is not None, case.pk in listed[Capability.VIEW])
                reached = access_case(user, case.reference) if level is not None else None
                for capability in CAPABILITIES:
                    with self.subTest(user=user.username, case=case.number, capability=capability.value):
                        in_list = case.pk in listed[capability]
                        answer = gate(user, case, capability)
                        answers.add(answer)
                        self.assertEqual(answer == "allowed", in_list, "the list and the gate")
                        self.assertEqual(answer == "hidden", reached is None, "hidden from the gate and the list")
                        if reached is not None:
                            self.assertEqual(can(user, reached, capability), in_list, "the template and the list")
                            self.assertEqual(can(user, case, capability), in_list, "the template on any case")
        self.assertEqual(answers, {"allowed", "refused", "hidden"}, "the demo exercises every answer")

    def test_the_edge_cases_get_what_the_policy_says(self) -> None:
        robin, sid, dee, gus = self.users[len(self.personas) :]
        shared = next(case for case in self.cases if access_level(robin, case) is not None)
        self.assertEqual(access_level(robin, shared), AccessLevel.SUMMARY, "ended support gives nothing more")
        panel_member = next(user for user in self.personas if user.username == "health")
        self.assertEqual(set(visible_cases(sid)), set(visible_cases(panel_member)), "the superuser flag adds none")
        self.assertFalse(visible_cases(dee).exists(), "a deactivated person sees nothing")
        self.assertFalse(visible_cases(gus).exists(), "the people of a deactivated agency see nothing")

    def test_the_meeting_list_the_gate_and_the_template_agree(self) -> None:
        self.assertTrue(self.meetings, "the demo has meetings")
        answers: set[str] = set()
        for user in self.users:
            listed = set(visible_meetings(user).values_list("pk", flat=True))
            for meeting in self.meetings:
                for capability in MEETING_CAPABILITIES:
                    with self.subTest(user=user.username, meeting=str(meeting), capability=capability.value):
                        answer = meeting_gate(user, meeting, capability)
                        answers.add(answer)
                        self.assertEqual(answer == "hidden", meeting.pk not in listed, "the list and the gate")
                        if meeting.pk in listed:
                            allowed = can_meeting(user, meeting, capability)
                            self.assertEqual(answer == "allowed", allowed, "the template and the gate")
        self.assertEqual(answers, {"allowed", "refused", "hidden"}, "the demo exercises every answer")

    def test_the_menu_offers_a_section_exactly_when_the_role_may_do_what_it_is_for(self) -> None:
        self.assertEqual({user.role for user in self.personas}, set(Role.values), "every role has a persona")
        for user in self.personas:
            self.client.force_login(user)
            offered = [item.label for item in self.client.get("/").context["nav_sections"]]
            for section in SECTIONS:
                with self.subTest(user=user.username, section=section.label):
                    self.assertEqual(section.label in offered, role_may(user.role, section), "the role table")
                    # The page agrees with the menu: what is offered opens, what is not is refused (the
                    # admin sends a non-administrator to its own sign-in).
                    status = self.client.get(reverse(section.url_name)).status_code
                    if section.label in offered:
                        self.assertEqual(status, 200, "offered, so it opens")
                    elif section.url_name not in OPEN_TO_EVERYONE:
                        self.assertIn(status, (302, 403), "not offered, so refused")
