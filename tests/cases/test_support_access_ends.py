"""A provider's access through the support plan ends at their next request (404, recorded as refused) in
each of the three ways: their element ends (ended, withdrawn, or its end date passed), the case exits, or
consent is withdrawn (the case moves to re-assessment scheduled). The list, the gate and the sharing tab's
routes follow."""

from __future__ import annotations

from datetime import timedelta

from audit.models import AuditEntry
from cases.models import ConsentStatus, Stage, SupportChange, SupportElement
from cases.services import consent, support
from sharing.access import visible_cases, visible_support_elements, who_can_see
from tests.cases.helpers import advance, owning_coordinator, today
from tests.cases.support_helpers import SupportTestCase

PROVIDER_ROW = "Named provider of part of the support plan"


class ProviderAccessEndsTestCase(SupportTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.client.force_login(self.ivy)
        self.url = f"/cases/{self.case.reference}/plan/"

    def assert_sees_it(self) -> None:
        self.assertEqual(self.client.get(self.url).status_code, 200)
        self.assertIn(self.case, visible_cases(self.ivy))
        self.assertIn(PROVIDER_ROW, [route.why for route in who_can_see(self.case)])

    def assert_access_ended(self) -> None:
        denied = AuditEntry.objects.filter(event="case.viewed", outcome="denied", actor=self.ivy).count()
        self.assertEqual(self.client.get(self.url).status_code, 404)
        self.assertEqual(
            AuditEntry.objects.filter(event="case.viewed", outcome="denied", actor=self.ivy).count(), denied + 1
        )
        self.assertNotIn(self.case, visible_cases(self.ivy))
        self.assertEqual(list(visible_support_elements(self.ivy, self.case)), [])
        self.assertNotIn(PROVIDER_ROW, [route.why for route in who_can_see(self.case)])

    def test_ending_the_element_ends_access(self) -> None:
        self.assert_sees_it()
        support.stop_support(
            element=self.element, actor=self.casey, change=SupportChange.ENDED, reason="Completed.", on=today()
        )
        self.assert_access_ended()

    def test_withdrawing_the_element_ends_access(self) -> None:
        self.assert_sees_it()
        support.stop_support(
            element=self.element, actor=self.casey, change=SupportChange.WITHDRAWN, reason="Not working.", on=today()
        )
        self.assert_access_ended()

    def test_an_end_date_in_the_past_ends_access(self) -> None:
        self.assert_sees_it()
        SupportElement.objects.filter(pk=self.element.pk).update(ends_on=today() - timedelta(days=1))
        self.assert_access_ended()

    def test_the_case_exiting_ends_access(self) -> None:
        self.assert_sees_it()
        self.case = advance(advance(self.case, Stage.UNDER_REVIEW, owner=self.casey), Stage.EXITED, owner=self.casey)
        self.assertEqual(self.case.stage, Stage.EXITED)
        self.assert_access_ended()

    def test_consent_withdrawn_ends_access(self) -> None:
        self.assert_sees_it()
        consent.record_consent(
            case=self.case,
            actor=self.casey,
            status=ConsentStatus.WITHDRAWN,
            consenting=None,
            child_view="",
            method="Phone call with the coordinator",
            requested_by=owning_coordinator(self.case, self.casey),
            requested_on=today(),
            on=today(),
            reassessment_on=today() + timedelta(days=90),
        )
        self.case.refresh_from_db()
        self.assertEqual(self.case.stage, Stage.REASSESSMENT_SCHEDULED)
        self.assert_access_ended()

    def test_another_element_of_theirs_still_current_keeps_access(self) -> None:
        self.mentoring(self.case, starts_days_ago=5)
        support.stop_support(
            element=self.element, actor=self.casey, change=SupportChange.ENDED, reason="Completed.", on=today()
        )
        self.assert_sees_it()
        self.assertEqual(len(visible_support_elements(self.ivy, self.case)), 1)
