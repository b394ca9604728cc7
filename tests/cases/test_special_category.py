"""Special-category details (sensitive details): held apart from the subject, one record per case, seen
only by the owning council and by holders of a full grant that includes them under its own condition,
every look recorded (allowed or refused) without the values; recorded and changed by the owner's
coordinators, a change only with a reason."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from audit.models import AuditEntry, Outcome
from cases.models import Ethnicity, Religion, SpecialCategory, YesNoNotKnown
from cases.services import special
from partners.models import AgencyKind, Role, User
from sharing import services as sharing_services
from sharing.models import LegalBasis, Level, ShareGrant, SpecialCategoryCondition
from sharing.special import access_special_category, can_see_special_category, special_category_cases
from tests.base import BaseTestCase
from tests.factories import make_agency, make_case, make_user
from tests.sharing.grant_helpers import audit_mark, date_fields, share, written_since

NOTE = "Zebedee-health-canary"
VALUES = {
    "ethnicity": Ethnicity.MIXED,
    "religion": Religion.SIKH,
    "mental_health_concern": YesNoNotKnown.YES,
    "neurodiversity": YesNoNotKnown.NO,
    "health_note": NOTE,
}


def share_sensitive(
    case: Any, *, actor: User, agency: Any = None, user: Any = None, level: Level = Level.FULL
) -> ShareGrant:
    return sharing_services.grant_access(
        case=case,
        actor=actor,
        agency=agency,
        user=user,
        level=level,
        purpose="Synthetic purpose: mental health input",
        legal_basis=LegalBasis.SUBSTANTIAL_PUBLIC_INTEREST,
        ends_at=timezone.now() + timedelta(days=30),
        special_category_condition=SpecialCategoryCondition.SAFEGUARDING,
    )


class SpecialCategoryTestCase(BaseTestCase):
    def setUp(self) -> None:
        self.case = make_case(owner=self.casey, first_name="Rowan", last_name="Sensitivecase")

    def url(self, path: str = "sensitive/") -> str:
        return f"/cases/{self.case.reference}/{path}"

    def record(self, **overrides: str) -> SpecialCategory:
        return special.record_special_category(case=self.case, actor=self.casey, values={**VALUES, **overrides})

    # --- the service ----------------------------------------------------------------------------

    def test_the_first_record_needs_no_reason_and_is_audited_with_field_names_only(self) -> None:
        details = self.record()

        self.assertEqual(details.case, self.case)
        self.assertEqual((details.ethnicity, details.religion), (Ethnicity.MIXED, Religion.SIKH))
        self.assertEqual(details.recorded_by, self.casey)
        entry = AuditEntry.objects.get(event="case.special_category_recorded")
        self.assertEqual(entry.case_reference, self.case.number)
        self.assertEqual(
            set(entry.additional_data["fields"]),
            {"ethnicity", "religion", "mental_health_concern", "neurodiversity", "health_note"},
        )
        dump = json.dumps([entry.additional_data, entry.changes, entry.object_repr])
        for value in (NOTE, "mixed", "sikh"):
            self.assertNotIn(value, dump)

    def test_a_change_needs_a_reason_and_names_only_the_fields_that_changed(self) -> None:
        self.record()
        with self.assertRaisesMessage(ValidationError, "Give a reason for the change"):
            special.record_special_category(case=self.case, actor=self.casey, values={**VALUES, "religion": "none"})
        self.assertEqual(SpecialCategory.objects.get().religion, Religion.SIKH)

        special.record_special_category(
            case=self.case, actor=self.charlie, values={**VALUES, "religion": "none"}, reason="Corrected by the family"
        )

        details = SpecialCategory.objects.get()
        self.assertEqual((details.religion, details.recorded_by), (Religion.NONE, self.charlie))
        entry = AuditEntry.objects.get(event="case.special_category_changed")
        self.assertEqual(entry.additional_data["fields"], ["religion"])

    def test_changing_nothing_and_fields_that_are_not_sensitive_details_are_refused(self) -> None:
        self.record()
        with self.assertRaisesMessage(ValidationError, "Nothing has changed"):
            special.record_special_category(case=self.case, actor=self.casey, values=VALUES, reason="Checked")
        with self.assertRaisesMessage(ValidationError, "not sensitive details"):
            special.record_special_category(case=self.case, actor=self.casey, values={"first_name": "X"}, reason="x")

    def test_a_re_referral_of_the_same_person_starts_without_the_earlier_cases_details(self) -> None:
        self.record()
        again = make_case(owner=self.olly, first_name="Rowan", last_name="Sensitivecase")
        self.assertFalse(SpecialCategory.objects.filter(case=again).exists())
        self.assertNotIn(again, special_category_cases(self.casey))

    # --- who sees them --------------------------------------------------------------------------

    def test_the_owner_sees_them_and_the_look_is_recorded_without_the_values(self) -> None:
        self.record()
        self.client.force_login(self.casey)
        mark = audit_mark()

        response = self.client.get(self.url())

        self.assertContains(response, "Mixed or multiple ethnic groups")
        self.assertContains(response, NOTE)
        self.assertEqual(
            written_since(mark),
            [("case.viewed", Outcome.ALLOWED), ("case.special_category_viewed", Outcome.ALLOWED)],
        )
        viewed = AuditEntry.objects.get(event="case.special_category_viewed")
        self.assertNotIn(NOTE, json.dumps([viewed.additional_data, viewed.object_repr]))
        self.assertContains(self.client.get(self.url("")), "Sensitive details")

    def test_the_police_for_the_area_see_the_case_but_not_the_sensitive_details_403(self) -> None:
        self.record()
        self.client.force_login(self.pat)
        self.assertNotContains(self.client.get(self.url("")), "Sensitive details")
        mark = audit_mark()

        response = self.client.get(self.url())

        self.assertEqual(response.status_code, 403)
        self.assertNotContains(response, NOTE, status_code=403)
        self.assertEqual(
            written_since(mark),
            [("case.viewed", Outcome.ALLOWED), ("case.special_category_viewed", Outcome.DENIED)],
        )

    def test_someone_who_cannot_see_the_case_gets_404(self) -> None:
        self.record()
        self.client.force_login(self.olly)
        mark = audit_mark()
        self.assertEqual(self.client.get(self.url()).status_code, 404)
        self.assertEqual(written_since(mark), [("case.viewed", Outcome.DENIED)])

    def test_a_full_grant_without_the_flag_does_not_show_them(self) -> None:
        self.record()
        share(self.case, actor=self.casey, agency=self.health, level=Level.FULL)
        self.assertFalse(can_see_special_category(self.harper, self.case))
        self.client.force_login(self.harper)
        self.assertEqual(self.client.get(self.url()).status_code, 403)
        self.assertNotIn(self.case, special_category_cases(self.harper))

    def test_a_grant_that_includes_them_shows_them_until_it_is_revoked(self) -> None:
        self.record()
        grant = share_sensitive(self.case, actor=self.casey, agency=self.health)
        self.assertTrue(can_see_special_category(self.harper, self.case))
        self.assertIn(self.case, special_category_cases(self.harper))
        self.client.force_login(self.harper)
        self.assertContains(self.client.get(self.url()), NOTE)
        # They see the details, and may not change them.
        self.assertEqual(self.client.get(self.url("sensitive/change/")).status_code, 403)

        sharing_services.revoke_grant(grant=grant, actor=self.casey)
        self.assertFalse(can_see_special_category(self.harper, self.case))
        self.assertEqual(self.client.get(self.url()).status_code, 404, "the case itself has gone with the grant")

    def test_the_police_see_them_when_a_grant_to_their_force_includes_them(self) -> None:
        share_sensitive(self.case, actor=self.casey, agency=self.police_force)
        self.assertTrue(can_see_special_category(self.pat, self.case))
        self.assertIsNone(access_special_category(self.pat, self.case))

    def test_a_provider_is_never_given_them_and_does_not_see_them_by_role(self) -> None:
        mentors = make_agency(kind=AgencyKind.INTERVENTION_PROVIDER, name="Synthetic Mentors", code="sm")
        ivy = make_user(agency=mentors, role=Role.INTERVENTION_PROVIDER, username="ivy-sensitive")
        # The sharing tab would say "Yes" while the gate refused every look: such a grant is refused.
        for recipient in ({"agency": mentors}, {"user": ivy}):
            with self.assertRaisesMessage(ValidationError, "cannot be shared with an intervention provider"):
                share_sensitive(self.case, actor=self.casey, **recipient)
        self.assertFalse(ShareGrant.objects.exists())
        # Even a grant that includes them (made before this rule) opens nothing to the provider's role.
        share(self.case, actor=self.casey, agency=mentors, level=Level.FULL)
        ShareGrant.objects.filter(case=self.case).update(
            includes_special_category=True, special_category_condition=SpecialCategoryCondition.UNLAWFUL_ACTS
        )
        self.assertFalse(can_see_special_category(ivy, self.case))

    # --- the grant ------------------------------------------------------------------------------

    def grant_form(self, **overrides: object) -> dict[str, object]:
        data: dict[str, object] = {
            "agency": self.health.pk,
            "user": "",
            "level": Level.FULL,
            "purpose": "Synthetic purpose: mental health input",
            "legal_basis": LegalBasis.SUBSTANTIAL_PUBLIC_INTEREST,
            "special_category": "yes",
            "special_category_condition": SpecialCategoryCondition.UNLAWFUL_ACTS,
            **date_fields("until", timezone.localdate() + timedelta(days=14)),
        }
        data.update(overrides)
        return data

    def test_the_owner_shares_the_sensitive_details_under_a_condition_and_the_sharing_tab_says_so(self) -> None:
        self.client.force_login(self.casey)
        response = self.client.post(self.url("sharing/new/"), self.grant_form())

        self.assertRedirects(response, self.url("sharing/"), fetch_redirect_response=False)
        grant = ShareGrant.objects.get(case=self.case)
        self.assertTrue(grant.includes_special_category)
        self.assertEqual(grant.special_category_condition, SpecialCategoryCondition.UNLAWFUL_ACTS)
        entry = AuditEntry.objects.get(event="sharing.granted")
        self.assertEqual(entry.additional_data["special_category"], "sch1_10")
        tab = self.client.get(self.url("sharing/"))
        self.assertContains(tab, "Yes: UK GDPR Art 9(2)(g), DPA 2018 Sch 1 para 10")
        self.assertContains(tab, "Yes, as the owner")

    def test_the_grant_page_asks_for_the_condition_as_a_question_of_its_own(self) -> None:
        self.client.force_login(self.casey)
        page = self.client.get(self.url("sharing/new/"))
        self.assertContains(page, "Include the sensitive details?")
        self.assertContains(page, "If you include them: the condition for processing the sensitive details")
        self.assertContains(page, "DPA 2018 Sch 1 para 18")
        # Not revealed under "Yes": GOV.UK Frontend's reveal puts aria-expanded on a radio, which axe refuses.
        self.assertNotContains(page, "govuk-radios__conditional")

    def test_the_flag_without_a_condition_is_refused_and_nothing_is_shared(self) -> None:
        self.client.force_login(self.casey)
        response = self.client.post(self.url("sharing/new/"), self.grant_form(special_category_condition=""))

        self.assertContains(response, "Choose the condition for processing the sensitive details", status_code=400)
        self.assertContains(response, "govuk-error-summary", status_code=400)
        self.assertFalse(ShareGrant.objects.exists())

    def test_without_the_flag_the_grant_does_not_include_them(self) -> None:
        self.client.force_login(self.casey)
        self.client.post(self.url("sharing/new/"), self.grant_form(special_category="no"))
        grant = ShareGrant.objects.get(case=self.case)
        self.assertEqual((grant.includes_special_category, grant.special_category_condition), (False, ""))

    def test_the_database_refuses_a_grant_that_includes_them_without_a_condition(self) -> None:
        grant = share(self.case, actor=self.casey, agency=self.health, level=Level.FULL)
        with self.assertRaises(IntegrityError), transaction.atomic():
            ShareGrant.objects.filter(pk=grant.pk).update(includes_special_category=True)
        self.assertFalse(can_see_special_category(self.harper, self.case))

    def test_the_sensitive_details_are_shared_only_with_full_access(self) -> None:
        with self.assertRaisesMessage(ValidationError, "only with full access"):
            share_sensitive(self.case, actor=self.casey, agency=self.health, level=Level.SUMMARY)
        self.assertFalse(ShareGrant.objects.exists())

    # --- the form -------------------------------------------------------------------------------

    def test_the_coordinator_records_them_through_the_form(self) -> None:
        self.client.force_login(self.casey)
        self.assertContains(self.client.get(self.url()), "Record the sensitive details")
        mark = audit_mark()

        response = self.client.post(self.url("sensitive/change/"), VALUES)

        self.assertRedirects(response, self.url(), fetch_redirect_response=False)
        self.assertEqual(SpecialCategory.objects.get(case=self.case).health_note, NOTE)
        self.assertEqual(
            written_since(mark),
            [
                ("case.record_special_category", Outcome.ALLOWED),
                ("case.special_category_viewed", Outcome.ALLOWED),
                ("case.special_category_recorded", Outcome.ALLOWED),
            ],
        )

    def test_a_change_without_a_reason_is_shown_in_the_error_summary_and_changes_nothing(self) -> None:
        self.record()
        self.client.force_login(self.casey)
        response = self.client.post(self.url("sensitive/change/"), {**VALUES, "religion": "none", "reason": ""})
        self.assertContains(response, "Give a reason for the change", status_code=400)
        self.assertContains(response, 'value="none"', status_code=400)
        self.assertEqual(SpecialCategory.objects.get().religion, Religion.SIKH)

    def test_only_the_owners_coordinators_record_them(self) -> None:
        for user, status in ((self.charlie, 403), (self.pat, 403), (self.olly, 404)):
            self.client.force_login(user)
            with self.subTest(user=user.username):
                response = self.client.post(self.url("sensitive/change/"), VALUES)
                self.assertEqual(response.status_code, status)
        self.assertFalse(SpecialCategory.objects.exists())
