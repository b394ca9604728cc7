"""A provider's access through the support plan ends with their support: afterwards whatever else they hold
(here a summary grant) is all they have, and the plan, the sharing tab and the lists agree."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from cases.models import Case, Stage, SupportElement
from cases.services import casework as case_services
from partners.models import Agency, AgencyKind, Role, User
from sharing.access import (
    AccessLevel,
    Capability,
    access_level,
    can,
    visible_cases,
    visible_support_elements,
    who_can_see,
)
from sharing.models import Level
from tests.base import BaseTestCase
from tests.cases.helpers import ref, set_stage
from tests.factories import make_agency, make_case, make_user
from tests.sharing.grant_helpers import share

PROVIDER_ROW = "Named provider of part of the support plan"


class EndedSupportTestCase(BaseTestCase):
    mentors: Agency
    mentor: User

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.mentors = make_agency(kind=AgencyKind.INTERVENTION_PROVIDER, name="Synthetic Mentoring Ltd")
        # Morgan mentored the subject; the support ended yesterday, and the owner shared a summary since.
        cls.mentor = make_user(agency=cls.mentors, role=Role.INTERVENTION_PROVIDER, username="morgan")

    def setUp(self) -> None:
        # Support is delivered while the case is in support (sharing.policy.current_support).
        self.case = set_stage(
            make_case(owner=self.casey, first_name="Ended", last_name="Supportcase"), Stage.SUPPORT_ACTIVE
        )

    def support(self, case: Case, *, ends_on_days: int | None) -> SupportElement:
        today = timezone.localdate()
        return case_services.add_support_element(
            case=case,
            actor=self.casey,
            support_type=ref("support_type", "ideological_mentoring"),
            provider=self.mentors,
            provider_user=self.mentor,
            how="Weekly sessions",
            when="Tuesdays",
            starts_on=today - timedelta(days=60),
            ends_on=None if ends_on_days is None else today + timedelta(days=ends_on_days),
        )

    def test_a_provider_whose_support_has_ended_keeps_only_their_summary_grant(self) -> None:
        self.support(self.case, ends_on_days=-1)
        share(self.case, actor=self.casey, user=self.mentor, level=Level.SUMMARY)

        self.assertEqual(access_level(self.mentor, self.case), AccessLevel.SUMMARY)
        self.assertTrue(can(self.mentor, self.case, Capability.VIEW))
        self.assertFalse(can(self.mentor, self.case, Capability.VIEW_PLAN))
        self.assertFalse(can(self.mentor, self.case, Capability.ADD_NOTE))
        self.assertIn(self.case, visible_cases(self.mentor))
        self.assertNotIn(self.case, visible_cases(self.mentor, action=Capability.VIEW_PLAN))
        self.assertEqual(list(visible_support_elements(self.mentor, self.case)), [])

        self.client.force_login(self.mentor)
        self.assertEqual(self.client.get(f"/cases/{self.case.reference}/").status_code, 200)
        for path in ("plan/", "notes/new/"):
            self.assertEqual(self.client.get(f"/cases/{self.case.reference}/{path}").status_code, 403, path)

    def test_while_the_support_lasts_the_provider_sees_the_plan_and_adds_notes(self) -> None:
        element = self.support(self.case, ends_on_days=0)  # the last day of support still counts
        share(self.case, actor=self.casey, user=self.mentor, level=Level.SUMMARY)

        self.assertEqual(access_level(self.mentor, self.case), AccessLevel.PROVIDER)
        self.assertEqual(list(visible_support_elements(self.mentor, self.case)), [element])
        self.client.force_login(self.mentor)
        for path in ("plan/", "notes/new/"):
            self.assertEqual(self.client.get(f"/cases/{self.case.reference}/{path}").status_code, 200, path)

    def test_the_sharing_tab_no_longer_names_a_provider_whose_support_has_ended(self) -> None:
        ended = set_stage(
            make_case(owner=self.casey, first_name="Other", last_name="Supportcase"), Stage.SUPPORT_ACTIVE
        )
        self.support(self.case, ends_on_days=5)
        self.support(ended, ends_on_days=-1)

        self.assertEqual([row.why for row in who_can_see(self.case)].count(PROVIDER_ROW), 1)
        self.assertNotIn(PROVIDER_ROW, [row.why for row in who_can_see(ended)])
        self.client.force_login(self.casey)
        self.assertContains(self.client.get(f"/cases/{self.case.reference}/sharing/"), PROVIDER_ROW)
        self.assertNotContains(self.client.get(f"/cases/{ended.reference}/sharing/"), PROVIDER_ROW)
        # The owner still sees the ended element on the plan: the plan keeps its history.
        self.assertEqual(visible_support_elements(self.casey, ended).count(), 1)
