"""Ten failed passwords lock a username, known or not, for LOCKOUT_MINUTES; lockouts are audited (T11)."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from axes.models import AccessAttempt
from django.conf import settings

from audit.digests import text_digest
from audit.models import AuditEntry, Outcome
from tests.base import BaseTestCase
from tests.factories import PASSWORD

WRONG = "wrong-password-123"


def main_part(body: bytes, username: str) -> str:
    """The page without what differs by nature: the username typed and the per-response tokens."""
    text = body.decode().replace(username, "USERNAME")
    text = re.sub(r'value="[A-Za-z0-9]{64}"', "TOKEN", text)
    text = re.sub(r'"X-CSRFToken": "[A-Za-z0-9]+"', "TOKEN", text)
    return re.sub(r'nonce="[^"]+"', "NONCE", text)


class LockoutTestCase(BaseTestCase):
    def attempt(self, username: str, password: str = WRONG) -> Any:
        return self.client.post("/sign-in/", {"username": username, "password": password})

    def test_the_tenth_failure_locks_the_username_even_for_the_right_password(self) -> None:
        for n in range(1, 10):
            self.assertEqual(self.attempt("casey").status_code, 200, f"attempt {n} is an ordinary failure")
        locked = self.attempt("casey")
        self.assertContains(locked, "Sign in is locked for now", status_code=429)
        self.assertContains(locked, "Try again in 15 minutes", status_code=429)
        right = self.attempt("casey", PASSWORD)
        self.assertEqual(right.status_code, 429)
        self.assertNotIn("_auth_user_id", self.client.session)
        # Recorded when the lock starts, and again for each attempt refused while it lasts.
        entries = AuditEntry.objects.filter(event="auth.locked_out").order_by("pk")
        self.assertEqual(entries.count(), 2)
        self.assertEqual(entries[0].outcome, Outcome.DENIED)
        self.assertEqual(entries[0].object_repr, "casey")  # an account's username; an unknown one only as a digest
        self.assertEqual(entries[0].additional_data, {"username_digest": text_digest("casey"), "known_account": True})
        self.assertEqual(AuditEntry.objects.filter(event="auth.sign_in_failed").count(), 11)
        # Other users are unaffected.
        self.assertEqual(self.attempt("pat", PASSWORD).status_code, 302)

    def test_an_unknown_username_gets_exactly_the_responses_a_real_one_gets(self) -> None:
        for _ in range(10):
            real, unknown = self.attempt("casey"), self.attempt("nobody-here")
            self.assertEqual(real.status_code, unknown.status_code)
            self.assertEqual(main_part(real.content, "casey"), main_part(unknown.content, "nobody-here"))
        self.assertEqual(real.status_code, 429)
        self.assertEqual(AuditEntry.objects.filter(event="auth.locked_out").count(), 2)

    def test_the_lock_ends_after_the_cool_off(self) -> None:
        for _ in range(10):
            self.attempt("casey")
        self.assertEqual(self.attempt("casey", PASSWORD).status_code, 429)
        AccessAttempt.objects.update(attempt_time=AccessAttempt.objects.get().attempt_time - timedelta(minutes=16))
        self.assertEqual(self.attempt("casey", PASSWORD).status_code, 302)

    def test_a_success_resets_the_count(self) -> None:
        for _ in range(9):
            self.attempt("casey")
        self.assertEqual(self.attempt("casey", PASSWORD).status_code, 302)
        self.client.post("/sign-out/")
        self.assertEqual(self.attempt("casey").status_code, 200, "a fresh count after signing in")

    def test_the_policy_is_ten_failures_by_username_for_a_configurable_time(self) -> None:
        self.assertEqual(settings.AXES_FAILURE_LIMIT, 10)
        self.assertEqual(settings.AXES_LOCKOUT_PARAMETERS, ["username"])
        self.assertEqual(settings.AXES_COOLOFF_TIME, timedelta(minutes=15))
        self.assertEqual(settings.AUTHENTICATION_BACKENDS[0], "axes.backends.AxesStandaloneBackend")
        self.assertEqual(settings.MIDDLEWARE[-1], "axes.middleware.AxesMiddleware")
