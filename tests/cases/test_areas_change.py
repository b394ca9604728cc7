"""The pages that set where a person lives: the referral form's areas (from the postcode, or chosen with
a reason when it is in no known area) and, after the referral, "Change the address" and "Override the
area" for the owning council's coordinators. An area change re-decides who can see the case at once."""

from __future__ import annotations

import json
from typing import Any

from django.core import mail

from audit.models import AuditEntry, Outcome
from cases.models import AreaChange, AreaSource, Case
from tests.base import BaseTestCase
from tests.cases.helpers import make_case, police_for
from tests.cases.test_new_referral import referral_form
from tests.sharing.grant_helpers import audit_mark, entries_since, flashed, written_since

UNKNOWN = "The postcode ZZ9 9ZZ is not in any council or police force area we know"


class ReferralFormAreasTestCase(BaseTestCase):
    def setUp(self) -> None:
        self.client.force_login(self.casey)

    def test_the_areas_come_from_the_postcode_and_the_confirmation_page_shows_them(self) -> None:
        response = self.client.post("/cases/new/", referral_form(postcode="te1 9xy"))
        case = Case.objects.get()
        self.assertRedirects(response, f"/cases/{case.reference}/logged/")
        self.assertEqual(case.subject.area_source, AreaSource.POSTCODE)
        page = self.client.get(f"/cases/{case.reference}/logged/").content.decode()
        self.assertIn("Police force area", page)
        self.assertIn("From the postcode", page)

    def test_a_postcode_in_no_known_area_is_explained_in_the_error_summary_and_the_override_offered(self) -> None:
        response = self.client.post("/cases/new/", referral_form(postcode="zz9 9zz", first_name="Kept"))
        self.assertEqual(response.status_code, 400)
        page = response.content.decode()
        self.assertIn("govuk-error-summary", page)
        self.assertIn(UNKNOWN, page)
        self.assertIn('name="area_council"', page)
        self.assertIn('name="area_reason"', page)
        self.assertIn('value="Kept"', page, "what was typed is kept")
        self.assertFalse(Case.objects.exists())

    def test_the_override_is_not_offered_for_a_postcode_we_know(self) -> None:
        page = self.client.get("/cases/new/").content.decode()
        self.assertNotIn('name="area_council"', page)
        self.assertNotIn('name="police_force_area"', page, "the referrer no longer picks the force area")

    def test_an_override_needs_its_reason(self) -> None:
        data = referral_form(postcode="ZZ9 9ZZ", area_council="Testshire", area_force="Testshire")
        response = self.client.post("/cases/new/", data)
        self.assertEqual(response.status_code, 400)
        self.assertIn("Say why you are choosing the areas", response.content.decode())
        self.assertFalse(Case.objects.exists())

    def test_an_override_with_a_reason_logs_the_referral_with_the_chosen_areas(self) -> None:
        data = referral_form(
            postcode="ZZ9 9ZZ", area_council="Testshire", area_force="Otherton", area_reason="No fixed abode"
        )
        self.assertEqual(self.client.post("/cases/new/", data).status_code, 302)
        subject = Case.objects.get().subject
        self.assertEqual((subject.local_authority_area, subject.police_force_area), ("Testshire", "Otherton"))
        self.assertEqual((subject.area_source, subject.area_reason), (AreaSource.OVERRIDE, "No fixed abode"))

    def test_a_forged_area_or_owner_changes_nothing(self) -> None:
        forged_area = referral_form(postcode="ZZ9 9ZZ", area_council="Atlantis", area_force="Atlantis", area_reason="x")
        self.assertEqual(self.client.post("/cases/new/", forged_area).status_code, 400)
        self.assertFalse(Case.objects.exists())
        # Areas and an owner sent beside a postcode we know are not fields of the form: the postcode decides.
        forged = referral_form(
            police_force_area="Otherton",
            local_authority_area="Otherton",
            owning_agency=str(self.other_council.pk),
            area_force="Otherton",
            area_council="Otherton",
            area_reason="forged",
        )
        self.assertEqual(self.client.post("/cases/new/", forged).status_code, 302)
        case = Case.objects.get()
        self.assertEqual(case.owning_agency, self.council)
        self.assertEqual((case.subject.police_force_area, case.subject.area_source), ("Testshire", AreaSource.POSTCODE))

    def test_a_person_living_in_another_councils_area_is_logged_only_when_the_coordinator_says_so(self) -> None:
        response = self.client.post("/cases/new/", referral_form(postcode="OT1 2AB"))
        self.assertEqual(response.status_code, 400)
        self.assertIn("The postcode OT1 2AB is in Otherton, not Testshire", response.content.decode())
        self.assertFalse(Case.objects.exists())
        response = self.client.post("/cases/new/", referral_form(postcode="OT1 2AB", log_outside_area="on"))
        self.assertEqual(response.status_code, 302)
        case = Case.objects.get()
        self.assertEqual((case.owning_agency, case.subject.local_authority_area), (self.council, "Otherton"))
        page = self.client.get(f"/cases/{case.reference}/logged/").content.decode()
        self.assertIn("outside Testshire Council", page)


class ChangeAreaTestCase(BaseTestCase):
    def setUp(self) -> None:
        self.case = make_case(owner=self.casey, first_name="Juniper", last_name="Movingcase")
        self.otherton_police = police_for("Otherton")
        self.url = f"/cases/{self.case.reference}/address/"
        self.override_url = f"/cases/{self.case.reference}/area/"

    def move(self, **fields: Any) -> Any:
        data = {"address": "4 New Road, Otherton", "postcode": "ot1 4cd", "reason": "The family moved (synthetic)"}
        return self.client.post(self.url, {**data, **fields})

    # --- who may ---------------------------------------------------------------------------------------

    def test_the_owners_coordinator_opens_both_forms(self) -> None:
        self.client.force_login(self.casey)
        mark = audit_mark()
        self.assertEqual(self.client.get(self.url).status_code, 200)
        self.assertEqual(self.client.get(self.override_url).status_code, 200)
        self.assertEqual(
            [e for e, _ in written_since(mark) if e.startswith("case.")],
            ["case.change_area.form_opened", "case.change_area.form_opened"],
        )
        summary = self.client.get(f"/cases/{self.case.reference}/").content.decode()
        self.assertIn(self.url, summary)
        self.assertIn(self.override_url, summary)

    def test_others_who_see_the_case_are_refused_with_403_and_recorded(self) -> None:
        for user in (self.charlie, self.pat):
            with self.subTest(user=user.username):
                self.client.force_login(user)
                mark = audit_mark()
                self.assertEqual(self.client.get(self.url).status_code, 403)
                self.assertEqual(self.move().status_code, 403)
                self.assertEqual(
                    [(e, o) for e, o in written_since(mark) if e.startswith("case.")],
                    [("case.change_area.form_opened", Outcome.DENIED), ("case.change_area", Outcome.DENIED)],
                )
                summary = self.client.get(f"/cases/{self.case.reference}/").content.decode()
                self.assertNotIn(self.url, summary)
        self.assertFalse(AreaChange.objects.exists())

    def test_a_council_that_cannot_see_the_case_gets_404(self) -> None:
        self.client.force_login(self.olly)
        mark = audit_mark()
        self.assertEqual(self.client.get(self.url).status_code, 404)
        self.assertEqual(self.move().status_code, 404)
        self.assertEqual(self.client.post(self.override_url, {"reason": "x"}).status_code, 404)
        self.assertEqual([o for e, o in written_since(mark) if e.startswith("case.")], [Outcome.DENIED] * 3)
        self.assertFalse(AreaChange.objects.exists())

    # --- the change ------------------------------------------------------------------------------------

    def test_a_new_address_in_another_force_area_moves_the_case_to_that_forces_police_at_once(self) -> None:
        self.client.force_login(self.pat)
        self.assertEqual(self.client.get(f"/cases/{self.case.reference}/").status_code, 200)
        self.client.force_login(self.casey)
        mark = audit_mark()
        with self.captureOnCommitCallbacks(execute=True):
            response = self.move()
        self.assertRedirects(response, f"/cases/{self.case.reference}/")
        self.assertIn(
            "No longer able to see the case: Police practitioners of Testshire Police.", " ".join(flashed(response))
        )
        subject = self.case.subject
        subject.refresh_from_db()
        self.assertEqual(
            (subject.postcode, subject.local_authority_area, subject.police_force_area),
            ("OT1 4CD", "Otherton", "Otherton"),
        )
        change = AreaChange.objects.get()
        self.assertEqual(
            (change.old_postcode, change.new_postcode, change.old_police_force_area),
            ("TS1 1AA", "OT1 4CD", "Testshire"),
        )
        self.assertEqual(
            (change.source, change.actor, change.lost_access),
            (AreaSource.POSTCODE, self.casey, ["Police practitioners of Testshire Police"]),
        )
        # The audit entry names the fields and whether the areas changed, never the address or postcode.
        entry = next(e for e in entries_since(mark) if e.event == "case.area_changed")
        self.assertEqual(
            entry.additional_data["fields"], ["address", "postcode", "local_authority_area", "police_force_area"]
        )
        self.assertTrue(entry.additional_data["areas_changed"])
        written = json.dumps([e.additional_data for e in entries_since(mark)]) + json.dumps(
            [e.changes for e in entries_since(mark)], default=str
        )
        for value in ("OT1", "New Road", "TS1", "moved"):
            self.assertNotIn(value, written)
        # The police of the new force are told, with the case number and no personal data.
        self.assertEqual([m.to for m in mail.outbox], [[self.otherton_police.email]])
        self.assertIn(self.case.number, mail.outbox[0].body)
        for value in ("Juniper", "Movingcase", "New Road", "OT1"):
            self.assertNotIn(value, f"{mail.outbox[0].subject} {mail.outbox[0].body}")
        # At the next request: the old force's police get 404, the new force's see the case.
        self.client.force_login(self.pat)
        self.assertEqual(self.client.get(f"/cases/{self.case.reference}/").status_code, 404)
        self.client.force_login(self.otherton_police)
        self.assertEqual(self.client.get(f"/cases/{self.case.reference}/").status_code, 200)
        # The owner still owns it, and sees the change in the chronology and on the sharing tab.
        self.client.force_login(self.casey)
        chronology = self.client.get(f"/cases/{self.case.reference}/chronology/").content.decode()
        self.assertIn("Address changed by", chronology)
        self.assertIn("The family moved (synthetic)", chronology)
        sharing = self.client.get(f"/cases/{self.case.reference}/sharing/").content.decode()
        self.assertIn("Recent area changes", sharing)
        self.assertIn("Police practitioners of Testshire Police", sharing)
        self.assertIn("TS1 1AA", sharing, "the earlier address stays retrievable by the owner")

    def test_a_reason_is_required_and_nothing_changes_without_one(self) -> None:
        self.client.force_login(self.casey)
        response = self.move(reason="  ")
        self.assertEqual(response.status_code, 400)
        self.assertIn("Give a reason for the change", response.content.decode())
        self.assert_unchanged()

    def test_a_postcode_in_no_known_area_gives_the_error_summary_and_changes_nothing(self) -> None:
        self.client.force_login(self.casey)
        response = self.move(postcode="ZZ9 9ZZ", address="Kept Address")
        self.assertEqual(response.status_code, 400)
        page = response.content.decode()
        self.assertIn("govuk-error-summary", page)
        self.assertIn(UNKNOWN, page)
        self.assertIn("Kept Address", page)
        self.assert_unchanged()

    def test_an_override_with_a_reason_sets_the_areas_and_keeps_the_address(self) -> None:
        self.client.force_login(self.casey)
        data = {"local_authority_area": "Testshire", "police_force_area": "Otherton", "reason": "Lives on the boundary"}
        self.assertEqual(self.client.post(self.override_url, data).status_code, 302)
        subject = self.case.subject
        subject.refresh_from_db()
        self.assertEqual((subject.address, subject.police_force_area), ("1 Test Street, Testtown", "Otherton"))
        self.assertEqual((subject.area_source, subject.area_reason), (AreaSource.OVERRIDE, "Lives on the boundary"))
        self.client.force_login(self.pat)
        self.assertEqual(self.client.get(f"/cases/{self.case.reference}/").status_code, 404)

    def test_a_forged_area_is_refused_and_changes_nothing(self) -> None:
        self.client.force_login(self.casey)
        for data in (
            {"local_authority_area": "Testshire", "police_force_area": "Atlantis", "reason": "forged"},
            {"local_authority_area": "Testshire", "police_force_area": "Otherton", "reason": ""},
        ):
            with self.subTest(data=data):
                self.assertEqual(self.client.post(self.override_url, data).status_code, 400)
        self.assert_unchanged()

    def assert_unchanged(self) -> None:
        subject = self.case.subject
        subject.refresh_from_db()
        self.assertEqual((subject.postcode, subject.police_force_area), ("TS1 1AA", "Testshire"))
        self.assertFalse(AreaChange.objects.exists())
        self.assertFalse(AuditEntry.objects.filter(event="case.area_changed").exists())
