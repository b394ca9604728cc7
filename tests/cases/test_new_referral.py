from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from audit.models import AuditEntry, Outcome
from cases.models import Case, ReferenceValue, Stage, Subject
from tests.base import BaseTestCase
from tests.factories import make_case


def referral_form(**overrides: Any) -> dict[str, Any]:
    """A valid POST of the referral form, with overrides."""
    data = {
        "first_name": "Dogwood",
        "last_name": "Referral",
        "other_names": "",
        "date_of_birth_0": "15",
        "date_of_birth_1": "6",
        "date_of_birth_2": "2010",
        "gender": "female",
        "address": "2 Synthetic Road",
        "postcode": "te1 2ab",
        "source_sector": ReferenceValue.objects.get(list_name="source_sector", code="education").pk,
        "concern_type": ReferenceValue.objects.get(list_name="concern_type", code="islamist").pk,
        "referrer_name": "A Teacher",
        "referrer_organisation": "Test Academy",
        "referrer_contact": "01234 000000",
        "concerns": "Synthetic concern.",
        "immediate_risk": "no",
    }
    data.update(overrides)
    return data


class NewReferralTestCase(BaseTestCase):
    def form(self, **overrides: Any) -> dict[str, Any]:
        return referral_form(**overrides)

    def test_the_coordinator_logs_a_referral(self) -> None:
        self.client.force_login(self.casey)
        self.assertEqual(self.client.get("/cases/new/").status_code, 200)
        response = self.client.post("/cases/new/", self.form())
        case = Case.objects.get()
        self.assertRedirects(response, f"/cases/{case.reference}/logged/")
        self.assertEqual(case.stage, Stage.RECEIVED)
        self.assertEqual(case.owning_agency, self.council)
        self.assertEqual(case.subject.postcode, "TE1 2AB")
        self.assertEqual(case.subject.local_authority_area, "Testshire")
        entry = AuditEntry.objects.get(event="case.referred")
        self.assertEqual((entry.actor, entry.case_reference), (self.casey, case.number))

    def test_only_coordinators_log_referrals(self) -> None:
        for user in (self.pat, self.harper, self.audrey):
            self.client.force_login(user)
            self.assertEqual(self.client.get("/cases/new/").status_code, 403)
            self.assertEqual(self.client.post("/cases/new/", self.form()).status_code, 403)
        self.assertFalse(Case.objects.exists())
        self.assertEqual(AuditEntry.objects.filter(event="create_referral.denied", outcome=Outcome.DENIED).count(), 6)

    def test_bad_input_gets_an_error_summary_and_saves_nothing(self) -> None:
        self.client.force_login(self.casey)
        tomorrow = date.today() + timedelta(days=1)
        cases = [
            ({"first_name": ""}, "Enter the person&#x27;s first name"),
            (
                {
                    "date_of_birth_0": str(tomorrow.day),
                    "date_of_birth_1": str(tomorrow.month),
                    "date_of_birth_2": str(tomorrow.year),
                },
                "Date of birth must be in the past",
            ),
            ({"date_of_birth_1": "13"}, "Date of birth must be a real date"),
            ({"postcode": "not a postcode"}, "Enter a real postcode"),
            ({"concerns": ""}, "Describe why the referrer is concerned"),
        ]
        for overrides, message in cases:
            response = self.client.post("/cases/new/", self.form(**overrides))
            self.assertEqual(response.status_code, 400, overrides)
            self.assertContains(response, "govuk-error-summary", status_code=400)
            self.assertContains(response, message, status_code=400)
        self.assertFalse(Case.objects.exists())
        self.assertFalse(Subject.objects.exists())

    def test_forged_fields_in_the_post_are_ignored(self) -> None:
        self.client.force_login(self.casey)
        self.client.post(
            "/cases/new/",
            self.form(stage="support_active", owning_agency=self.other_council.pk, number="PP-1999-00001"),
        )
        case = Case.objects.get()
        self.assertEqual(case.stage, Stage.RECEIVED)
        self.assertEqual(case.owning_agency, self.council)
        self.assertNotEqual(case.number, "PP-1999-00001")

    def test_a_repeat_referral_asks_whether_it_is_the_same_person_and_links_the_case(self) -> None:
        earlier = make_case(
            owner=self.casey, first_name="Dogwood", last_name="Referral", subject={"date_of_birth": date(2010, 6, 15)}
        )
        self.client.force_login(self.casey)
        first = self.client.post("/cases/new/", self.form(first_name="DOGWOOD", last_name="referral"))
        self.assertEqual(first.status_code, 400)
        self.assertContains(first, "This person may have been referred before", status_code=400)
        self.assertContains(first, earlier.number, status_code=400)
        self.assertEqual(Case.objects.count(), 1)
        second = self.client.post("/cases/new/", self.form(link_subject=str(earlier.subject.reference)))
        new = Case.objects.exclude(pk=earlier.pk).get()
        self.assertRedirects(second, f"/cases/{new.reference}/logged/")
        self.assertEqual(new.subject, earlier.subject)
        self.assertEqual(new.previous_case, earlier)

    def test_others_learn_only_that_an_earlier_case_exists(self) -> None:
        hidden = make_case(
            owner=self.olly,
            first_name="Dogwood",
            last_name="Referral",
            force_area="Otherton",
            subject={"date_of_birth": date(2010, 6, 15)},
        )
        self.client.force_login(self.casey)
        response = self.client.post("/cases/new/", self.form())
        self.assertContains(response, "An earlier case exists that is not shared with you", status_code=400)
        self.assertNotContains(response, hidden.number, status_code=400)
        self.client.post("/cases/new/", self.form(link_subject="new"))
        self.assertEqual(Subject.objects.count(), 2)

    def test_an_immediate_risk_referral_emails_the_owner(self) -> None:
        from django.core import mail

        self.client.force_login(self.casey)
        with self.captureOnCommitCallbacks(execute=True):
            self.client.post("/cases/new/", self.form(immediate_risk="yes"))
        case = Case.objects.get()
        self.assertEqual(len(mail.outbox), 1)
        self.assertIn(case.number, mail.outbox[0].subject)
        self.assertNotIn("Dogwood", mail.outbox[0].body)


class RepeatReferralSafetyTestCase(BaseTestCase):
    """Another council linking to a person it cannot see must not change that person's record."""

    def test_another_council_cannot_rewrite_a_subject_it_cannot_see(self) -> None:
        theirs = make_case(
            owner=self.casey, first_name="Hazel", last_name="Ownedcase", subject={"date_of_birth": date(2009, 1, 15)}
        )
        self.client.force_login(self.olly)
        data = referral_form(
            first_name="Hazel",
            last_name="Ownedcase",
            date_of_birth_0="15",
            date_of_birth_1="1",
            date_of_birth_2="2009",
            address="99 Elsewhere",
            # The person lives in Testshire: Otherton logs the referral knowingly.
            log_outside_area="on",
        )
        self.client.post("/cases/new/", data)
        self.client.post("/cases/new/", {**data, "link_subject": str(theirs.subject.reference)})
        theirs.subject.refresh_from_db()
        self.assertEqual(theirs.subject.address, "1 Test Street, Testtown")
        new = Case.objects.exclude(pk=theirs.pk).get()
        self.assertNotEqual(new.subject_id, theirs.subject_id)
        self.assertEqual(new.previous_case, theirs)
        self.client.force_login(self.pat)
        self.assertEqual(self.client.get(f"/cases/{theirs.reference}/").status_code, 200)

    def test_a_date_of_birth_and_postcode_alone_do_not_match(self) -> None:
        make_case(
            owner=self.casey,
            first_name="Hazel",
            last_name="Ownedcase",
            subject={"date_of_birth": date(2009, 1, 15), "postcode": "TE1 2AB"},
        )
        self.client.force_login(self.olly)
        data = referral_form(
            first_name="Other",
            last_name="Person",
            date_of_birth_0="15",
            date_of_birth_1="1",
            date_of_birth_2="2009",
            postcode="TE1 2AB",
            log_outside_area="on",
        )
        response = self.client.post("/cases/new/", data)
        self.assertEqual(response.status_code, 302)
