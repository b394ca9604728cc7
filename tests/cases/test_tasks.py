"""Notification emails: the right people hear, and no email ever carries a person's name."""

from __future__ import annotations

from datetime import timedelta

from django.core import mail
from django.utils import timezone

from cases.models import Case
from cases.services import casework
from cases.tasks import notify_immediate_risk, notify_overdue_actions
from partners.models import Role, User
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


class OverdueActionsTestCase(EmailTestCase):
    def setUp(self) -> None:
        self.case = make_case(owner=self.casey, first_name=FIRST, last_name=LAST)
        self.today = timezone.localdate()

    def add_action(self, *, case: Case | None = None, owner: User | None = None, days: int = -3) -> None:
        casework.add_action(
            case=case or self.case,
            actor=self.casey,
            description=f"Call {FIRST} {LAST}'s school",
            owner_agency=owner.agency if owner else self.council,
            owner_user=owner,
            due_on=self.today + timedelta(days=days),
        )

    def test_the_owner_hears_of_their_overdue_action(self) -> None:
        self.add_action(owner=self.pat)
        self.assertEqual(notify_overdue_actions(), 1)
        sent = self.sent_to()
        self.assertEqual(set(sent), {self.pat.email})
        message = sent[self.pat.email]
        self.assertEqual(message.subject, "1 overdue Channel action")
        self.assertIn(self.case.number, message.body)
        self.assert_no_names(message, self.case)
        self.assertNotIn("school", message.body, "the description may name people, so it is not sent")

    def test_without_an_owner_the_owning_councils_active_coordinators_hear(self) -> None:
        make_user(agency=self.council, role=Role.PREVENT_COORDINATOR, email="")
        deactivate_user(user=make_user(agency=self.council, role=Role.PREVENT_COORDINATOR))
        second = make_user(agency=self.council, role=Role.PREVENT_COORDINATOR)
        self.add_action()
        self.assertEqual(notify_overdue_actions(), 2)
        sent = self.sent_to()
        # Not the chair, not another council's coordinator, not the inactive or email-less coordinator.
        self.assertEqual(set(sent), {self.casey.email, second.email})
        for message in sent.values():
            self.assertIn(self.case.number, message.body)
            self.assert_no_names(message, self.case)

    def test_a_deactivated_owner_is_replaced_by_the_coordinators(self) -> None:
        leaver = make_user(agency=self.police_force, role=Role.POLICE_PRACTITIONER)
        self.add_action(owner=leaver)
        deactivate_user(user=leaver)
        notify_overdue_actions()
        self.assertEqual(set(self.sent_to()), {self.casey.email})

    def test_one_email_per_recipient_lists_every_overdue_case(self) -> None:
        other = make_case(owner=self.casey, first_name="Quill", last_name="Testcase-Other")
        self.add_action(owner=self.pat, days=-1)
        self.add_action(case=other, owner=self.pat, days=-40)
        self.assertEqual(notify_overdue_actions(), 1)
        message = self.sent_to()[self.pat.email]
        self.assertEqual(message.subject, "2 overdue Channel actions")
        self.assertIn(self.case.number, message.body)
        self.assertIn(other.number, message.body)
        self.assert_no_names(message, self.case, other)

    def test_actions_due_today_later_or_done_are_not_overdue(self) -> None:
        self.add_action(owner=self.pat, days=0)
        self.add_action(owner=self.pat, days=5)
        self.add_action(owner=self.pat, days=-2)
        casework.complete_action(action=self.case.actions.get(due_on__lt=self.today), actor=self.pat)
        self.assertEqual(notify_overdue_actions(), 0)
        self.assertEqual(mail.outbox, [])


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
