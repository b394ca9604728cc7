"""Two flags that grant nothing: the superuser flag opens no case, and a deactivated user sees nothing,
even with a grant in force."""

from __future__ import annotations

from django.http import Http404

from audit.models import AuditEntry, Outcome
from partners import services as partner_services
from partners.models import Role, User
from sharing.access import Capability, access_case, access_level, can_do, visible_cases
from sharing.models import Level
from tests.base import BaseTestCase
from tests.factories import make_case, make_user
from tests.sharing.grant_helpers import audit_mark, has_permission, share, written_since


class SuperuserAndInactiveUsersTestCase(BaseTestCase):
    def setUp(self) -> None:
        self.case = make_case(owner=self.casey, first_name="Sorrel", last_name="Flagcase")

    def url(self, path: str = "") -> str:
        return f"/cases/{self.case.reference}/{path}"

    def test_a_superuser_without_a_grant_gets_404(self) -> None:
        root = make_user(agency=self.health, role=Role.PANEL_MEMBER, username="sam")
        User.objects.filter(pk=root.pk).update(is_superuser=True, is_staff=True)
        root.refresh_from_db()
        # django-guardian would let a superuser do anything; the access gate does not ask it.
        self.assertTrue(root.has_perm("cases.view_case_full", self.case))

        self.assertEqual(list(visible_cases(root)), [])
        self.assertIsNone(access_level(root, self.case))
        self.client.force_login(root)
        mark = audit_mark()
        for path in ("", "chronology/", "sharing/"):
            self.assertEqual(self.client.get(self.url(path)).status_code, 404, path)
        self.assertEqual(
            written_since(mark),
            [
                ("case.viewed", Outcome.DENIED),
                ("case.viewed", Outcome.DENIED),
                ("case.share.form_opened", Outcome.DENIED),
            ],
        )
        self.assertNotContains(self.client.get("/cases/"), self.case.number)

    def test_a_superuser_administrator_sees_no_case_content_even_with_a_grant(self) -> None:
        User.objects.filter(pk=self.ada.pk).update(is_superuser=True, is_staff=True)
        self.ada.refresh_from_db()
        grant = share(self.case, actor=self.casey, user=self.ada, level=Level.FULL)

        self.assertTrue(has_permission(grant))
        self.assertEqual(list(visible_cases(self.ada)), [])
        self.client.force_login(self.ada)
        self.assertEqual(self.client.get(self.url()).status_code, 404)

    def test_an_inactive_user_with_a_grant_in_force_sees_nothing(self) -> None:
        grant = share(self.case, actor=self.casey, user=self.harper, level=Level.FULL)
        self.assertEqual(list(visible_cases(self.harper)), [self.case])

        harper = partner_services.deactivate_user(user=self.harper)

        self.assertTrue(grant.is_active)
        self.assertTrue(has_permission(grant))
        self.assertEqual(list(visible_cases(harper)), [])
        self.assertIsNone(access_level(harper, self.case))
        self.assertFalse(can_do(harper, Capability.REQUEST_ACCESS))
        with self.assertRaises(Http404):
            access_case(harper, self.case.reference)
        denied = AuditEntry.objects.filter(actor=harper, event="case.viewed").get()
        self.assertEqual(denied.outcome, Outcome.DENIED)

    def test_an_inactive_member_of_an_agency_with_a_grant_sees_nothing(self) -> None:
        colleague = make_user(agency=self.health, role=Role.PANEL_MEMBER, username="hollis", is_active=False)
        share(self.case, actor=self.casey, agency=self.health, level=Level.FULL)

        self.assertEqual(list(visible_cases(self.harper)), [self.case])
        self.assertEqual(list(visible_cases(colleague)), [])
        self.assertIsNone(access_level(colleague, self.case))

    def test_an_inactive_owner_sees_nothing_of_their_own_councils_cases(self) -> None:
        casey = partner_services.deactivate_user(user=self.casey)
        self.assertEqual(list(visible_cases(casey)), [])
        self.assertEqual(list(visible_cases(self.charlie)), [self.case])
        # A deactivated account cannot hold a session either: it is sent to sign in.
        self.client.force_login(casey)
        response = self.client.get(self.url())
        self.assertEqual(response.status_code, 302)
        self.assertTrue(response["Location"].startswith("/sign-in/"))
