"""A case in support with an element delivered by a named intervention provider, for the support
delivery tests (sessions, revising, ending and withdrawing, provider access ending, stalled support)."""

from __future__ import annotations

from datetime import timedelta

from cases.models import Case, Stage, SupportElement
from cases.services import casework
from partners.models import Agency, AgencyKind, Role, User
from tests.base import BaseTestCase
from tests.cases.helpers import make_case, ref, today
from tests.factories import make_agency, make_user


class SupportTestCase(BaseTestCase):
    mentors: Agency
    ivy: User
    rory: User

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.mentors = make_agency(kind=AgencyKind.INTERVENTION_PROVIDER, name="Synthetic Mentoring Ltd", code="sm")
        cls.ivy = make_user(agency=cls.mentors, role=Role.INTERVENTION_PROVIDER, username="ivy", first_name="Ivy")
        # Rory works for the same provider but delivers none of this case's support.
        cls.rory = make_user(agency=cls.mentors, role=Role.INTERVENTION_PROVIDER, username="rory", first_name="Rory")

    def setUp(self) -> None:
        self.case = make_case(owner=self.casey, stage=Stage.SUPPORT_ACTIVE)
        self.element = self.mentoring(self.case, starts_days_ago=60)

    def mentoring(self, case: Case, *, starts_days_ago: int, provider_user: User | None = None) -> SupportElement:
        return casework.add_support_element(
            case=case,
            actor=self.casey,
            support_type=ref("support_type", "ideological_mentoring"),
            provider=self.mentors,
            provider_user=provider_user or self.ivy,
            how="Weekly one-to-one sessions",
            when="Weekly on Tuesdays",
            starts_on=today() - timedelta(days=starts_days_ago),
        )
