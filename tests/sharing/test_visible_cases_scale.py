"""The case list of a panel member stays one visibility query, and a fixed number of queries per page,
however many cases the service holds: 100 cases, then 10,000 of which 1% are shared with them."""

from __future__ import annotations

from datetime import date, timedelta
from itertools import cycle

from django.utils import timezone

from cases.models import Case, ReferenceValue, Referral, Stage, Subject
from sharing import services
from sharing.access import Capability, visible_cases
from sharing.models import LegalBasis, Level
from tests.base import BaseTestCase

BATCH = 1000
STAGES = [Stage.RECEIVED, Stage.POLICE_SCREENING, Stage.INFORMATION_GATHERING, Stage.SUPPORT_ACTIVE, Stage.CLOSED]


class VisibleCasesScaleTestCase(BaseTestCase):
    made = 0

    def make_cases(self, count: int) -> list[Case]:
        """`count` cases with their subjects and referrals, by bulk insert, owned in turn by two councils
        (the subject in the owner's area)."""
        start, self.made = self.made, self.made + count
        owners = cycle([(self.council, "Testshire"), (self.other_council, "Otherton")])
        areas = [next(owners) for _ in range(count)]
        today = timezone.localdate()
        subjects = Subject.objects.bulk_create(
            [
                Subject(
                    first_name="Scale",
                    last_name=f"Testcase-{start + i:05d}",
                    date_of_birth=date(2000, 1, 1) + timedelta(days=i % 3000),
                    gender="not_specified",
                    address=f"{i} Test Street, {area}",
                    postcode="TE1 1ST",
                    local_authority_area=area,
                    police_force_area=area,
                    match_name=f"scaletestcase{start + i:05d}",
                    match_postcode="TE11ST",
                )
                for i, (_, area) in enumerate(areas)
            ],
            batch_size=BATCH,
        )
        cases = Case.objects.bulk_create(
            [
                Case(
                    number=f"PP-2099-{start + i:05d}",
                    subject=subject,
                    owning_agency=owner,
                    stage=STAGES[i % len(STAGES)],
                    received_on=today - timedelta(days=(start + i) % 365),
                )
                for i, (subject, (owner, _)) in enumerate(zip(subjects, areas, strict=True))
            ],
            batch_size=BATCH,
        )
        sector = ReferenceValue.objects.get(list_name="source_sector", code="education")
        concern = ReferenceValue.objects.get(list_name="concern_type", code="extreme_right_wing")
        Referral.objects.bulk_create(
            [
                Referral(
                    case=case,
                    source_sector=sector,
                    concern_type=concern,
                    referrer_name="A Referrer",
                    referrer_organisation="Test School",
                    referrer_contact="01234 567890",
                    concerns="Synthetic concern text.",
                )
                for case in cases
            ],
            batch_size=BATCH,
        )
        return cases

    def share_with_health(self, cases: list[Case]) -> None:
        """Through the real service: a ShareGrant and its guardian group permission (cases.view_case)."""
        for case in cases:
            owner = self.casey if case.owning_agency_id == self.council.pk else self.olly
            services.grant_access(
                case=case,
                actor=owner,
                agency=self.health,
                level=Level.SUMMARY,
                purpose="Health input to the panel",
                legal_basis=LegalBasis.PUBLIC_TASK,
                ends_at=timezone.now() + timedelta(days=30),
            )

    def test_the_list_costs_the_same_queries_with_100_and_with_10000_cases(self) -> None:
        granted = self.make_cases(100)
        self.share_with_health(granted)
        self.client.force_login(self.harper)
        self.client.get("/cases/")  # the first request warms caches (content types); measure the next ones

        # 1 session, 2 the user with their agency, 3 the paginator's count of visible cases, 4 the page of
        # visible cases with subject and concern joined, 5-7 the audit entry of the references shown (savepoint,
        # insert, release), 8 the concern types for the filter form.
        with self.assertNumQueries(8):
            small = self.client.get("/cases/")
        self.assertEqual(small.context["page"].paginator.count, 100)

        self.make_cases(9_900)
        self.assertEqual(Case.objects.count(), 10_000)
        with self.assertNumQueries(8):
            large = self.client.get("/cases/")
        self.assertEqual(large.context["page"].paginator.count, 100, "exactly the 1% shared with health")
        self.assertEqual(len(large.context["cases"]), 25)
        self.assertLessEqual({c.pk for c in large.context["cases"]}, {c.pk for c in granted})
        with self.assertNumQueries(8):
            last = self.client.get("/cases/?page=4")
        self.assertEqual(len(last.context["cases"]), 25)

        # The owner's list, 5,000 cases, costs the same.
        self.client.force_login(self.casey)
        self.client.get("/cases/")
        with self.assertNumQueries(8):
            owner = self.client.get("/cases/")
        self.assertEqual(owner.context["page"].paginator.count, 5_000)

        with self.assertNumQueries(1):
            page = list(visible_cases(self.harper)[:25])
        self.assertEqual(len(page), 25)
        self.assertLessEqual({c.pk for c in page}, {c.pk for c in granted})
        # Asked for an action, the list keeps only the ways of seeing whose level allows it: still one query.
        with self.assertNumQueries(1):
            self.assertEqual(list(visible_cases(self.harper, action=Capability.VIEW_FULL)[:25]), [])
