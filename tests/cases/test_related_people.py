"""Related people: the services (add, change with a reason, end with a reason, never deleted), the pages
(the permission trio and the audit rows each request wrote), and who sees them: only where the whole
case is seen (owner, police for the area, a full grant), never with a summary grant or as a provider."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.exceptions import ValidationError

from audit.models import AuditEntry, Outcome
from cases.models import RelatedPerson, Relationship, Stage
from cases.services import casework, related
from partners.models import Role
from sharing.models import Level
from tests.base import BaseTestCase
from tests.cases.helpers import make_case, ref, today
from tests.factories import make_user
from tests.sharing.grant_helpers import share

PARENT = "Morgan Parentcase"


class RelatedPeopleServicesTestCase(BaseTestCase):
    def setUp(self) -> None:
        self.case = make_case(owner=self.casey, age=15)

    def add(self, **fields: Any) -> RelatedPerson:
        values: dict[str, Any] = {
            "name": PARENT,
            "relationship": Relationship.PARENT,
            "parental_responsibility": True,
            "contact_details": "07000 000000",
            **fields,
        }
        return related.add_related_person(case=self.case, actor=self.casey, **values)

    def change(self, person: RelatedPerson, reason: str = "Corrected by the parent", **fields: Any) -> RelatedPerson:
        values: dict[str, Any] = {
            "name": person.name,
            "relationship": Relationship(person.relationship),
            "relationship_other": person.relationship_other,
            "parental_responsibility": person.parental_responsibility,
            "contact_details": person.contact_details,
            "notes": person.notes,
            **fields,
        }
        return related.change_related_person(person=person, actor=self.casey, reason=reason, **values)

    def entries(self, event: str) -> list[AuditEntry]:
        return list(AuditEntry.objects.filter(event=event, case_reference=self.case.number).order_by("id"))

    def test_adding_records_the_person_on_the_case_and_audits_no_name(self) -> None:
        person = self.add()
        person.refresh_from_db()
        self.assertEqual((person.case, person.name, person.added_by), (self.case, PARENT, self.casey))
        self.assertTrue(person.parental_responsibility)
        [entry] = self.entries("case.related_person_added")
        self.assertEqual(entry.actor, self.casey)
        self.assertEqual(entry.additional_data, {"relationship": "parent", "parental_responsibility": True})
        self.assertNotIn(PARENT, str(entry.additional_data) + entry.object_repr)
        self.assertNotIn("07000", str(entry.additional_data))

    def test_other_needs_words_and_only_other_keeps_them(self) -> None:
        with self.assertRaisesMessage(ValidationError, "Say how they are related"):
            self.add(relationship=Relationship.OTHER, relationship_other=" ")
        self.assertFalse(RelatedPerson.objects.exists())
        self.assertEqual(
            self.add(relationship=Relationship.OTHER, relationship_other="Aunt").relationship_in_words, "Aunt"
        )
        self.assertEqual(self.add(relationship=Relationship.CARER, relationship_other="Aunt").relationship_other, "")

    def test_a_change_needs_a_reason_and_audits_the_changed_field_names(self) -> None:
        person = self.add()
        with self.assertRaisesMessage(ValidationError, "Give a reason for the change"):
            self.change(person, reason="  ", contact_details="07111 111111")
        person.refresh_from_db()
        self.assertEqual(person.contact_details, "07000 000000")
        changed = self.change(person, contact_details="07111 111111", parental_responsibility=False)
        changed.refresh_from_db()
        self.assertEqual((changed.contact_details, changed.parental_responsibility), ("07111 111111", False))
        self.assertEqual((changed.changed_by, changed.change_reason), (self.casey, "Corrected by the parent"))
        [entry] = self.entries("case.related_person_changed")
        self.assertEqual(entry.additional_data, {"fields": ["parental_responsibility", "contact_details"]})
        self.assertNotIn("07111", str(entry.additional_data))

    def test_a_change_that_changes_nothing_is_refused(self) -> None:
        person = self.add()
        with self.assertRaisesMessage(ValidationError, "Nothing has changed"):
            self.change(person)
        self.assertEqual(self.entries("case.related_person_changed"), [])

    def test_ending_keeps_the_record_marked_with_its_reason(self) -> None:
        person = self.add()
        with self.assertRaisesMessage(ValidationError, "Give a reason why"):
            related.end_related_person(person=person, actor=self.casey, reason="")
        related.end_related_person(person=person, actor=self.casey, reason="Moved abroad")
        person.refresh_from_db()
        self.assertIsNotNone(person.ended_at)
        self.assertEqual((person.ended_by, person.end_reason), (self.casey, "Moved abroad"))
        self.assertEqual(list(RelatedPerson.objects.current()), [])
        self.assertEqual(RelatedPerson.objects.count(), 1)
        [entry] = self.entries("case.related_person_ended")
        self.assertEqual(entry.additional_data, {"fields": ["ended_at", "end_reason"]})
        with self.assertRaisesMessage(ValidationError, "already recorded as no longer connected"):
            related.end_related_person(person=person, actor=self.casey, reason="Again")
        with self.assertRaisesMessage(ValidationError, "no longer connected to the case"):
            self.change(person, contact_details="New")


class RelatedPeoplePagesTestCase(BaseTestCase):
    def setUp(self) -> None:
        self.case = make_case(owner=self.casey, age=15)
        self.person = related.add_related_person(
            case=self.case,
            actor=self.casey,
            name=PARENT,
            relationship=Relationship.PARENT,
            parental_responsibility=True,
        )
        self.url = f"/cases/{self.case.reference}/related/"

    def events(self, user: Any) -> list[tuple[str, str]]:
        return list(
            AuditEntry.objects.filter(actor=user, case_reference=self.case.number)
            .order_by("id")
            .values_list("event", "outcome")
        )

    def test_the_owners_coordinator_adds_a_person_from_the_form(self) -> None:
        self.client.force_login(self.casey)
        self.assertEqual(self.client.get(f"{self.url}new/").status_code, 200)
        data = {"name": "Sam Carercase", "relationship": "carer", "parental_responsibility": "no"}
        response = self.client.post(f"{self.url}new/", data)
        self.assertRedirects(response, self.url, fetch_redirect_response=False)
        self.assertTrue(RelatedPerson.objects.filter(case=self.case, name="Sam Carercase").exists())
        events = [event for event, _ in self.events(self.casey)]
        self.assertIn("case.relate.form_opened", events)
        self.assertEqual(events[-2:], ["case.relate", "case.related_person_added"])

    def test_other_without_words_shows_the_error_summary_and_changes_nothing(self) -> None:
        self.client.force_login(self.casey)
        response = self.client.post(
            f"{self.url}new/", {"name": "X", "relationship": "other", "parental_responsibility": "no"}
        )
        self.assertEqual(response.status_code, 400)
        self.assertContains(response, "Say how they are related", status_code=400)
        self.assertEqual(RelatedPerson.objects.filter(case=self.case).count(), 1)

    def test_change_and_end_from_the_forms(self) -> None:
        self.client.force_login(self.casey)
        base = f"{self.url}{self.person.reference}/"
        data = {"name": PARENT, "relationship": "parent", "parental_responsibility": "yes", "contact_details": "07000"}
        refused = self.client.post(f"{base}change/", data)
        self.assertContains(refused, "Give a reason for the change", status_code=400)
        self.assertRedirects(self.client.post(f"{base}change/", {**data, "reason": "Parent rang"}), self.url)
        self.person.refresh_from_db()
        self.assertEqual(self.person.contact_details, "07000")
        self.assertRedirects(self.client.post(f"{base}end/", {"reason": "Moved away"}), self.url)
        self.person.refresh_from_db()
        self.assertEqual(self.person.end_reason, "Moved away")
        # An ended person can no longer be changed or ended: the same 404 as a missing one.
        self.assertEqual(self.client.get(f"{base}change/").status_code, 404)
        page = self.client.get(self.url)
        self.assertContains(page, "No longer connected")
        self.assertContains(page, "Moved away")

    def test_a_person_of_another_case_is_a_404_and_changes_nothing(self) -> None:
        other = make_case(owner=self.casey, age=15)
        stranger = related.add_related_person(
            case=other,
            actor=self.casey,
            name="Other Parent",
            relationship=Relationship.PARENT,
            parental_responsibility=True,
        )
        self.client.force_login(self.casey)
        response = self.client.post(f"{self.url}{stranger.reference}/end/", {"reason": "Forged"})
        self.assertEqual(response.status_code, 404)
        stranger.refresh_from_db()
        self.assertIsNone(stranger.ended_at)

    def test_the_trio_for_adding(self) -> None:
        # The chair sees the whole case but does not keep related people; police see it but may not change it.
        for user in (self.charlie, self.pat):
            self.client.force_login(user)
            self.assertEqual(self.client.post(f"{self.url}new/", {"name": "X"}).status_code, 403, user.username)
            self.assertEqual(self.events(user)[-1], ("case.relate", Outcome.DENIED))
        self.client.force_login(self.olly)
        self.assertEqual(self.client.post(f"{self.url}new/", {"name": "X"}).status_code, 404)
        self.assertEqual(self.events(self.olly)[-1], ("case.relate", Outcome.DENIED))
        self.assertEqual(RelatedPerson.objects.filter(case=self.case).count(), 1)


class RelatedPeopleVisibilityTestCase(BaseTestCase):
    """The related people show only where the whole case does."""

    def setUp(self) -> None:
        self.case = make_case(owner=self.casey, age=15, stage=Stage.SUPPORT_ACTIVE)
        related.add_related_person(
            case=self.case,
            actor=self.casey,
            name=PARENT,
            relationship=Relationship.PARENT,
            parental_responsibility=True,
        )

    def pages(self, user: Any) -> dict[str, Any]:
        self.client.force_login(user)
        base = f"/cases/{self.case.reference}/"
        return {tab: self.client.get(f"{base}{tab}") for tab in ("", "related/", "plan/")}

    def test_owner_police_and_a_full_grant_see_them(self) -> None:
        share(self.case, actor=self.casey, agency=self.health, level=Level.FULL)
        for user in (self.casey, self.charlie, self.pat, self.harper):
            with self.subTest(user=user.username):
                pages = self.pages(user)
                self.assertContains(pages["related/"], PARENT)
                self.assertContains(pages[""], "Related people")
                seen = AuditEntry.objects.filter(actor=user, event="case.viewed", purpose="related tab")
                self.assertEqual(list(seen.values_list("outcome", flat=True)), [Outcome.ALLOWED])
        self.client.force_login(self.casey)
        self.assertContains(self.client.get(f"/cases/{self.case.reference}/related/"), "Add a related person")
        self.client.force_login(self.harper)
        self.assertNotContains(self.client.get(f"/cases/{self.case.reference}/related/"), "Add a related person")

    def test_a_summary_grant_and_a_provider_do_not(self) -> None:
        share(self.case, actor=self.casey, agency=self.health, level=Level.SUMMARY)
        provider = make_user(agency=self.health, role=Role.INTERVENTION_PROVIDER)
        casework.add_support_element(
            case=self.case,
            actor=self.casey,
            support_type=ref("support_type", "mental_health"),
            provider=self.health,
            provider_user=provider,
            how="Weekly",
            when="Tuesdays",
            starts_on=today() - timedelta(days=1),
        )
        for user in (self.harper, provider):
            with self.subTest(user=user.username):
                pages = self.pages(user)
                self.assertEqual(self.client.get(f"/cases/{self.case.reference}/related/").status_code, 403)
                last = AuditEntry.objects.filter(actor=user, case_reference=self.case.number).order_by("-id")[0]
                self.assertEqual((last.event, last.outcome), ("case.viewed", Outcome.DENIED))
                self.assertEqual(pages["related/"].status_code, 403)
                for tab in ("", "plan/"):
                    if pages[tab].status_code == 200:
                        self.assertNotContains(pages[tab], PARENT)
                        self.assertNotContains(pages[tab], "Related people")

    def test_another_council_gets_a_404(self) -> None:
        self.assertEqual(self.pages(self.olly)["related/"].status_code, 404)
        self.assertTrue(
            AuditEntry.objects.filter(actor=self.olly, event="case.viewed", outcome=Outcome.DENIED).exists()
        )
