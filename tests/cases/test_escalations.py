"""Escalation to the police: from any stage the owning council's coordinator escalates a case when an
immediate risk is found later; the case keeps its stage, the escalation is recorded (chronology, audit by
reference), the referral is marked as an immediate risk, the police of the subject's force area are
emailed (the case number, never the person or the reason) and see it in "Things to do" until one of them
acknowledges it; only the police of that area may."""

from __future__ import annotations

import json

from django.core import mail
from django.core.exceptions import ValidationError

from audit.models import AuditEntry, Outcome
from cases.models import Escalation, Referral, Stage
from cases.services import escalations
from partners.models import AgencyKind, Role
from tests.base import BaseTestCase
from tests.cases.helpers import make_case as make_case_at
from tests.factories import make_agency, make_user
from tests.sharing.grant_helpers import audit_mark, share, written_since

REASON = "Synthetic reason: the mentor heard Quillon-canary threaten a named teacher."


class EscalationTestCase(BaseTestCase):
    def setUp(self) -> None:
        self.case = make_case_at(
            owner=self.casey, stage=Stage.INFORMATION_GATHERING, first_name="Quenby", last_name="Quillon"
        )
        # Otto polices another force area and must not acknowledge Testshire's escalations.
        other_force = make_agency(
            kind=AgencyKind.POLICE, name="Otherton Police", code="op", police_force_area="Otherton"
        )
        self.otto = make_user(agency=other_force, role=Role.POLICE_PRACTITIONER, username="otto")

    def url(self, path: str = "") -> str:
        return f"/cases/{self.case.reference}/{path}"

    def escalate(self) -> Escalation:
        with self.captureOnCommitCallbacks(execute=True):
            return escalations.escalate_to_police(case=self.case, actor=self.casey, reason=REASON)

    # --- the service ----------------------------------------------------------------------------

    def test_the_case_keeps_its_stage_and_the_escalation_is_recorded_at_it(self) -> None:
        escalation = self.escalate()

        self.case.refresh_from_db()
        self.assertEqual(self.case.stage, Stage.INFORMATION_GATHERING)
        self.assertEqual(escalation.stage, Stage.INFORMATION_GATHERING)
        self.assertEqual((escalation.actor, escalation.reason), (self.casey, REASON))
        self.assertIsNone(escalation.acknowledged_at)
        self.assertFalse(self.case.stage_changes.filter(to_stage=Stage.POLICE_LED).exists())

    def test_the_referral_is_marked_as_an_immediate_risk(self) -> None:
        self.assertFalse(Referral.objects.get(case=self.case).immediate_risk)
        escalation = self.escalate()
        self.assertTrue(Referral.objects.get(case=self.case).immediate_risk)
        self.assertTrue(escalation.set_immediate_risk)
        # A second escalation finds the referral already marked.
        self.assertFalse(self.escalate().set_immediate_risk)

    def test_the_police_of_the_area_are_emailed_the_case_number_and_nothing_personal(self) -> None:
        self.escalate()

        self.assertEqual(len(mail.outbox), 1)
        email = mail.outbox[0]
        self.assertEqual(email.to, [self.pat.email])
        self.assertIn(self.case.number, email.subject)
        self.assertIn(self.case.number, email.body)
        for personal in ("Quenby", "Quillon", REASON, self.casey.first_name, self.case.subject.postcode):
            self.assertNotIn(personal, f"{email.subject}\n{email.body}")

    def test_it_is_audited_by_reference_never_with_the_reason(self) -> None:
        escalation = self.escalate()
        entry = AuditEntry.objects.get(event="case.escalated")
        self.assertEqual(entry.case_reference, self.case.number)
        self.assertEqual(entry.additional_data["escalation"], str(escalation.reference))
        self.assertEqual(entry.additional_data["stage"], Stage.INFORMATION_GATHERING)
        self.assertNotIn("canary", json.dumps([entry.additional_data, entry.object_repr, entry.purpose]))

    def test_a_reason_is_required_and_nothing_is_recorded_without_one(self) -> None:
        with self.assertRaisesMessage(ValidationError, "Say why the case is escalated"):
            escalations.escalate_to_police(case=self.case, actor=self.casey, reason="   ")
        self.assertFalse(Escalation.objects.exists())
        self.assertFalse(Referral.objects.get(case=self.case).immediate_risk)
        self.assertFalse(AuditEntry.objects.filter(event="case.escalated").exists())

    def test_an_escalation_is_acknowledged_once(self) -> None:
        escalation = self.escalate()
        escalations.acknowledge_escalation(escalation=escalation, actor=self.pat)
        escalation.refresh_from_db()
        self.assertEqual(escalation.acknowledged_by, self.pat)
        with self.assertRaisesMessage(ValidationError, "already been acknowledged"):
            escalations.acknowledge_escalation(escalation=escalation, actor=self.pat)

    # --- the escalation page --------------------------------------------------------------------

    def test_the_coordinator_escalates_from_the_case_page(self) -> None:
        self.client.force_login(self.casey)
        self.assertContains(self.client.get(self.url()), "Escalate to the police")
        mark = audit_mark()
        page = self.client.get(self.url("escalate/"))
        self.assertContains(page, "call 999")

        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(self.url("escalate/"), {"reason": REASON})

        self.assertRedirects(response, self.url(), fetch_redirect_response=False)
        self.assertEqual(Escalation.objects.get().case, self.case)
        self.assertEqual(
            written_since(mark),
            [
                ("case.escalate.form_opened", Outcome.ALLOWED),
                ("case.escalate", Outcome.ALLOWED),
                ("case.escalated", Outcome.ALLOWED),
            ],
        )
        chronology = self.client.get(self.url("chronology/"))
        self.assertContains(chronology, "Escalated to the police")
        self.assertContains(self.client.get(self.url()), "not yet acknowledged")

    def test_an_empty_reason_is_shown_in_the_error_summary(self) -> None:
        self.client.force_login(self.casey)
        response = self.client.post(self.url("escalate/"), {"reason": ""})
        self.assertContains(response, "Say why the case is escalated to the police", status_code=400)
        self.assertContains(response, "govuk-error-summary", status_code=400)
        self.assertFalse(Escalation.objects.exists())

    def test_the_chair_and_the_police_may_not_escalate_403_and_another_council_404(self) -> None:
        for user, status in ((self.charlie, 403), (self.pat, 403), (self.olly, 404)):
            with self.subTest(user=user.username):
                self.client.force_login(user)
                mark = audit_mark()
                response = self.client.post(self.url("escalate/"), {"reason": REASON})
                self.assertEqual(response.status_code, status)
                self.assertEqual(written_since(mark), [("case.escalate", Outcome.DENIED)])
                if status == 403:
                    self.assertNotContains(self.client.get(self.url()), "Escalate to the police")
        self.assertFalse(Escalation.objects.exists())

    # --- acknowledgement ------------------------------------------------------------------------

    def test_the_police_of_the_area_see_it_in_things_to_do_and_acknowledge_it(self) -> None:
        escalation = self.escalate()
        ack = self.url(f"escalations/{escalation.reference}/acknowledge/")
        self.client.force_login(self.pat)
        home = self.client.get("/")
        self.assertContains(home, "1 escalation to the police to acknowledge")
        listed = self.client.get("/cases/escalations/")
        self.assertContains(listed, self.case.number)
        mark = audit_mark()

        self.assertContains(self.client.get(ack), REASON)
        response = self.client.post(ack)

        self.assertRedirects(response, self.url(), fetch_redirect_response=False)
        escalation.refresh_from_db()
        self.assertEqual(escalation.acknowledged_by, self.pat)
        self.assertEqual(
            written_since(mark),
            [
                ("case.acknowledge_escalation.form_opened", Outcome.ALLOWED),
                ("case.acknowledge_escalation", Outcome.ALLOWED),
                ("case.escalation_acknowledged", Outcome.ALLOWED),
            ],
        )
        self.assertNotContains(self.client.get("/"), "to the police to acknowledge")
        self.assertContains(self.client.get(ack), "This escalation has been acknowledged")
        self.assertEqual(self.client.post(ack).status_code, 400)

    def test_only_the_police_of_that_area_may_acknowledge(self) -> None:
        escalation = self.escalate()
        ack = self.url(f"escalations/{escalation.reference}/acknowledge/")
        # Harper sees the case in full by a grant, Casey owns it, Otto polices another area, even with a grant.
        share(self.case, actor=self.casey, agency=self.health)
        for user, status in ((self.harper, 403), (self.casey, 403), (self.otto, 404)):
            with self.subTest(user=user.username):
                self.client.force_login(user)
                mark = audit_mark()
                self.assertEqual(self.client.post(ack).status_code, status)
                self.assertEqual(written_since(mark), [("case.acknowledge_escalation", Outcome.DENIED)])
        share(self.case, actor=self.casey, user=self.otto)
        self.client.force_login(self.otto)
        self.assertEqual(self.client.post(ack).status_code, 403)
        self.assertNotContains(self.client.get("/"), "to the police to acknowledge")
        escalation.refresh_from_db()
        self.assertIsNone(escalation.acknowledged_at)

    def test_another_cases_escalation_is_as_missing_as_none(self) -> None:
        other = make_case_at(owner=self.casey, stage=Stage.RECEIVED, last_name="Othercase")
        escalation = self.escalate()
        self.client.force_login(self.pat)
        response = self.client.post(f"/cases/{other.reference}/escalations/{escalation.reference}/acknowledge/")
        self.assertEqual(response.status_code, 404)
        escalation.refresh_from_db()
        self.assertIsNone(escalation.acknowledged_at)

    def test_the_list_of_escalations_is_for_the_police_only(self) -> None:
        self.client.force_login(self.casey)
        self.assertEqual(self.client.get("/cases/escalations/").status_code, 403)
