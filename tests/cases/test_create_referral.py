"""create_referral and matching_subjects: logging a referral as a new case at 'received'."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core import mail
from django.core.exceptions import ValidationError

from audit import services as audit
from audit.models import AuditEntry, Outcome
from cases.models import Case, Referral, Stage, StageChange, Subject
from cases.services import referrals
from tests.base import BaseTestCase
from tests.cases.helpers import make_case, referral_fields, split_areas, subject_fields, today

# Synthetic and distinctive, so that its absence from an email means something.
FIRST_NAME = "Zebedee"
LAST_NAME = "Testsubjectson"


class CreateReferralTestCase(BaseTestCase):
    def refer(
        self,
        *,
        immediate_risk: bool = False,
        existing_subject: Subject | None = None,
        update_subject: bool = True,
        **fields: Any,
    ) -> Case:
        subject, override = split_areas(subject_fields(**fields))
        return referrals.create_referral(
            actor=self.casey,
            owning_agency=self.council,
            subject_fields=subject,
            referral_fields=referral_fields(immediate_risk=immediate_risk),
            existing_subject=existing_subject,
            update_subject=update_subject,
            area_override=override,
        )

    # --- the new case ---------------------------------------------------------------------------------

    def test_it_creates_the_case_at_stage_received_for_the_owning_agency(self) -> None:
        case = self.refer()
        case.refresh_from_db()
        self.assertEqual(case.stage, Stage.RECEIVED)
        self.assertEqual(case.owning_agency, self.council)
        self.assertIsNone(case.previous_case)
        self.assertEqual(case.received_on, today())
        self.assertEqual(case.subject.full_name, "Test Subject")
        self.assertEqual(case.subject.local_authority_area, "Testshire")
        self.assertEqual(case.subject.police_force_area, "Testshire")
        referral = Referral.objects.get(case=case)
        self.assertEqual(referral.concern_type.code, "islamist")
        self.assertFalse(referral.immediate_risk)

    def test_it_stores_the_normalised_name_and_postcode_for_matching(self) -> None:
        case = self.refer(first_name="Test-Ann", last_name="O'Subject", postcode="ts1 1aa")
        self.assertEqual(case.subject.match_name, "testann osubject")
        self.assertEqual(case.subject.match_postcode, "TS11AA")

    def test_it_numbers_cases_pp_year_and_five_digits(self) -> None:
        case = self.refer()
        self.assertEqual(case.number, f"PP-{today().year}-00001")
        self.assertRegex(case.number, r"^PP-\d{4}-\d{5}$")

    def test_it_numbers_cases_sequentially_within_the_year(self) -> None:
        numbers = [self.refer().number for _ in range(3)]
        year = today().year
        self.assertEqual(numbers, [f"PP-{year}-00001", f"PP-{year}-00002", f"PP-{year}-00003"])

    def test_it_continues_after_the_highest_number_of_the_year(self) -> None:
        first = self.refer()
        year = today().year
        Case.objects.filter(pk=first.pk).update(number=f"PP-{year}-00041")
        self.assertEqual(self.refer().number, f"PP-{year}-00042")

    def test_it_carries_past_ten_without_sorting_numbers_as_text_wrongly(self) -> None:
        first = self.refer()
        year = today().year
        Case.objects.filter(pk=first.pk).update(number=f"PP-{year}-00009")
        self.assertEqual(self.refer().number, f"PP-{year}-00010")
        self.assertEqual(self.refer().number, f"PP-{year}-00011")

    def test_it_starts_each_year_again_at_one(self) -> None:
        earlier = self.refer()
        last_year = today().year - 1
        Case.objects.filter(pk=earlier.pk).update(number=f"PP-{last_year}-00137")
        self.assertEqual(self.refer().number, f"PP-{today().year}-00001")

    def test_it_records_the_first_stage_change(self) -> None:
        case = self.refer()
        change = StageChange.objects.get(case=case)
        self.assertEqual(change.from_stage, "")
        self.assertEqual(change.to_stage, Stage.RECEIVED)
        self.assertEqual(change.actor, self.casey)
        self.assertEqual(change.reason, "Referral received")

    def test_it_audits_the_referral_as_case_referred(self) -> None:
        case = self.refer()
        entry = AuditEntry.objects.get(event="case.referred")
        self.assertEqual(entry.actor, self.casey)
        self.assertEqual(entry.actor_agency, self.council)
        self.assertEqual(entry.actor_role, self.casey.role)
        self.assertEqual(entry.case_reference, case.number)
        self.assertEqual(entry.action, audit.EntryKind.CREATE)
        self.assertEqual(entry.outcome, Outcome.ALLOWED)
        self.assertEqual(entry.content_type, ContentType.objects.get_for_model(Case))
        self.assertEqual(entry.object_pk, str(case.pk))
        self.assertEqual(entry.object_repr, case.number)
        self.assertEqual(entry.additional_data, {"repeat_of": None, "immediate_risk": False})

    def test_the_audit_entry_does_not_name_the_subject(self) -> None:
        self.refer(first_name=FIRST_NAME, last_name=LAST_NAME)
        entry = AuditEntry.objects.get(event="case.referred")
        text = f"{entry.object_repr} {entry.additional_data} {entry.case_reference}"
        self.assertNotIn(FIRST_NAME, text)
        self.assertNotIn(LAST_NAME, text)

    def test_it_refuses_an_incomplete_subject_and_creates_nothing(self) -> None:
        with self.assertRaises(ValidationError):
            self.refer(postcode="")
        self.assertFalse(Case.objects.exists())
        self.assertFalse(Subject.objects.exists())
        self.assertFalse(AuditEntry.objects.filter(event="case.referred").exists())

    def test_it_refuses_an_incomplete_referral_and_creates_nothing(self) -> None:
        with self.assertRaises(ValidationError):
            subject, override = split_areas(subject_fields())
            referrals.create_referral(
                actor=self.casey,
                owning_agency=self.council,
                subject_fields=subject,
                referral_fields=referral_fields(concerns=""),
                area_override=override,
            )
        self.assertFalse(Case.objects.exists())
        self.assertFalse(Subject.objects.exists())
        self.assertFalse(StageChange.objects.exists())
        self.assertFalse(AuditEntry.objects.filter(event="case.referred").exists())

    # --- repeat referrals ---------------------------------------------------------------------------

    def test_a_repeat_referral_is_a_new_case_for_the_same_subject_linked_to_the_previous_case(self) -> None:
        first = self.refer()
        again = self.refer(existing_subject=first.subject, address="2 New Street, Testtown")
        self.assertNotEqual(again.pk, first.pk)
        self.assertEqual(again.subject_id, first.subject_id)
        self.assertEqual(again.previous_case, first)
        self.assertEqual(again.stage, Stage.RECEIVED)
        self.assertEqual(Subject.objects.count(), 1)
        first.subject.refresh_from_db()
        self.assertEqual(first.subject.address, "2 New Street, Testtown")
        entry = AuditEntry.objects.get(event="case.referred", case_reference=again.number)
        self.assertEqual(entry.additional_data, {"repeat_of": first.number, "immediate_risk": False})

    def test_without_leave_to_update_the_earlier_subject_is_untouched_and_the_case_still_linked(self) -> None:
        first = self.refer()
        again = self.refer(
            existing_subject=first.subject, update_subject=False, address="9 Elsewhere", police_force_area="Otherton"
        )
        first.subject.refresh_from_db()
        self.assertEqual(first.subject.address, subject_fields()["address"])
        self.assertEqual(first.subject.police_force_area, "Testshire")
        self.assertNotEqual(again.subject_id, first.subject_id)
        self.assertEqual(again.previous_case, first)

    def test_a_repeat_referral_links_to_the_latest_earlier_case(self) -> None:
        first = self.refer()
        second = self.refer(existing_subject=first.subject)
        third = self.refer(existing_subject=first.subject)
        self.assertEqual(third.previous_case, second)

    def test_a_referral_for_a_new_subject_has_no_previous_case_even_with_the_same_details(self) -> None:
        self.refer()
        second = self.refer()
        self.assertIsNone(second.previous_case)
        self.assertEqual(Subject.objects.count(), 2)

    # --- matching subjects --------------------------------------------------------------------------

    def match(self, *, first_name: str, last_name: str, date_of_birth: date, postcode: str) -> list[Subject]:
        return referrals.matching_subjects(
            first_name=first_name, last_name=last_name, date_of_birth=date_of_birth, postcode=postcode
        )

    def test_matching_finds_the_same_normalised_name_and_date_of_birth(self) -> None:
        case = self.refer(first_name="Test", last_name="Subject", date_of_birth=date(2001, 5, 17))
        found = self.match(
            first_name=" TEST ", last_name="Sub-ject", date_of_birth=date(2001, 5, 17), postcode="ZZ9 9ZZ"
        )
        self.assertEqual(found, [case.subject])

    def test_matching_finds_the_same_date_of_birth_postcode_and_surname_under_another_first_name(self) -> None:
        case = self.refer(first_name="Test", last_name="Subject", date_of_birth=date(2001, 5, 17), postcode="TS1 1AA")
        found = self.match(first_name="Other", last_name="Subject", date_of_birth=date(2001, 5, 17), postcode="ts11aa")
        self.assertEqual(found, [case.subject])

    def test_matching_ignores_a_date_of_birth_and_postcode_alone(self) -> None:
        self.refer(first_name="Test", last_name="Subject", date_of_birth=date(2001, 5, 17), postcode="TS1 1AA")
        found = self.match(first_name="Other", last_name="Name", date_of_birth=date(2001, 5, 17), postcode="TS1 1AA")
        self.assertEqual(found, [])

    def test_matching_ignores_the_same_name_with_another_date_of_birth(self) -> None:
        self.refer(first_name="Test", last_name="Subject", date_of_birth=date(2001, 5, 17), postcode="TS1 1AA")
        found = self.match(first_name="Test", last_name="Subject", date_of_birth=date(2001, 5, 18), postcode="TS1 1AA")
        self.assertEqual(found, [])

    def test_matching_ignores_the_same_date_of_birth_with_another_name_and_postcode(self) -> None:
        self.refer(first_name="Test", last_name="Subject", date_of_birth=date(2001, 5, 17), postcode="TS1 1AA")
        found = self.match(first_name="Other", last_name="Name", date_of_birth=date(2001, 5, 17), postcode="TS2 2BB")
        self.assertEqual(found, [])

    def test_matching_with_no_postcode_does_not_match_on_date_of_birth_alone(self) -> None:
        self.refer(first_name="Test", last_name="Subject", date_of_birth=date(2001, 5, 17), postcode="TS1 1AA")
        found = self.match(first_name="Other", last_name="Name", date_of_birth=date(2001, 5, 17), postcode="")
        self.assertEqual(found, [])

    def test_matching_returns_every_candidate_and_only_candidates(self) -> None:
        by_name = self.refer(
            first_name="Test", last_name="Subject", date_of_birth=date(2001, 5, 17), postcode="TS1 1AA"
        )
        by_postcode = self.refer(
            first_name="Other", last_name="Subject", date_of_birth=date(2001, 5, 17), postcode="TS3 3CC"
        )
        self.refer(first_name="Other", last_name="One", date_of_birth=date(2001, 5, 17), postcode="TS3 3CC")
        self.refer(first_name="Third", last_name="Person", date_of_birth=date(2001, 5, 17), postcode="TS4 4DD")
        self.refer(first_name="Test", last_name="Subject", date_of_birth=date(1999, 1, 1), postcode="TS3 3CC")
        found = self.match(first_name="Test", last_name="Subject", date_of_birth=date(2001, 5, 17), postcode="TS3 3CC")
        self.assertCountEqual(found, [by_name.subject, by_postcode.subject])

    # --- immediate risk -----------------------------------------------------------------------------

    def test_an_immediate_risk_emails_the_owning_councils_coordinators_after_commit(self) -> None:
        with self.captureOnCommitCallbacks(execute=False) as callbacks:
            case = self.refer(immediate_risk=True, first_name=FIRST_NAME, last_name=LAST_NAME)
            # Nothing is sent before the transaction commits.
            self.assertEqual(mail.outbox, [])
        self.assertEqual(len(callbacks), 1)
        self.assertEqual(mail.outbox, [])
        callbacks[0]()
        self.assertEqual(len(mail.outbox), 1)
        email = mail.outbox[0]
        self.assertEqual(email.to, [self.casey.email])
        self.assertIn(case.number, email.subject)
        self.assertIn(case.number, email.body)
        self.assertIn(f"/cases/{case.reference}/", email.body)

    def test_the_immediate_risk_email_does_not_name_the_subject(self) -> None:
        with self.captureOnCommitCallbacks(execute=True):
            case = self.refer(immediate_risk=True, first_name=FIRST_NAME, last_name=LAST_NAME, postcode="TS9 9ZZ")
        self.assertEqual(len(mail.outbox), 1)
        email = mail.outbox[0]
        for personal in (FIRST_NAME, LAST_NAME, "TS9 9ZZ", str(case.subject.date_of_birth), "Test Street"):
            self.assertNotIn(personal, email.subject)
            self.assertNotIn(personal, email.body)

    def test_the_immediate_risk_email_goes_to_no_other_council_or_role(self) -> None:
        with self.captureOnCommitCallbacks(execute=True):
            self.refer(immediate_risk=True)
        recipients = [address for email in mail.outbox for address in email.to]
        self.assertEqual(recipients, [self.casey.email])
        for other in (self.olly, self.charlie, self.pat, self.harper, self.audrey, self.ada):
            self.assertNotIn(other.email, recipients)

    def test_the_immediate_risk_is_recorded_in_the_audit_entry(self) -> None:
        with self.captureOnCommitCallbacks(execute=True):
            case = self.refer(immediate_risk=True)
        entry = AuditEntry.objects.get(event="case.referred", case_reference=case.number)
        self.assertEqual(entry.additional_data, {"repeat_of": None, "immediate_risk": True})

    def test_a_referral_without_immediate_risk_sends_nothing(self) -> None:
        with self.captureOnCommitCallbacks(execute=True) as callbacks:
            self.refer(immediate_risk=False)
        self.assertEqual(callbacks, [])
        self.assertEqual(mail.outbox, [])

    def test_a_refused_referral_queues_no_email(self) -> None:
        with self.captureOnCommitCallbacks(execute=True) as callbacks, self.assertRaises(ValidationError):
            self.refer(immediate_risk=True, postcode="")
        self.assertEqual(callbacks, [])
        self.assertEqual(mail.outbox, [])

    def test_the_builder_makes_a_case_the_same_way(self) -> None:
        case = make_case(owner=self.casey)
        self.assertEqual(case.stage, Stage.RECEIVED)
        self.assertTrue(AuditEntry.objects.filter(event="case.referred", case_reference=case.number).exists())
