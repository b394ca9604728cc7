"""Notification emails: the right people hear, and no email ever carries a person's name."""

from __future__ import annotations

from django.core import mail

from cases.models import Case
from cases.tasks import notify_immediate_risk
from partners.models import Role
from partners.services import deactivate_user
from tests.base import BaseTestCase
from tests.factories import make_case, make_user

FIRST, LAST = "Wrenna", "Testcase-Mail"


class EmailTestCase(BaseTestCase):
    def assert_no_names(self, message: mail.EmailMessage, *cases: Case) -> None:
        text = f"{message.subject}\n{message.body}"
        for case in cases:
            for name in (case.subject.first_name, case.subject.last_name, case.subject.full_name):
                self.assertNotIn(name, text)

    def sent_to(self) -> dict[str, mail.EmailMessage]:
        found: dict[str, mail.EmailMessage] = {}
        for message in mail.outbox:
            self.assertEqual(len(message.to), 1, "each recipient gets their own email")
            found[message.to[0]] = message
        return found


class ImmediateRiskTestCase(EmailTestCase):
    def test_the_owning_councils_active_coordinators_are_told_once_the_referral_commits(self) -> None:
        make_user(agency=self.council, role=Role.PREVENT_COORDINATOR, email="")
        deactivate_user(user=make_user(agency=self.council, role=Role.PREVENT_COORDINATOR))
        second = make_user(agency=self.council, role=Role.PREVENT_COORDINATOR)
        with self.captureOnCommitCallbacks(execute=True) as callbacks:
            case = make_case(owner=self.casey, first_name=FIRST, last_name=LAST, immediate_risk=True)
            self.assertEqual(mail.outbox, [], "nothing is sent before the referral commits")
        self.assertEqual(len(callbacks), 1)
        self.assertEqual(len(mail.outbox), 1)
        message = mail.outbox[0]
        # Not the chair, the police, another council's coordinator, nor an inactive or email-less coordinator.
        self.assertEqual(sorted(message.to), sorted([self.casey.email, second.email]))
        self.assertIn(case.number, message.subject)
        self.assertIn(case.number, message.body)
        self.assertIn(f"/cases/{case.reference}/", message.body)
        self.assert_no_names(message, case)

    def test_the_task_sends_to_the_owning_council_only(self) -> None:
        make_user(agency=self.other_council, role=Role.PREVENT_COORDINATOR)
        case = make_case(owner=self.olly, first_name=FIRST, last_name=LAST, immediate_risk=True)
        self.assertEqual(notify_immediate_risk(case.pk), 1)
        self.assertEqual(len(mail.outbox), 1)
        self.assertNotIn(self.casey.email, mail.outbox[0].to)
        self.assertIn(self.olly.email, mail.outbox[0].to)
        self.assert_no_names(mail.outbox[0], case)

    def test_a_referral_without_immediate_risk_sends_nothing(self) -> None:
        with self.captureOnCommitCallbacks(execute=True) as callbacks:
            make_case(owner=self.casey, first_name=FIRST, last_name=LAST)
        self.assertEqual(callbacks, [])
        self.assertEqual(mail.outbox, [])
