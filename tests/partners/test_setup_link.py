"""A set-up link lets the person set their own password once; after that, or once expired, it is refused."""

from __future__ import annotations

import time
from unittest import mock
from urllib.parse import urlsplit

from django.core import mail, signing
from django.test import override_settings

from audit.models import AuditEntry
from partners import accounts
from tests.base import BaseTestCase

NEW_PASSWORD = "a-brand-new-long-passphrase-77"


class SetupLinkTestCase(BaseTestCase):
    def link_for_harper(self) -> str:
        parts = urlsplit(accounts.issue_setup_link(actor=self.ada, user=self.harper))
        return f"{parts.path}?{parts.query}"

    def test_the_link_works_once_then_not(self) -> None:
        link = self.link_for_harper()
        self.assertContains(self.client.get(link), "Set your password")
        response = self.client.post(link, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
        self.assertRedirects(response, "/sign-in/", fetch_redirect_response=False)
        self.harper.refresh_from_db()
        self.assertTrue(self.harper.check_password(NEW_PASSWORD))
        again = self.client.post(link, {"new_password1": "x" + NEW_PASSWORD, "new_password2": "x" + NEW_PASSWORD})
        self.assertEqual(again.status_code, 404)
        self.harper.refresh_from_db()
        self.assertTrue(self.harper.check_password(NEW_PASSWORD))
        events = list(AuditEntry.objects.filter(event__startswith="auth.setup_link").order_by("id"))
        self.assertEqual(
            [e.event for e in events], ["auth.setup_link_issued", "auth.setup_link_used", "auth.setup_link_refused"]
        )
        self.assertEqual(events[2].additional_data, {"reason": "already used or replaced"})
        # The token is never in the log.
        token = link.split("token=")[1]
        self.assertFalse(any(token[:20] in (e.path + str(e.additional_data)) for e in events))

    def test_the_password_policy_applies(self) -> None:
        link = self.link_for_harper()
        response = self.client.post(link, {"new_password1": "short", "new_password2": "short"})
        self.assertEqual(response.status_code, 400)
        self.harper.refresh_from_db()
        self.assertFalse(self.harper.check_password("short"))

    @override_settings(ACCOUNT_SETUP_LINK_HOURS=2)
    def test_an_expired_link_is_refused(self) -> None:
        three_hours_ago = signing.b62_encode(int(time.time()) - 3 * 3600)
        with mock.patch.object(signing.TimestampSigner, "timestamp", return_value=three_hours_ago):
            link = self.link_for_harper()
        response = self.client.get(link)
        self.assertEqual(response.status_code, 404)
        self.assertContains(response, "This link cannot be used", status_code=404)
        self.assertEqual(AuditEntry.objects.get(event="auth.setup_link_refused").additional_data, {"reason": "expired"})

    def test_a_forged_link_is_refused(self) -> None:
        response = self.client.get("/account/set-up/?token=not-a-real-token")
        self.assertEqual(response.status_code, 404)
        self.assertEqual(
            AuditEntry.objects.get(event="auth.setup_link_refused").additional_data, {"reason": "not genuine"}
        )

    def test_the_admin_action_sends_a_link_but_not_to_yourself(self) -> None:
        self.client.force_login(self.ada)
        with self.captureOnCommitCallbacks(execute=True):
            self.client.post(
                "/admin/partners/user/",
                {"action": "issue_setup_link", "_selected_action": [self.harper.pk, self.ada.pk]},
            )
        self.assertEqual([m.to for m in mail.outbox], [[self.harper.email]])
        self.assertEqual(AuditEntry.objects.filter(event="auth.setup_link_issued").count(), 1)
