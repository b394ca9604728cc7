"""Sessions end 15 minutes after the last activity and 12 hours after sign-in, on the server, whatever
the browser does; the warning's "stay signed in" restarts only the idle clock; sign-out destroys the
session (test plan T14, T15)."""

from __future__ import annotations

import time
from typing import Any
from unittest import mock

from django.contrib.sessions.models import Session
from django.test import override_settings

from audit.models import AuditEntry
from tests.base import BaseTestCase
from tests.clients import VerifiedClient


class SessionLimitsTestCase(BaseTestCase):
    def later(self, seconds: float) -> Any:
        return mock.patch("time.time", return_value=time.time() + seconds)

    def test_fourteen_minutes_idle_is_fine_fifteen_signs_out(self) -> None:
        self.client.force_login(self.casey)
        with self.later(14 * 60):
            self.assertEqual(self.client.get("/cases/").status_code, 200)
        # That request was activity: 14 more minutes are fine again.
        with self.later(28 * 60):
            self.assertEqual(self.client.get("/cases/").status_code, 200)
        with self.later(28 * 60 + 15 * 60 + 1):
            response = self.client.get("/cases/")
        self.assertRedirects(response, "/sign-in/?next=/cases/", fetch_redirect_response=False)
        self.assertContains(self.client.get("/sign-in/"), "had not used the service for 15 minutes")
        entry = AuditEntry.objects.get(event="auth.session_expired")
        self.assertEqual((entry.actor, entry.additional_data), (self.casey, {"reason": "idle"}))
        self.assertTrue(AuditEntry.objects.filter(event="auth.signed_out", actor=self.casey).exists())

    def test_twelve_hours_after_sign_in_the_session_ends_however_active(self) -> None:
        self.client.force_login(self.casey)
        for minutes in range(10, 12 * 60, 10):
            with self.later(minutes * 60):
                self.client.post("/account/session/extend/")
        with self.later(12 * 3600 - 30):
            self.assertEqual(self.client.get("/cases/").status_code, 200)
        with self.later(12 * 3600 + 1):
            self.assertEqual(self.client.get("/cases/").status_code, 302)
        self.assertContains(self.client.get("/sign-in/"), "signed in more than 12 hours ago")
        self.assertEqual(AuditEntry.objects.get(event="auth.session_expired").additional_data, {"reason": "absolute"})

    def test_stay_signed_in_restarts_the_idle_clock_only(self) -> None:
        self.client.force_login(self.casey)
        with self.later(13 * 60):
            response = self.client.post("/account/session/extend/", HTTP_ACCEPT="application/json")
        left = response.json()
        self.assertEqual(left["idle_seconds"], 15 * 60)
        self.assertAlmostEqual(left["absolute_seconds"], 12 * 3600 - 13 * 60, delta=2)
        with self.later(27 * 60):
            self.assertEqual(self.client.get("/cases/").status_code, 200)
        # Without JavaScript the same form posts and comes back to the page.
        with self.later(28 * 60):
            response = self.client.post("/account/session/extend/", {"next": "/cases/"})
        self.assertRedirects(response, "/cases/", fetch_redirect_response=False)
        self.assertEqual(self.client.get("/account/session/extend/").status_code, 405)

    def test_background_polling_does_not_keep_a_session_alive(self) -> None:
        self.client.force_login(self.casey)
        for minutes in (5, 10, 14):
            with self.later(minutes * 60):
                self.client.get("/cases/", HTTP_HX_REQUEST="true")
        with self.later(15 * 60 + 1):
            self.assertEqual(self.client.get("/cases/").status_code, 302)

    def test_pages_tell_the_timeout_warning_how_long_is_left(self) -> None:
        self.client.force_login(self.casey)
        body = self.client.get("/cases/").content.decode()
        self.assertIn('data-session-idle="', body)
        self.assertIn('data-session-warn="120"', body)
        self.assertIn("js/session-timeout.js", body)
        self.assertIn("Stay signed in", body)
        # Not for a session that has only given its password.
        self.client.force_login_without_mfa(self.casey)
        self.assertNotIn("data-session-idle", self.client.get("/account/two-factor/set-up/").content.decode())

    def test_sign_out_destroys_the_session_and_clears_site_data(self) -> None:
        self.client.force_login(self.casey)
        old_cookie = self.client.cookies["sessionid"].value
        response = self.client.post("/sign-out/")
        self.assertEqual(response["Clear-Site-Data"], '"cache", "cookies", "storage"')
        self.assertFalse(Session.objects.filter(session_key=old_cookie).exists())
        # Replaying the old cookie gets nothing.
        replay = VerifiedClient()
        replay.cookies["sessionid"] = old_cookie
        self.assertRedirects(replay.get("/cases/"), "/sign-in/?next=/cases/", fetch_redirect_response=False)

    def test_a_password_only_session_can_sign_out(self) -> None:
        self.client.force_login_without_mfa(self.casey)
        self.assertContains(self.client.get("/sign-out/"), "Are you sure you want to sign out?")
        self.assertRedirects(self.client.post("/sign-out/"), "/sign-in/", fetch_redirect_response=False)
        self.assertNotIn("_auth_user_id", self.client.session)

    def test_cookies_are_http_only_and_same_site(self) -> None:
        self.client.force_login(self.casey)
        self.client.get("/sign-in/")
        response = self.client.post("/account/session/extend/", HTTP_ACCEPT="application/json")
        self.assertEqual(response.status_code, 200)
        response = self.client.get("/cases/")
        cookie = response.cookies.get("csrftoken") or self.client.cookies["csrftoken"]
        self.assertTrue(cookie["httponly"])
        self.assertEqual(cookie["samesite"], "Lax")

    @override_settings(
        SESSION_COOKIE_NAME="__Host-sessionid",
        CSRF_COOKIE_NAME="__Host-csrftoken",
        SESSION_COOKIE_SECURE=True,
        CSRF_COOKIE_SECURE=True,
    )
    def test_over_https_the_session_cookie_is_host_prefixed_and_secure(self) -> None:
        from tests.clients import give_totp_device, next_code
        from tests.factories import PASSWORD

        give_totp_device(self.casey)
        client = VerifiedClient()
        client.post("/sign-in/", {"username": "casey", "password": PASSWORD}, secure=True)
        response = client.post("/account/two-factor/", {"code": next_code(self.casey)}, secure=True)
        cookie = response.cookies["__Host-sessionid"]
        self.assertTrue(cookie["secure"])
        self.assertTrue(cookie["httponly"])
        self.assertEqual(cookie["path"], "/")
        self.assertEqual(cookie["domain"], "")
        self.assertEqual(cookie["samesite"], "Lax")
