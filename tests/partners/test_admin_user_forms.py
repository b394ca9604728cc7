"""The admin's user pages: no password is ever set there, a username never changes, and a new account
starts inactive, is approved by a second administrator and then gets a set-up link."""

from __future__ import annotations

from django.core import mail

from audit.models import AuditEntry
from partners.models import AccessChangeRequest, ChangeStatus, Role, User
from tests.base import BaseTestCase
from tests.factories import make_user
from tests.partners.test_access_change_requests import user_form


class AdminUserFormsTestCase(BaseTestCase):
    def setUp(self) -> None:
        self.client.force_login(self.ada)

    def test_the_add_and_change_pages_have_no_password_field(self) -> None:
        for url in ("/admin/partners/user/add/", f"/admin/partners/user/{self.harper.pk}/change/"):
            page = self.client.get(url).content.decode()
            self.assertNotIn('name="password', page)
            self.assertNotIn("password/", page)

    def test_there_is_no_page_to_set_someones_password(self) -> None:
        before = User.objects.get(pk=self.harper.pk).password
        response = self.client.post(
            f"/admin/partners/user/{self.harper.pk}/password/",
            {"password1": "a-new-password-of-length", "password2": "a-new-password-of-length"},
        )
        self.assertNotEqual(response.status_code, 200)
        self.assertEqual(User.objects.get(pk=self.harper.pk).password, before)

    def test_the_username_is_read_only(self) -> None:
        page = self.client.get(f"/admin/partners/user/{self.harper.pk}/change/").content.decode()
        self.assertNotIn('name="username"', page)
        self.client.post(f"/admin/partners/user/{self.harper.pk}/change/", user_form(self.harper, username="harper2"))
        self.harper.refresh_from_db()
        self.assertEqual(self.harper.username, "harper")

    def test_a_new_account_waits_for_approval_then_gets_a_set_up_link(self) -> None:
        response = self.client.post(
            "/admin/partners/user/add/",
            {
                "username": "newton",
                "first_name": "Newton",
                "last_name": "Testperson",
                "email": "newton@example.org",
                "agency": self.council.pk,
                "role": Role.PANEL_CHAIR,
                "reason": "New chair from January.",
            },
        )
        self.assertEqual(response.status_code, 302)
        newton = User.objects.get(username="newton")
        self.assertFalse(newton.is_active)
        self.assertFalse(newton.has_usable_password())
        change = AccessChangeRequest.objects.get(user=newton)
        self.assertEqual(change.changes, {"is_active": [False, True]})
        # Ali, a second administrator, approves it: the account is active and its owner gets a link.
        ali = make_user(agency=self.council, role=Role.ADMINISTRATOR, username="ali")
        self.client.force_login(ali)
        with self.captureOnCommitCallbacks(execute=True):
            self.client.post(
                f"/admin/partners/accesschangerequest/{change.pk}/decide/",
                {"decision": "approve", "reason": "Confirmed by the council."},
            )
        change.refresh_from_db()
        newton.refresh_from_db()
        self.assertEqual(change.status, ChangeStatus.APPROVED)
        self.assertTrue(newton.is_active)
        self.assertEqual(len(mail.outbox), 1)
        self.assertEqual(mail.outbox[0].to, ["newton@example.org"])
        self.assertIn("/account/set-up/?token=", mail.outbox[0].body)
        requested = AuditEntry.objects.get(event="account.change_requested")
        self.assertEqual(requested.additional_data["account"]["role"], "Panel chair")
        self.assertEqual(requested.additional_data["changes"][0]["after"], "active")
        self.assertTrue(AuditEntry.objects.filter(event="auth.setup_link_issued", object_repr="newton").exists())

    def test_deactivating_someone_else_takes_effect_at_once(self) -> None:
        response = self.client.post(
            f"/admin/partners/user/{self.harper.pk}/change/", user_form(self.harper, is_active="")
        )
        self.assertEqual(response.status_code, 302)
        self.harper.refresh_from_db()
        self.assertFalse(self.harper.is_active)
        self.assertFalse(AccessChangeRequest.objects.exists())

    def test_an_email_change_waits_and_is_not_recorded(self) -> None:
        self.client.post(
            f"/admin/partners/user/{self.harper.pk}/change/",
            user_form(self.harper, email="elsewhere@example.org", reason="New address."),
        )
        self.harper.refresh_from_db()
        self.assertNotEqual(self.harper.email, "elsewhere@example.org")
        entry = AuditEntry.objects.get(event="account.change_requested")
        self.assertNotIn("elsewhere@example.org", str(entry.additional_data))
