"""grant_access and the grant page: to an agency or one person, at summary or full level, backed by a
guardian permission, refused when incomplete, audited; what each level then shows."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone

from audit.models import AuditEntry, Outcome
from cases.models import NoteVisibility, Stage
from cases.services import casework as case_services
from partners.models import AgencyKind, Role, User
from sharing.access import ROLE_ACTIONS, AccessLevel, Capability, visible_cases
from sharing.models import (
    CaseGroupObjectPermission,
    CaseUserObjectPermission,
    GrantKind,
    LegalBasis,
    Level,
    ShareGrant,
)
from tests.base import BaseTestCase
from tests.factories import make_agency, make_case, make_user
from tests.sharing.grant_helpers import (
    PURPOSE,
    audit_mark,
    date_fields,
    end_of_day,
    entries_since,
    has_permission,
    share,
    written_since,
)


class GrantAccessTestCase(BaseTestCase):
    def setUp(self) -> None:
        self.case = make_case(owner=self.casey, first_name="Rowan", last_name="Grantcase")

    def url(self, path: str = "") -> str:
        return f"/cases/{self.case.reference}/{path}"

    def get(self, user: User, path: str = "") -> Any:
        self.client.force_login(user)
        return self.client.get(self.url(path))

    # --- the service ----------------------------------------------------------------------------

    def test_sharing_with_an_agency_creates_a_grant_backed_by_the_agencys_group_permission(self) -> None:
        grant = share(self.case, actor=self.casey, agency=self.health, level=Level.FULL)

        self.assertEqual(grant.case, self.case)
        self.assertEqual(grant.agency, self.health)
        self.assertIsNone(grant.user)
        self.assertEqual(grant.level, Level.FULL)
        self.assertEqual(grant.kind, GrantKind.SHARED)
        self.assertEqual(grant.granted_by, self.casey)
        self.assertTrue(grant.is_active)
        row = CaseGroupObjectPermission.objects.get(content_object=self.case)
        self.assertEqual(row.group, self.health.group)
        self.assertEqual(row.permission.codename, "view_case_full")
        self.assertFalse(CaseUserObjectPermission.objects.filter(content_object=self.case).exists())
        self.assertIn(self.case, visible_cases(self.harper))

    def test_sharing_with_one_person_creates_a_user_permission_and_only_that_person_sees_the_case(self) -> None:
        colleague = make_user(agency=self.health, role=Role.PANEL_MEMBER, username="hollis")
        grant = share(self.case, actor=self.casey, user=self.harper, level=Level.SUMMARY)

        row = CaseUserObjectPermission.objects.get(content_object=self.case)
        self.assertEqual(row.user, self.harper)
        self.assertEqual(row.permission.codename, "view_case")
        self.assertFalse(CaseGroupObjectPermission.objects.filter(content_object=self.case).exists())
        self.assertTrue(has_permission(grant))
        self.assertEqual(list(visible_cases(self.harper)), [self.case])
        self.assertEqual(list(visible_cases(colleague)), [])

    def test_a_grant_is_audited_as_sharing_granted_with_its_details(self) -> None:
        mark = audit_mark()
        grant = share(
            self.case,
            actor=self.casey,
            agency=self.health,
            level=Level.SUMMARY,
            legal_basis=LegalBasis.SUBSTANTIAL_PUBLIC_INTEREST,
        )

        (entry,) = entries_since(mark)
        self.assertEqual(entry.event, "sharing.granted")
        self.assertEqual(entry.outcome, Outcome.ALLOWED)
        self.assertEqual(entry.actor, self.casey)
        self.assertEqual(entry.actor_agency, self.council)
        self.assertEqual(entry.case_reference, self.case.number)
        self.assertEqual(entry.object_pk, str(self.case.pk))
        self.assertEqual(entry.purpose, PURPOSE)
        self.assertFalse(entry.is_flagged)
        self.assertEqual(
            entry.additional_data,
            {
                "grant": str(grant.reference),
                "to_agency": "th",
                "to_user": None,
                "level": "summary",
                "kind": "shared",
                "legal_basis": "gdpr_9_2_g",
                "until": grant.ends_at.isoformat(),
            },
        )
        self.assertNotIn("Rowan", str(entry.additional_data))

    def test_a_grant_to_both_an_agency_and_a_person_or_to_neither_is_refused(self) -> None:
        for to in ({"agency": self.health, "user": self.harper}, {}):
            mark = audit_mark()
            with self.assertRaisesMessage(ValidationError, "Share with one agency or with one person."):
                share(self.case, actor=self.casey, **to)  # type: ignore[arg-type]
            self.assertEqual(written_since(mark), [])
        self.assertFalse(ShareGrant.objects.exists())
        self.assertFalse(CaseGroupObjectPermission.objects.exists())
        self.assertFalse(CaseUserObjectPermission.objects.exists())

    def test_a_grant_without_a_purpose_is_refused(self) -> None:
        for purpose in ("", "   \n"):
            with self.assertRaisesMessage(ValidationError, "the purpose is part of the record"):
                share(self.case, actor=self.casey, agency=self.health, purpose=purpose)
        self.assertFalse(ShareGrant.objects.exists())
        self.assertFalse(AuditEntry.objects.filter(event="sharing.granted").exists())

    def test_a_grant_that_ends_in_the_past_is_refused(self) -> None:
        for days in (-1, 0):
            with self.assertRaisesMessage(ValidationError, "The end of the sharing must be in the future."):
                share(self.case, actor=self.casey, agency=self.health, days=days)
        self.assertFalse(ShareGrant.objects.exists())
        self.assertNotIn(self.case, visible_cases(self.harper))

    def test_the_owning_council_cannot_be_granted_its_own_case(self) -> None:
        with self.assertRaisesMessage(ValidationError, "Testshire Council owns this case and already sees it."):
            share(self.case, actor=self.casey, agency=self.council)
        self.assertFalse(ShareGrant.objects.exists())
        self.assertFalse(CaseGroupObjectPermission.objects.exists())

    # --- what each level shows ------------------------------------------------------------------

    def test_summary_access_shows_the_summary_tab_and_nothing_more(self) -> None:
        share(self.case, actor=self.casey, agency=self.health, level=Level.SUMMARY)
        mark = audit_mark()

        summary = self.get(self.harper)
        self.assertContains(summary, self.case.number)
        self.assertContains(summary, "You see a summary of this case")
        self.assertNotContains(summary, "Synthetic concern text.")
        self.assertNotContains(summary, self.url("chronology/"))
        chronology = self.get(self.harper, "chronology/")
        self.assertEqual(chronology.status_code, 403)

        allowed, denied = entries_since(mark)
        self.assertEqual((allowed.event, allowed.outcome), ("case.viewed", Outcome.ALLOWED))
        self.assertEqual(allowed.additional_data, {"level": AccessLevel.SUMMARY})
        self.assertEqual(allowed.purpose, "summary tab")
        self.assertEqual((denied.event, denied.outcome), ("case.viewed", Outcome.DENIED))
        self.assertEqual(denied.additional_data, {"reason": "not allowed"})
        self.assertEqual(denied.case_reference, self.case.number)

    def test_full_access_shows_the_chronology_but_not_the_pages_that_change_the_case(self) -> None:
        share(self.case, actor=self.casey, agency=self.health, level=Level.FULL)
        mark = audit_mark()

        summary = self.get(self.harper)
        self.assertContains(summary, "Synthetic concern text.")
        self.assertContains(summary, self.url("chronology/"))
        self.assertNotContains(summary, self.url("move/"))
        self.assertEqual(self.get(self.harper, "chronology/").status_code, 200)
        for path in ("move/", "consent/", "decision/"):
            self.assertEqual(self.get(self.harper, path).status_code, 403, path)

        self.assertEqual(
            written_since(mark),
            [
                ("case.viewed", Outcome.ALLOWED),
                ("case.viewed", Outcome.ALLOWED),
                # Opening a change form (a GET) is recorded apart from sending it.
                ("case.move.form_opened", Outcome.DENIED),
                ("case.consent.form_opened", Outcome.DENIED),
                ("case.decide.form_opened", Outcome.DENIED),
            ],
        )

    def test_nobody_with_a_grant_can_move_the_case_even_when_their_role_moves_cases(self) -> None:
        northshire = make_agency(kind=AgencyKind.POLICE, name="Northshire Police", police_force_area="Northshire")
        officer = make_user(agency=northshire, role=Role.POLICE_PRACTITIONER, username="nico")
        # Their roles move cases of their own; a grant never lets them move this one.
        self.assertIn(Capability.MOVE, ROLE_ACTIONS[Role.PREVENT_COORDINATOR])
        self.assertIn(Capability.MOVE, ROLE_ACTIONS[Role.POLICE_PRACTITIONER])
        for user in (self.olly, officer, self.harper):
            share(self.case, actor=self.casey, user=user, level=Level.FULL)
            self.client.force_login(user)
            self.assertEqual(self.client.get(self.url()).status_code, 200, user.username)
            mark = audit_mark()
            response = self.client.post(self.url("move/"), {"to": "police_screening", "reason": "Forged move"})
            self.assertEqual(response.status_code, 403, user.username)
            self.assertEqual(written_since(mark), [("case.move", Outcome.DENIED)])
        self.case.refresh_from_db()
        self.assertEqual(self.case.stage, Stage.RECEIVED)

    def test_notes_are_shown_to_a_full_grant_by_their_originators_choice(self) -> None:
        for text, visibility, shared_with in (
            ("Council eyes only synthetic note", NoteVisibility.ORIGINATOR, []),
            ("Synthetic note named for health", NoteVisibility.NAMED, [self.health]),
            ("Synthetic note named for police", NoteVisibility.NAMED, [self.police_force]),
            ("Synthetic note for everyone", NoteVisibility.EVERYONE, []),
        ):
            case_services.add_note(
                case=self.case, actor=self.casey, text=text, visibility=visibility, shared_with=shared_with
            )
        share(self.case, actor=self.casey, agency=self.health, level=Level.FULL)

        health_view = self.get(self.harper, "chronology/")
        self.assertContains(health_view, "Synthetic note named for health")
        self.assertContains(health_view, "Synthetic note for everyone")
        self.assertNotContains(health_view, "Council eyes only synthetic note")
        self.assertNotContains(health_view, "Synthetic note named for police")
        owner_view = self.get(self.casey, "chronology/")
        for text in ("Council eyes only synthetic note", "Synthetic note named for police"):
            self.assertContains(owner_view, text)

    # --- the grant page -------------------------------------------------------------------------

    def form(self, **overrides: object) -> dict[str, object]:
        data: dict[str, object] = {
            "agency": self.health.pk,
            "user": "",
            "level": Level.FULL,
            "purpose": "Synthetic purpose: mental health input",
            "legal_basis": LegalBasis.SAFEGUARDING,
            **date_fields("until", timezone.localdate() + timedelta(days=14)),
        }
        data.update(overrides)
        return data

    def test_the_owner_shares_through_the_grant_page_and_it_is_recorded(self) -> None:
        self.client.force_login(self.casey)
        self.assertEqual(self.client.get(self.url("sharing/new/")).status_code, 200)
        mark = audit_mark()

        response = self.client.post(self.url("sharing/new/"), self.form())

        self.assertRedirects(response, self.url("sharing/"), fetch_redirect_response=False)
        grant = ShareGrant.objects.get(case=self.case)
        self.assertEqual((grant.agency, grant.user, grant.level), (self.health, None, Level.FULL))
        self.assertEqual(grant.legal_basis, LegalBasis.SAFEGUARDING)
        self.assertEqual(grant.purpose, "Synthetic purpose: mental health input")
        self.assertEqual(grant.ends_at, end_of_day(timezone.localdate() + timedelta(days=14)))
        self.assertTrue(has_permission(grant))
        self.assertEqual(written_since(mark), [("case.share", Outcome.ALLOWED), ("sharing.granted", Outcome.ALLOWED)])
        granted = AuditEntry.objects.get(event="sharing.granted")
        self.assertEqual(granted.path, self.url("sharing/new/"))
        self.assertEqual(granted.method, "POST")
        self.assertEqual(self.get(self.harper, "chronology/").status_code, 200)

    def test_the_chair_may_share_a_case_with_one_person(self) -> None:
        self.client.force_login(self.charlie)
        response = self.client.post(self.url("sharing/new/"), self.form(agency="", user=self.harper.pk))
        self.assertEqual(response.status_code, 302)
        grant = ShareGrant.objects.get(case=self.case)
        self.assertEqual((grant.agency, grant.user, grant.granted_by), (None, self.harper, self.charlie))

    def test_the_grant_page_refuses_the_owning_council_and_records_no_grant(self) -> None:
        self.client.force_login(self.casey)
        mark = audit_mark()
        response = self.client.post(self.url("sharing/new/"), self.form(agency=self.council.pk))
        self.assertContains(response, "Testshire Council owns this case and already sees it.", status_code=400)
        self.assertFalse(ShareGrant.objects.exists())
        self.assertEqual(written_since(mark), [("case.share", Outcome.ALLOWED)])

    def test_the_grant_page_refuses_both_or_neither_recipient_and_a_date_in_the_past(self) -> None:
        self.client.force_login(self.casey)
        yesterday = timezone.localdate() - timedelta(days=1)
        for data, message in (
            (self.form(user=self.harper.pk), "Choose an agency or a person, not both"),
            (self.form(agency=""), "Choose an agency or a person, not both"),
            (self.form(**date_fields("until", yesterday)), "Share until must be today or in the future"),
            (self.form(purpose=""), "govuk-error-summary"),
        ):
            response = self.client.post(self.url("sharing/new/"), data)
            self.assertContains(response, message, status_code=400)
        self.assertFalse(ShareGrant.objects.exists())
        self.assertFalse(AuditEntry.objects.filter(event="sharing.granted").exists())

    def test_only_the_owner_may_open_the_grant_page(self) -> None:
        share(self.case, actor=self.casey, agency=self.health, level=Level.FULL)
        for user, status in ((self.pat, 403), (self.harper, 403), (self.olly, 404), (self.audrey, 404)):
            self.client.force_login(user)
            mark = audit_mark()
            response = self.client.post(self.url("sharing/new/"), self.form(agency=self.police_force.pk))
            self.assertEqual(response.status_code, status, user.username)
            self.assertEqual(written_since(mark), [("case.share", Outcome.DENIED)], user.username)
        self.assertEqual(ShareGrant.objects.count(), 1)


class AssessmentVisibilityTestCase(BaseTestCase):
    def test_assessments_follow_originator_visibility_like_notes(self) -> None:
        from sharing.access import visible_assessments
        from sharing.models import LegalBasis, Level
        from sharing.services import grant_access

        case = make_case(owner=self.casey)
        grant_access(
            case=case,
            actor=self.casey,
            agency=self.health,
            level=Level.FULL,
            purpose="Panel input",
            legal_basis=LegalBasis.PUBLIC_TASK,
            ends_at=timezone.now() + timedelta(days=7),
        )
        ratings = {"grievance": (2, "")}
        everyone = case_services.add_assessment(
            case=case, actor=self.pat, ratings=ratings, summary="Open", management_plan="P"
        )
        police_only = case_services.add_assessment(
            case=case,
            actor=self.pat,
            ratings=ratings,
            summary="Police only",
            management_plan="P",
            visibility=NoteVisibility.ORIGINATOR,
        )
        named = case_services.add_assessment(
            case=case,
            actor=self.pat,
            ratings=ratings,
            summary="Named",
            management_plan="P",
            visibility=NoteVisibility.NAMED,
            shared_with=[self.health],
        )
        self.assertEqual(set(visible_assessments(self.harper, case)), {everyone, named})
        self.assertEqual(set(visible_assessments(self.pat, case)), {everyone, police_only, named})
        self.assertEqual(set(visible_assessments(self.casey, case)), {everyone})
        self.client.force_login(self.harper)
        response = self.client.get(f"/cases/{case.reference}/assessment/")
        self.assertNotContains(response, "Police only")
        self.assertContains(response, "Named")
