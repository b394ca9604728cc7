"""The menu offers a section exactly when the role may do what the section is for (the policy's tables):
intervention providers have panel meetings, and can open the ones they are invited to."""

from __future__ import annotations

from typing import Any

from cases.services import meetings
from partners.models import AgencyKind, Role, User
from tests.base import BaseTestCase
from tests.cases.meeting_helpers import plan_meeting
from tests.factories import make_agency, make_user


def menu(page: Any) -> list[str]:
    return [item.label for item in page.context["nav_sections"]]


class NavigationTestCase(BaseTestCase):
    mentor: User

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        mentors = make_agency(kind=AgencyKind.INTERVENTION_PROVIDER, name="Synthetic Mentoring Ltd")
        # Morgan delivers mentoring and attends the panel when invited.
        cls.mentor = make_user(agency=mentors, role=Role.INTERVENTION_PROVIDER, username="morgan")

    def test_an_intervention_provider_has_panel_meetings_and_opens_one_they_are_invited_to(self) -> None:
        meeting = plan_meeting(organiser=self.casey, chair=self.charlie)
        meetings.invite(meeting=meeting, actor=self.casey, user=self.mentor)
        self.client.force_login(self.mentor)

        home = self.client.get("/")
        self.assertEqual(menu(home), ["Cases", "Panel meetings"])
        self.assertContains(home, "/cases/meetings/")
        listed = self.client.get("/cases/meetings/")
        self.assertContains(listed, f"/cases/meetings/{meeting.reference}/")
        self.assertEqual(self.client.get(f"/cases/meetings/{meeting.reference}/").status_code, 200)

    def test_an_intervention_provider_does_not_open_a_meeting_they_are_not_invited_to(self) -> None:
        meeting = plan_meeting(organiser=self.casey, chair=self.charlie)
        self.client.force_login(self.mentor)
        self.assertEqual(self.client.get(f"/cases/meetings/{meeting.reference}/").status_code, 404)

    def test_administrators_have_reference_data_only(self) -> None:
        self.client.force_login(self.ada)
        self.assertEqual(menu(self.client.get("/")), ["Reference data"])
