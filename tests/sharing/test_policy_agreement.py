"""The policy gives one answer, however it is asked.

On the demo data, for every persona x every demo case x every case capability: the list
(`visible_cases(user, action=c)`), the gate for one case (`access_case`, which answers 404 when the case is
hidden and 403 when it is visible but the capability is not allowed) and the template answer (`can`, on the
case the gate returned and on a case loaded any other way) agree. And for every persona, the menu offers a
section exactly when the role may do what the section is for (ROLE_ACTIONS), and every section offered opens.
"""

from __future__ import annotations

import io
from itertools import pairwise

from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.http import Http404
from django.urls import reverse

from cases.models import Case
from partners.demo import PERSONAS
from partners.models import Role, User
from sharing.access import ROLE_ACTIONS, Capability, access_case, access_level, can, visible_cases
from sharing.navigation import SECTIONS, Section
from sharing.policy import CASE_CAPABILITIES, LEVEL_ACTIONS, AccessLevel
from tests.base import BaseTestCase

CAPABILITIES = sorted(CASE_CAPABILITIES)
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


def role_may(role: str, section: Section) -> bool:
    """Read from the role table alone. The Exports section is for whoever has exports: auditors (the
    log) and those who see a case's access history (its access report)."""
    allowed = ROLE_ACTIONS[role]
    if section.url_name == "audit:exports":
        return Capability.EXPORT_AUDIT in allowed or Capability.ACCESS_HISTORY in allowed
    return section.capability in allowed


class PolicyAgreementTestCase(BaseTestCase):
    users: list[User]
    cases: list[Case]

    @classmethod
    def setUpTestData(cls) -> None:
        call_command("seed_demo", stdout=io.StringIO())
        by_name = {user.username: user for user in User.objects.select_related("agency")}
        cls.users = [by_name[persona.username] for persona in PERSONAS]
        cls.cases = list(Case.objects.select_related("subject", "owning_agency").order_by("number"))

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

    def test_the_menu_offers_a_section_exactly_when_the_role_may_do_what_it_is_for(self) -> None:
        self.assertEqual({user.role for user in self.users}, set(Role.values), "every role has a persona")
        for user in self.users:
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
