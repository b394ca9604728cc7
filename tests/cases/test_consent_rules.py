"""The consent rules as the law has them (CTSA 2015 s.36(4)(b); explanatory notes para 206; Mental
Capacity Act 2005), each refused with a message naming the rule and changing nothing."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.core.exceptions import ValidationError

from audit.models import AuditEntry
from cases.models import Capacity, Case, Consent, ConsentGiver, ConsentStatus, Relationship, Stage
from cases.services import consent, related
from partners.models import Role
from tests.base import BaseTestCase
from tests.cases.helpers import make_case, parent_with_pr, today
from tests.factories import make_user


class ConsentRulesTestCase(BaseTestCase):
    def record(self, case: Case, status: ConsentStatus = ConsentStatus.GIVEN, **given: Any) -> Consent:
        on: date = given.pop("on", today())
        fields: dict[str, Any] = {
            "consenting": None,
            "method": "Home visit with the coordinator",
            "requested_by": self.casey,
            "requested_on": on,
            "reassessment_on": None if status == ConsentStatus.GIVEN else on + timedelta(days=60),
            **given,
        }
        return consent.record_consent(case=case, actor=self.casey, status=status, on=on, **fields)

    def refused(self, case: Case, status: ConsentStatus = ConsentStatus.GIVEN, **given: Any) -> str:
        def state() -> tuple[object, ...]:
            return (
                Case.objects.get(pk=case.pk).stage,
                Consent.objects.filter(case=case).count(),
                AuditEntry.objects.filter(case_reference=case.number).count(),
            )

        before = state()
        with self.assertRaises(ValidationError) as caught:
            self.record(case, status, **given)
        self.assertEqual(state(), before)
        return caught.exception.messages[0]

    def person(self, case: Case, **fields: Any) -> Any:
        values: dict[str, Any] = {
            "name": "Relative Testcase",
            "relationship": Relationship.PARENT,
            "parental_responsibility": True,
            **fields,
        }
        return related.add_related_person(case=case, actor=self.casey, **values)

    # --- adults consent themselves -------------------------------------------------------------------

    def test_a_parents_consent_for_an_adult_is_refused(self) -> None:
        # Before issue 16 this passed: a parent's consent was accepted for a 25-year-old.
        case = make_case(owner=self.casey, stage=Stage.CONSENT_SOUGHT, age=25)
        parent = self.person(case)
        message = self.refused(case, consenting=parent)
        self.assertEqual(
            message,
            f"{case.subject.full_name} is 18 or over, so they must consent themselves"
            " (Counter-Terrorism and Security Act 2015, section 36(4)(b)).",
        )

    def test_a_parent_cannot_refuse_or_withdraw_for_an_adult_either(self) -> None:
        case = make_case(owner=self.casey, stage=Stage.CONSENT_SOUGHT, age=19)
        message = self.refused(case, ConsentStatus.REFUSED, consenting=self.person(case))
        self.assertIn("18 or over, so they must consent themselves", message)

    def test_an_adult_consents_themselves(self) -> None:
        case = make_case(owner=self.casey, stage=Stage.CONSENT_SOUGHT, age=18)
        given = self.record(case)
        self.assertIsNone(given.consenting_person)
        self.assertEqual(given.given_by, ConsentGiver.SUBJECT)

    # --- under 18: a parent or guardian with parental responsibility ---------------------------------

    def test_a_child_without_anyone_with_parental_responsibility_is_refused(self) -> None:
        case = make_case(owner=self.casey, stage=Stage.CONSENT_SOUGHT, age=15)
        message = self.refused(case, child_view="Keen (synthetic).")
        self.assertIn("is under 18, so a parent or guardian with parental responsibility must consent", message)

    def test_a_relative_without_parental_responsibility_cannot_consent(self) -> None:
        case = make_case(owner=self.casey, stage=Stage.CONSENT_SOUGHT, age=15)
        carer = self.person(case, relationship=Relationship.CARER, parental_responsibility=False, name="Carer Test")
        message = self.refused(case, consenting=carer, child_view="Keen (synthetic).")
        self.assertIn("Carer Test does not have parental responsibility", message)

    def test_a_parent_of_another_case_cannot_consent(self) -> None:
        case = make_case(owner=self.casey, stage=Stage.CONSENT_SOUGHT, age=15)
        other = make_case(owner=self.casey, stage=Stage.CONSENT_SOUGHT, age=15)
        stranger = self.person(other)
        message = self.refused(case, consenting=stranger, child_view="Keen (synthetic).")
        self.assertIn("must be a related person of this case", message)

    def test_a_parent_no_longer_connected_cannot_consent(self) -> None:
        case = make_case(owner=self.casey, stage=Stage.CONSENT_SOUGHT, age=15)
        parent = related.end_related_person(person=self.person(case), actor=self.casey, reason="Moved away")
        message = self.refused(case, consenting=parent, child_view="Keen (synthetic).")
        self.assertIn("still connected to it", message)

    def test_the_childs_view_is_required_under_18(self) -> None:
        case = make_case(owner=self.casey, stage=Stage.CONSENT_SOUGHT, age=16)
        parent = parent_with_pr(case, actor=self.casey)
        for view in ("", "   "):
            with self.subTest(view=view):
                message = self.refused(case, consenting=parent, child_view=view)
                self.assertIn("own view: they are under 18", message)
        given = self.record(case, consenting=parent, child_view="Happy to meet a mentor (synthetic).")
        self.assertEqual(given.child_view, "Happy to meet a mentor (synthetic).")
        self.assertEqual(given.given_by, ConsentGiver.PARENT_OR_GUARDIAN)

    def test_a_child_may_refuse_themselves_with_their_view(self) -> None:
        case = make_case(owner=self.casey, stage=Stage.CONSENT_SOUGHT, age=16)
        refusal = self.record(case, ConsentStatus.REFUSED, child_view="Does not want it (synthetic).")
        self.assertEqual(refusal.given_by, ConsentGiver.SUBJECT)

    # --- capacity ----------------------------------------------------------------------------------------

    def test_capacity_considered_needs_a_note(self) -> None:
        case = make_case(owner=self.casey, stage=Stage.CONSENT_SOUGHT, age=30)
        for capacity in (Capacity.HAS_CAPACITY, Capacity.LACKS_CAPACITY):
            with self.subTest(capacity=capacity):
                message = self.refused(case, capacity=capacity, capacity_note=" ")
                self.assertIn("Say how capacity was considered", message)
        given = self.record(case, capacity=Capacity.HAS_CAPACITY, capacity_note="Assessed by the GP (synthetic).")
        self.assertEqual((given.capacity, given.capacity_note), ("has_capacity", "Assessed by the GP (synthetic)."))

    def test_an_adult_found_unable_to_decide_cannot_give_consent(self) -> None:
        case = make_case(owner=self.casey, stage=Stage.CONSENT_SOUGHT, age=30)
        message = self.refused(case, capacity=Capacity.LACKS_CAPACITY, capacity_note="Assessed (synthetic).")
        self.assertIn("not able to make this decision", message)
        self.assertIn("Mental Capacity Act 2005", message)

    def test_a_note_is_dropped_when_capacity_is_not_in_question(self) -> None:
        case = make_case(owner=self.casey, stage=Stage.CONSENT_SOUGHT, age=30)
        self.assertEqual(self.record(case, capacity_note="Stray text").capacity_note, "")

    # --- who asked, and when -------------------------------------------------------------------------

    def test_consent_is_asked_by_someone_of_the_owning_council(self) -> None:
        case = make_case(owner=self.casey, stage=Stage.CONSENT_SOUGHT, age=30)
        for outsider in (self.olly, self.pat, make_user(agency=self.council, role=Role.AUDITOR)):
            with self.subTest(outsider=outsider.username):
                self.assertIn("choose who asked from the list", self.refused(case, requested_by=outsider))

    def test_consent_is_not_answered_before_it_was_asked(self) -> None:
        case = make_case(owner=self.casey, stage=Stage.CONSENT_SOUGHT, age=30)
        message = self.refused(case, requested_on=today() + timedelta(days=1))
        self.assertIn("on or before the answer", message)


class PlanConsentRequestTestCase(BaseTestCase):
    def test_the_plan_records_how_when_and_by_whom(self) -> None:
        case = make_case(owner=self.casey, stage=Stage.ADOPTED)
        when = today() + timedelta(days=7)
        plan = consent.plan_consent_request(case=case, actor=self.casey, by=self.charlie, how="Home visit", on=when)
        plan.refresh_from_db()
        self.assertEqual(
            (plan.consent_request_by, plan.consent_request_how, plan.consent_request_on),
            (self.charlie, "Home visit", when),
        )
        entry = AuditEntry.objects.get(event="case.consent_request_planned", case_reference=case.number)
        self.assertEqual(entry.actor, self.casey)
        self.assertEqual(
            entry.additional_data, {"fields": ["consent_request_by", "consent_request_how", "consent_request_on"]}
        )
        consent.plan_consent_request(case=case, actor=self.casey, by=self.charlie, how="Phone call", on=when)
        latest = AuditEntry.objects.filter(event="case.consent_request_planned").order_by("-id").first()
        assert latest is not None
        self.assertEqual(latest.additional_data, {"fields": ["consent_request_how"]})

    def test_someone_outside_the_owning_council_is_refused(self) -> None:
        case = make_case(owner=self.casey, stage=Stage.ADOPTED)
        with self.assertRaisesMessage(ValidationError, "choose who will ask from the list"):
            consent.plan_consent_request(case=case, actor=self.casey, by=self.olly, how="Visit", on=today())
        self.assertFalse(AuditEntry.objects.filter(event="case.consent_request_planned").exists())
