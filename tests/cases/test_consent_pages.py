"""The consent form offers only what the law lets the case answer, and the plan records how, when and by
whom consent is to be asked (s.36(5)(a))."""

from __future__ import annotations

from datetime import date
from typing import Any

from audit.models import AuditEntry, Outcome
from cases.models import Capacity, Consent, ConsentGiver, ConsentStatus, Relationship, Stage, SupportPlan
from cases.services import related
from tests.base import BaseTestCase
from tests.cases.helpers import make_case, today


def _date(name: str, value: date) -> dict[str, str]:
    return {f"{name}_0": str(value.day), f"{name}_1": str(value.month), f"{name}_2": str(value.year)}


class ConsentFormTestCase(BaseTestCase):
    def person(self, case: Any, name: str, *, pr: bool = True, relationship: Relationship = Relationship.PARENT) -> Any:
        return related.add_related_person(
            case=case, actor=self.casey, name=name, relationship=relationship, parental_responsibility=pr
        )

    def answer(self, **fields: Any) -> dict[str, Any]:
        return {
            "status": "given",
            "capacity": "not_in_question",
            "requested_by": self.casey.pk,
            "method": "Home visit",
            **_date("requested_on", today()),
            **_date("on", today()),
            **fields,
        }

    def test_an_adult_case_offers_no_one_else_to_consent(self) -> None:
        case = make_case(owner=self.casey, stage=Stage.CONSENT_SOUGHT, age=30)
        self.person(case, "Adult Parentcase")
        self.client.force_login(self.casey)
        page = self.client.get(f"/cases/{case.reference}/consent/")
        self.assertEqual(page.status_code, 200)
        self.assertNotContains(page, "Who answered")
        self.assertNotContains(page, "Adult Parentcase")
        self.assertNotContains(page, "own view")
        # A forged choice of the parent is ignored: the adult's own answer is recorded.
        response = self.client.post(f"/cases/{case.reference}/consent/", self.answer(consenting="anything"))
        self.assertEqual(response.status_code, 302)
        self.assertIsNone(Consent.objects.get(case=case).consenting_person)

    def test_a_child_case_offers_only_its_people_with_parental_responsibility(self) -> None:
        case = make_case(owner=self.casey, stage=Stage.CONSENT_SOUGHT, age=14)
        parent = self.person(case, "Robin Parentcase")
        self.person(case, "Ash Carercase", pr=False, relationship=Relationship.CARER)
        other = make_case(owner=self.casey, stage=Stage.CONSENT_SOUGHT, age=14)
        stranger = self.person(other, "Kit Othercase")
        self.client.force_login(self.casey)
        url = f"/cases/{case.reference}/consent/"
        page = self.client.get(url)
        self.assertContains(page, "Robin Parentcase, parent")
        self.assertNotContains(page, "Ash Carercase")
        self.assertNotContains(page, "Kit Othercase")
        # A forged POST naming another case's parent changes nothing.
        before = AuditEntry.objects.filter(case_reference=case.number, event="case.consent_recorded").count()
        forged = self.client.post(url, self.answer(consenting=str(stranger.reference), child_view="Keen"))
        self.assertContains(forged, "Select who answered from the list", status_code=400)
        self.assertFalse(Consent.objects.filter(case=case).exists())
        self.assertEqual(
            AuditEntry.objects.filter(case_reference=case.number, event="case.consent_recorded").count(), before
        )
        # The child's view is required.
        missing = self.client.post(url, self.answer(consenting=str(parent.reference)))
        self.assertContains(missing, "Record the child&#x27;s own view", status_code=400)
        done = self.client.post(url, self.answer(consenting=str(parent.reference), child_view="Keen to try"))
        self.assertEqual(done.status_code, 302)
        given = Consent.objects.get(case=case)
        self.assertEqual((given.consenting_person, given.child_view), (parent, "Keen to try"))
        plan = self.client.get(f"/cases/{case.reference}/plan/")
        self.assertContains(plan, "Robin Parentcase (parent, with parental responsibility)")
        self.assertContains(plan, "Keen to try")

    def test_a_child_with_no_one_with_parental_responsibility_is_not_offered_the_form(self) -> None:
        case = make_case(owner=self.casey, stage=Stage.CONSENT_SOUGHT, age=14)
        self.person(case, "Ash Carercase", pr=False, relationship=Relationship.CARER)
        url = f"/cases/{case.reference}/consent/"
        self.client.force_login(self.casey)
        page = self.client.get(url)
        self.assertContains(page, "none is recorded for this case")
        self.assertContains(page, f"/cases/{case.reference}/related/new/")
        self.assertNotContains(page, "Date of the answer")
        # The chair may record consent but does not keep related people: told who can.
        self.client.force_login(self.charlie)
        page = self.client.get(url)
        self.assertContains(page, "A Prevent coordinator of Testshire Council can add them")
        self.assertNotContains(page, "/related/new/")

    def test_the_consent_trio(self) -> None:
        case = make_case(owner=self.casey, stage=Stage.CONSENT_SOUGHT, age=30)
        url = f"/cases/{case.reference}/consent/"
        for user, status in ((self.casey, 200), (self.pat, 403), (self.olly, 404)):
            self.client.force_login(user)
            self.assertEqual(self.client.get(url).status_code, status, user.username)
            last = AuditEntry.objects.filter(actor=user).order_by("-id")[0]
            outcome = Outcome.ALLOWED if status == 200 else Outcome.DENIED
            self.assertEqual((last.event, last.outcome), ("case.consent.form_opened", outcome), user.username)


class PlanConsentPageTestCase(BaseTestCase):
    def test_the_coordinator_plans_how_when_and_by_whom(self) -> None:
        case = make_case(owner=self.casey, stage=Stage.ADOPTED)
        url = f"/cases/{case.reference}/consent/plan/"
        self.client.force_login(self.casey)
        plan_tab = self.client.get(f"/cases/{case.reference}/plan/")
        self.assertContains(plan_tab, "Plan how consent is asked")
        refused = self.client.post(url, {"by": self.olly.pk, "how": "Visit", **_date("on", today())})
        self.assertEqual(refused.status_code, 400)
        self.assertFalse(SupportPlan.objects.filter(case=case).exists())
        response = self.client.post(
            url, {"by": self.charlie.pk, "how": "Home visit with the family", **_date("on", today())}
        )
        self.assertRedirects(response, f"/cases/{case.reference}/plan/", fetch_redirect_response=False)
        plan_tab = self.client.get(f"/cases/{case.reference}/plan/")
        self.assertContains(plan_tab, "Home visit with the family")
        self.assertContains(plan_tab, " how consent will be asked</span>")
        events = list(
            AuditEntry.objects.filter(actor=self.casey, case_reference=case.number).values_list("event", flat=True)
        )
        self.assertIn("case.consent_request_planned", events)
        for user, status in ((self.pat, 403), (self.olly, 404)):
            self.client.force_login(user)
            self.assertEqual(self.client.post(url, {"by": self.casey.pk}).status_code, status)


class CapacityNoteTestCase(BaseTestCase):
    """How capacity was considered describes the person's health: the owner sees the note; the police for
    the area, who see the whole case but not the sensitive details, see only the outcome."""

    def test_the_note_is_shown_only_to_those_who_see_the_sensitive_details(self) -> None:
        case = make_case(owner=self.casey)
        Consent.objects.create(
            case=case,
            status=ConsentStatus.GIVEN,
            given_by=ConsentGiver.SUBJECT,
            capacity=Capacity.HAS_CAPACITY,
            capacity_note="Assessed by the GP (synthetic).",
            method="Home visit",
            on=today(),
            recorded_by=self.casey,
        )
        for person, shown in ((self.casey, True), (self.pat, False)):
            self.client.force_login(person)
            page = self.client.get(f"/cases/{case.reference}/plan/")
            self.assertContains(page, "Considered: able to make this decision")
            self.assertEqual("Assessed by the GP (synthetic)." in page.content.decode(), shown, person.username)
