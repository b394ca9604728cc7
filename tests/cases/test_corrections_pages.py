"""The correction pages: prefilled forms with a required reason, the permission trio with the audit rows
each request wrote, forged references, the chronology entry and the owner's history of a record."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from audit.models import AuditEntry, Outcome
from cases.models import Action, Case, Correction, Review, ReviewKind, Subject
from cases.services import casework, corrections
from tests.base import BaseTestCase
from tests.cases.helpers import add_support, today
from tests.factories import make_case
from tests.sharing.grant_helpers import share

REASON = "Synthetic reason: the referrer misspelt the name"


def _date(prefix: str, day: Any) -> dict[str, str]:
    return {f"{prefix}_0": str(day.day), f"{prefix}_1": str(day.month), f"{prefix}_2": str(day.year)}


class CorrectionPagesTestCase(BaseTestCase):
    def setUp(self) -> None:
        self.case = make_case(owner=self.casey, first_name="Jon", last_name="Smyth")
        self.subject = self.case.subject
        self.url = f"/cases/{self.case.reference}/"

    def subject_form(self, **changes: Any) -> dict[str, Any]:
        data = {
            "first_name": self.subject.first_name,
            "last_name": self.subject.last_name,
            "other_names": "",
            "gender": self.subject.gender,
            "reason": REASON,
            **_date("date_of_birth", self.subject.date_of_birth),
        }
        data.update(changes)
        return data

    def events_since(self, first: int) -> list[tuple[str, str]]:
        rows = AuditEntry.objects.filter(id__gt=first, event__startswith="case.").order_by("id")
        return list(rows.values_list("event", "outcome"))

    def last_id(self) -> int:
        return AuditEntry.objects.order_by("-id").values_list("id", flat=True).first() or 0

    def test_the_coordinator_opens_the_form_prefilled_and_it_is_recorded_as_opened(self) -> None:
        self.client.force_login(self.casey)
        first = self.last_id()
        response = self.client.get(f"{self.url}person/correct/")
        self.assertContains(response, "Correct the person&#x27;s details")
        self.assertContains(response, 'value="Jon"')
        self.assertContains(response, f'value="{self.subject.date_of_birth.year}"')
        self.assertContains(response, "Why is this being corrected?")
        self.assertEqual(self.events_since(first), [("case.correct.form_opened", Outcome.ALLOWED)])

    def test_a_correction_is_saved_and_the_coordinator_is_asked_who_to_tell(self) -> None:
        self.client.force_login(self.casey)
        first = self.last_id()
        response = self.client.post(f"{self.url}person/correct/", self.subject_form(first_name="John"))
        correction = Correction.objects.get()
        tell = f"{self.url}corrections/{correction.reference}/tell/"
        self.assertRedirects(response, tell, fetch_redirect_response=False)
        self.assertEqual(Subject.objects.get(pk=self.subject.pk).first_name, "John")
        self.assertEqual(
            self.events_since(first), [("case.correct", Outcome.ALLOWED), ("case.record_corrected", Outcome.ALLOWED)]
        )

    def test_no_reason_and_no_change_are_refused_with_the_error_summary(self) -> None:
        self.client.force_login(self.casey)
        response = self.client.post(f"{self.url}person/correct/", self.subject_form(first_name="John", reason=""))
        self.assertContains(response, "govuk-error-summary", status_code=400)
        self.assertContains(response, "Say why this is being corrected", status_code=400)
        self.assertContains(response, 'value="John"', status_code=400)
        response = self.client.post(f"{self.url}person/correct/", self.subject_form())
        self.assertContains(response, "You have not changed anything", status_code=400)
        self.assertEqual(Subject.objects.get(pk=self.subject.pk).first_name, "Jon")
        self.assertFalse(Correction.objects.exists())

    def test_a_partner_who_sees_the_case_gets_403_and_hidden_or_missing_gets_404(self) -> None:
        share(self.case, actor=self.casey, agency=self.health)
        for user in (self.pat, self.charlie, self.harper):
            self.client.force_login(user)
            first = self.last_id()
            self.assertEqual(self.client.get(f"{self.url}person/correct/").status_code, 403, user.username)
            response = self.client.post(f"{self.url}person/correct/", self.subject_form(first_name="John"))
            self.assertEqual(response.status_code, 403, user.username)
            events = self.events_since(first)
            self.assertEqual(events, [("case.correct.form_opened", Outcome.DENIED), ("case.correct", Outcome.DENIED)])
        self.client.force_login(self.olly)
        self.assertEqual(self.client.post(f"{self.url}person/correct/", self.subject_form()).status_code, 404)
        self.client.force_login(self.casey)
        missing = "/cases/00000000-0000-4000-8000-000000000000/person/correct/"
        self.assertEqual(self.client.get(missing).status_code, 404)
        self.assertEqual(Subject.objects.get(pk=self.subject.pk).first_name, "Jon")

    def test_the_referral_is_corrected_from_its_page(self) -> None:
        self.client.force_login(self.casey)
        page = self.client.get(f"{self.url}referral/correct/")
        self.assertContains(page, "Correct the referral")
        referral = self.case.referral
        data = {name: getattr(referral, name) for name in ("referrer_name", "referrer_organisation", "concerns")}
        data |= {
            "referrer_contact": "0300 000 0000",
            "source_sector": referral.source_sector_id,
            "concern_type": referral.concern_type_id,
            "immediate_risk": "no",
            "reason": REASON,
        }
        response = self.client.post(f"{self.url}referral/correct/", data)
        self.assertEqual(response.status_code, 302)
        self.assertEqual(Correction.objects.get().fields, ["referrer_contact"])

    def test_an_action_of_another_case_is_404_and_changes_nothing(self) -> None:
        other = make_case(owner=self.casey)
        action = casework.add_action(
            case=other, actor=self.casey, description="Visit", owner_agency=self.council, due_on=today()
        )
        self.client.force_login(self.casey)
        data = {"description": "Forged", "owner_agency": self.council.pk, "reason": REASON, **_date("due_on", today())}
        response = self.client.post(f"{self.url}actions/{action.reference}/correct/", data)
        self.assertEqual(response.status_code, 404)
        self.assertEqual(Action.objects.get(pk=action.pk).description, "Visit")
        response = self.client.post(f"/cases/{other.reference}/actions/{action.reference}/correct/", data)
        self.assertEqual(response.status_code, 302)
        self.assertEqual(Action.objects.get(pk=action.pk).description, "Forged")

    def test_reviews_and_support_have_their_correction_pages(self) -> None:
        review = Review.objects.create(case=self.case, kind=ReviewKind.IN_PROGRAMME, due_on=today())
        element = add_support(self.case, actor=self.casey)
        self.client.force_login(self.casey)
        page = self.client.get(f"{self.url}reviews/{review.reference}/correct/")
        self.assertContains(page, "Review date")
        self.assertNotContains(page, "Outcome of the review")
        response = self.client.post(
            f"{self.url}reviews/{review.reference}/correct/",
            {"reason": REASON, **_date("due_on", today() + timedelta(days=2))},
        )
        self.assertEqual(response.status_code, 302)
        page = self.client.get(f"{self.url}plan/{element.reference}/correct/")
        self.assertContains(page, "Weekly mentoring sessions")
        self.assertNotContains(page, 'name="support_type"')
        for tab, link in (("", "person/correct/"), ("plan/", f"plan/{element.reference}/correct/")):
            self.assertContains(self.client.get(f"{self.url}{tab}"), f"{self.url}{link}")
        self.client.force_login(self.pat)
        self.assertNotContains(self.client.get(self.url), "person/correct/")

    def test_the_chronology_shows_what_was_corrected_by_whom_and_why(self) -> None:
        corrections.correct_subject(
            case=self.case, actor=self.casey, changes={"first_name": "John", "gender": "male"}, reason=REASON
        )
        self.client.force_login(self.casey)
        page = self.client.get(f"{self.url}chronology/")
        self.assertContains(page, "The person&#x27;s details corrected: first name, gender.")
        self.assertContains(page, f"Correction by Casey {self.casey.last_name}, Testshire Council")
        self.assertContains(page, f"Why: {REASON}")
        self.assertNotContains(page, "first_name")

    def test_the_history_shows_earlier_values_to_the_owner_only(self) -> None:
        corrections.correct_subject(case=self.case, actor=self.casey, changes={"first_name": "John"}, reason=REASON)
        history = f"{self.url}corrections/subject/{self.subject.reference}/"
        self.client.force_login(self.casey)
        self.assertContains(self.client.get(self.url), history)
        first = self.last_id()
        page = self.client.get(history)
        self.assertContains(page, "History of corrections")
        self.assertContains(page, "First name before")
        self.assertContains(page, "Jon")
        self.assertEqual(self.events_since(first), [("case.correction_history", Outcome.ALLOWED)])
        self.client.force_login(self.charlie)
        self.assertEqual(self.client.get(history).status_code, 200)
        self.client.force_login(self.pat)
        self.assertNotContains(self.client.get(self.url), history)
        first = self.last_id()
        self.assertEqual(self.client.get(history).status_code, 403)
        self.assertEqual(self.events_since(first), [("case.correction_history", Outcome.DENIED)])
        self.client.force_login(self.olly)
        self.assertEqual(self.client.get(history).status_code, 404)
        self.client.force_login(self.casey)
        other = make_case(owner=self.casey)
        self.assertEqual(self.client.get(f"{self.url}corrections/subject/{other.subject.reference}/").status_code, 404)
        self.assertEqual(self.client.get(f"{self.url}corrections/nonsense/{self.subject.reference}/").status_code, 404)

    def test_the_form_is_not_offered_when_another_council_has_a_case_about_the_person(self) -> None:
        other = make_case(owner=self.olly)
        # Setup only: Otherton's case made about the same subject record.
        Case.objects.filter(pk=other.pk).update(subject=self.subject)
        self.client.force_login(self.casey)
        page = self.client.get(f"{self.url}person/correct/")
        self.assertContains(page, "Another council also has a case about this person")
        self.assertNotContains(page, 'name="first_name"')
        response = self.client.post(f"{self.url}person/correct/", self.subject_form(first_name="John"))
        self.assertContains(response, "Another council also has a case", status_code=400)
        self.assertEqual(Subject.objects.get(pk=self.subject.pk).first_name, "Jon")
