"""Typing keeps a session alive (issue 15 finding 1): the keep-alive the page posts at most once a minute
while someone types restarts the same server-side idle clock as any page, never the absolute one; it is
audited once per request; the warning's look at the clock is not activity."""

from __future__ import annotations

import time
from typing import Any
from unittest import mock

from django.test import Client

from audit.models import AuditEntry, Outcome
from tests.base import BaseTestCase

KEEP_ALIVE = "/account/session/keep-alive/"


class KeepAliveTestCase(BaseTestCase):
    def setUp(self) -> None:
        # One starting time for the whole test, so a slow machine does not add its own seconds.
        self.start = time.time()

    def later(self, seconds: float) -> Any:
        return mock.patch("time.time", return_value=self.start + seconds)

    def keep_alive(self) -> Any:
        return self.client.post(KEEP_ALIVE, HTTP_ACCEPT="application/json")

    def test_typing_restarts_the_idle_clock(self) -> None:
        self.client.force_login(self.casey)
        for minutes in (10, 20, 30):
            with self.later(minutes * 60):
                response = self.keep_alive()
            self.assertEqual(response.status_code, 200)
            self.assertEqual(response.json()["idle_seconds"], 15 * 60)
        # 30 minutes after signing in and 14 after the last keystroke: still signed in.
        with self.later(44 * 60):
            self.assertEqual(self.client.get("/cases/").status_code, 200)
        with self.later(44 * 60 + 15 * 60 + 1):
            self.assertEqual(self.client.get("/cases/").status_code, 302)

    def test_each_keep_alive_writes_one_entry_and_the_net_adds_none(self) -> None:
        self.client.force_login(self.casey)
        with self.later(120):
            self.keep_alive()
        entries = list(AuditEntry.objects.filter(path=KEEP_ALIVE))
        self.assertEqual(
            [(e.event, e.outcome, e.actor) for e in entries], [("auth.session_kept_alive", Outcome.ALLOWED, self.casey)]
        )
        self.assertAlmostEqual(entries[0].additional_data["absolute_seconds_left"], 12 * 3600 - 120, delta=2)

    def test_the_absolute_limit_holds_however_much_is_typed(self) -> None:
        self.client.force_login(self.casey)
        for minutes in range(10, 12 * 60, 10):
            with self.later(minutes * 60):
                left = self.keep_alive().json()
            # Never more idle time than the absolute limit leaves: the page warns of the earlier one.
            self.assertAlmostEqual(left["absolute_seconds"], 12 * 3600 - minutes * 60, delta=2)
        with self.later(12 * 3600 - 60):
            left = self.keep_alive().json()
        self.assertLess(left["absolute_seconds"], left["idle_seconds"])
        with self.later(12 * 3600 + 1):
            response = self.keep_alive()
        self.assertRedirects(response, f"/sign-in/?next={KEEP_ALIVE}", fetch_redirect_response=False)
        self.assertEqual(AuditEntry.objects.get(event="auth.session_expired").additional_data, {"reason": "absolute"})
        self.assertEqual(self.client.get("/cases/").status_code, 302)

    def test_a_keep_alive_after_the_idle_limit_does_not_revive_the_session(self) -> None:
        self.client.force_login(self.casey)
        with self.later(15 * 60 + 1):
            response = self.keep_alive()
        self.assertEqual(response.status_code, 302)
        self.assertFalse(AuditEntry.objects.filter(event="auth.session_kept_alive").exists())
        self.assertEqual(self.client.get("/cases/").status_code, 302)

    def test_nobody_signed_out_or_half_signed_in_gets_a_keep_alive(self) -> None:
        anonymous = Client()
        response = anonymous.post(KEEP_ALIVE)
        self.assertRedirects(response, f"/sign-in/?next={KEEP_ALIVE}", fetch_redirect_response=False)
        self.assertNotIn("pp_last_seen", anonymous.session)
        self.client.force_login_without_mfa(self.casey)
        response = self.keep_alive()
        self.assertEqual(response.status_code, 302)
        self.assertIn("/account/two-factor/", response["Location"])
        self.assertFalse(AuditEntry.objects.filter(event="auth.session_kept_alive").exists())
        self.client.force_login(self.casey)
        self.assertEqual(self.client.get(KEEP_ALIVE).status_code, 405)

    def test_looking_at_the_clock_is_not_activity(self) -> None:
        self.client.force_login(self.casey)
        for minutes in (5, 10, 14):
            with self.later(minutes * 60):
                left = self.client.get("/account/session/").json()
        self.assertAlmostEqual(left["idle_seconds"], 60, delta=2)
        with self.later(15 * 60 + 1):
            self.assertEqual(self.client.get("/account/session/").status_code, 302)
