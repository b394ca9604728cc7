"""Every sign-in: the password, then a code from the app or a recovery code; a used code is refused."""

from __future__ import annotations

from django.test import override_settings
from django_otp import DEVICE_ID_SESSION_KEY

from audit.models import AuditEntry, Outcome
from partners import services
from partners.models import RecoveryCodeSet
from tests.base import BaseTestCase
from tests.clients import code_for_key, give_totp_device, next_code
from tests.factories import PASSWORD


class MfaVerifyTestCase(BaseTestCase):
    def sign_in_with_password(self) -> None:
        response = self.client.post("/sign-in/", {"username": "pat", "password": PASSWORD})
        self.assertEqual(response.status_code, 302)

    def test_the_password_then_the_code_signs_in_under_a_new_session_key_each_step(self) -> None:
        give_totp_device(self.pat)
        self.client.get("/sign-in/")
        anonymous_key = self.client.cookies.get("sessionid")
        self.sign_in_with_password()
        password_key = self.client.session.session_key
        self.assertNotEqual(anonymous_key and anonymous_key.value, password_key)
        self.assertRedirects(self.client.get("/cases/"), "/account/two-factor/?next=/cases/")
        response = self.client.post("/account/two-factor/", {"code": next_code(self.pat), "next": "/cases/"})
        self.assertRedirects(response, "/cases/")
        self.assertNotEqual(self.client.session.session_key, password_key)
        events = list(AuditEntry.objects.filter(actor=self.pat).order_by("pk").values_list("event", "outcome"))
        self.assertEqual(events[:2], [("auth.signed_in", Outcome.ALLOWED), ("auth.mfa_verified", Outcome.ALLOWED)])

    def test_a_code_already_used_is_refused(self) -> None:
        device = give_totp_device(self.pat)
        code = next_code(self.pat)
        self.sign_in_with_password()
        self.assertEqual(self.client.post("/account/two-factor/", {"code": code}).status_code, 302)
        self.client.post("/sign-out/")
        self.sign_in_with_password()
        response = self.client.post("/account/two-factor/", {"code": code})
        self.assertContains(response, "already been used", status_code=400)
        self.assertNotIn(DEVICE_ID_SESSION_KEY, self.client.session)
        self.assertEqual(self.client.get("/cases/").status_code, 302)
        device.refresh_from_db()
        self.assertEqual(device.throttling_failure_count, 1)
        self.assertEqual(AuditEntry.objects.filter(event="auth.mfa_failed", actor=self.pat).count(), 1)

    @override_settings(OTP_TOTP_THROTTLE_FACTOR=600)  # a wait no slow machine outlasts between two requests
    def test_wrong_codes_are_throttled_so_even_the_right_one_waits(self) -> None:
        device = give_totp_device(self.pat)
        self.sign_in_with_password()
        right = next_code(self.pat)
        wrong = f"{(int(right) + 1) % 1_000_000:06d}"
        self.assertEqual(self.client.post("/account/two-factor/", {"code": wrong}).status_code, 400)
        # Straight after a failure, django-otp refuses to check any code (1, 2, 4, 8... times the factor).
        self.assertEqual(self.client.post("/account/two-factor/", {"code": right}).status_code, 400)
        device.refresh_from_db()
        self.assertGreaterEqual(device.throttling_failure_count, 1)
        entry = AuditEntry.objects.filter(event="auth.mfa_failed").last()
        assert entry is not None
        self.assertEqual(entry.additional_data, {"throttled": True})

    def test_a_recovery_code_signs_in_once(self) -> None:
        key = give_totp_device(self.pat).bin_key
        codes = services.new_recovery_codes(user=self.pat)
        self.sign_in_with_password()
        response = self.client.post("/account/two-factor/", {"code": codes[0].upper(), "next": "/"})
        self.assertRedirects(response, "/")
        self.assertEqual(RecoveryCodeSet.objects.get(user=self.pat).codes.count(), 9)
        self.assertEqual(AuditEntry.objects.get(event="auth.mfa_verified").additional_data, {"method": "recovery code"})
        self.client.post("/sign-out/")
        self.sign_in_with_password()
        self.assertEqual(self.client.post("/account/two-factor/", {"code": codes[0]}).status_code, 400)
        self.assertNotEqual(code_for_key(key), "")

    def test_signing_in_again_needs_the_second_factor_again(self) -> None:
        # Django's login() keeps a session's data when the same user signs in again; ours drops the factor.
        from django.contrib.auth import login
        from django.contrib.sessions.backends.db import SessionStore
        from django.test import RequestFactory

        request = RequestFactory().post("/sign-in/")
        request.session = SessionStore()
        request.user = self.pat
        request.session[DEVICE_ID_SESSION_KEY] = give_totp_device(self.pat).persistent_id
        login(request, self.pat, backend="partners.backends.PartnerBackend")
        self.assertNotIn(DEVICE_ID_SESSION_KEY, request.session)

    def test_an_empty_or_odd_code_is_a_form_error_not_a_failure(self) -> None:
        give_totp_device(self.pat)
        self.sign_in_with_password()
        response = self.client.post("/account/two-factor/", {"code": ""})
        self.assertContains(response, "Enter the security code", status_code=400)
        self.assertEqual(self.client.post("/account/two-factor/", {"code": "x" * 200}).status_code, 400)
        self.assertFalse(AuditEntry.objects.filter(event="auth.mfa_failed").exists())
