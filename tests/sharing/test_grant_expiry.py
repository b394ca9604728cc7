"""Ended grants: access stops at the end, judged at every request, whatever the housekeeping task has
done; tidy_ended_grants (and its Celery task) then removes the guardian permissions of ended and
revoked grants, and leaves grants in force alone."""

from __future__ import annotations

from datetime import timedelta
from unittest import mock

from django.conf import settings
from django.utils import timezone

from audit.models import Outcome
from partners.models import AgencyKind, Role
from sharing import services, tasks
from sharing.access import AccessLevel, access_level, visible_cases
from sharing.models import LegalBasis, Level, ShareGrant
from tests.base import BaseTestCase
from tests.factories import make_agency, make_case, make_user
from tests.sharing.grant_helpers import audit_mark, end_now, entries_since, has_permission, share


class GrantExpiryTestCase(BaseTestCase):
    def setUp(self) -> None:
        self.case = make_case(owner=self.casey, first_name="Linden", last_name="Expirycase")

    def url(self, path: str = "") -> str:
        return f"/cases/{self.case.reference}/{path}"

    def test_an_ended_grant_gives_404_at_the_next_request_though_its_permission_is_still_there(self) -> None:
        grant = share(self.case, actor=self.casey, agency=self.health, level=Level.FULL)
        self.client.force_login(self.harper)
        self.assertEqual(self.client.get(self.url("chronology/")).status_code, 200)

        end_now(grant)

        self.assertTrue(has_permission(grant))
        self.assertIsNone(grant.tidied_at)
        mark = audit_mark()
        for path in ("", "chronology/"):
            self.assertEqual(self.client.get(self.url(path)).status_code, 404, path)
        denied = entries_since(mark)
        self.assertEqual([(e.event, e.outcome) for e in denied], [("case.viewed", Outcome.DENIED)] * 2)
        self.assertEqual({e.additional_data["reason"] for e in denied}, {"not visible"})
        self.assertNotIn(self.case, visible_cases(self.harper))
        self.assertIsNone(access_level(self.harper, self.case))

    def test_a_grant_given_with_dates_already_past_gives_nothing(self) -> None:
        now = timezone.now()
        grant = services.grant_access(
            case=self.case,
            actor=self.casey,
            user=self.harper,
            level=Level.FULL,
            purpose="Synthetic purpose: last month's panel",
            legal_basis=LegalBasis.PUBLIC_TASK,
            starts_at=now - timedelta(days=30),
            ends_at=now - timedelta(days=1),
        )

        self.assertTrue(has_permission(grant))
        self.assertNotIn(self.case, visible_cases(self.harper))
        self.client.force_login(self.harper)
        self.assertEqual(self.client.get(self.url()).status_code, 404)

    def test_a_grant_stops_exactly_at_its_end(self) -> None:
        grant = share(self.case, actor=self.casey, user=self.harper, level=Level.SUMMARY, days=3)
        with mock.patch("django.utils.timezone.now", return_value=grant.ends_at - timedelta(seconds=1)):
            self.assertIn(self.case, visible_cases(self.harper))
            self.assertEqual(access_level(self.harper, self.case), AccessLevel.SUMMARY)
        with mock.patch("django.utils.timezone.now", return_value=grant.ends_at):
            self.assertNotIn(self.case, visible_cases(self.harper))
            self.assertIsNone(access_level(self.harper, self.case))

    def test_tidying_removes_the_permissions_of_ended_and_revoked_grants_and_marks_them(self) -> None:
        education = make_agency(kind=AgencyKind.EDUCATION, name="Testshire Schools")
        ended = end_now(share(self.case, actor=self.casey, agency=self.health, level=Level.FULL))
        # Revoked without its permission removed, as if the revocation predated the permission clean-up.
        revoked = share(self.case, actor=self.casey, agency=education, level=Level.SUMMARY)
        ShareGrant.objects.filter(pk=revoked.pk).update(revoked_at=timezone.now(), revoked_by=self.casey)
        in_force = share(self.case, actor=self.casey, user=self.pat, level=Level.SUMMARY)
        self.assertTrue(all(has_permission(g) for g in (ended, revoked, in_force)))
        moment = timezone.now()

        self.assertEqual(services.tidy_ended_grants(now=moment), 2)

        for grant in (ended, revoked, in_force):
            grant.refresh_from_db()
        self.assertFalse(has_permission(ended))
        self.assertFalse(has_permission(revoked))
        self.assertEqual((ended.tidied_at, revoked.tidied_at), (moment, moment))
        self.assertTrue(has_permission(in_force))
        self.assertIsNone(in_force.tidied_at)
        self.assertTrue(in_force.is_active)

    def test_tidying_keeps_a_permission_that_another_grant_in_force_still_needs(self) -> None:
        ended = end_now(share(self.case, actor=self.casey, agency=self.health, level=Level.FULL))
        current = share(self.case, actor=self.charlie, agency=self.health, level=Level.FULL)

        self.assertEqual(services.tidy_ended_grants(), 1)

        ended.refresh_from_db()
        self.assertIsNotNone(ended.tidied_at)
        self.assertTrue(has_permission(current))
        self.assertIn(self.case, visible_cases(self.harper))

    def test_tidying_twice_does_nothing_more(self) -> None:
        grant = end_now(share(self.case, actor=self.casey, agency=self.health, level=Level.FULL))
        self.assertEqual(services.tidy_ended_grants(), 1)
        grant.refresh_from_db()
        first = grant.tidied_at

        self.assertEqual(services.tidy_ended_grants(), 0)

        grant.refresh_from_db()
        self.assertEqual(grant.tidied_at, first)

    def test_tidying_writes_no_audit_entry_and_changes_no_access(self) -> None:
        live = share(self.case, actor=self.casey, agency=self.health, level=Level.FULL)
        end_now(share(self.case, actor=self.casey, user=self.harper, level=Level.SUMMARY))
        mark = audit_mark()

        services.tidy_ended_grants()

        self.assertEqual(entries_since(mark), [])
        self.assertTrue(has_permission(live))
        self.assertIn(self.case, visible_cases(self.harper))

    def test_the_celery_task_tidies_ended_grants_and_is_scheduled(self) -> None:
        officer = make_user(
            agency=make_agency(kind=AgencyKind.POLICE, name="Northshire Police", police_force_area="Northshire"),
            role=Role.POLICE_PRACTITIONER,
        )
        grant = end_now(share(self.case, actor=self.casey, user=officer, level=Level.FULL))

        result = tasks.tidy_ended_grants.delay()

        self.assertEqual(result.get(), 1)
        grant.refresh_from_db()
        self.assertIsNotNone(grant.tidied_at)
        self.assertFalse(has_permission(grant))
        self.assertEqual(settings.CELERY_BEAT_SCHEDULE["tidy-ended-grants"]["task"], tasks.tidy_ended_grants.name)
