"""First sign-in: set up an authenticator app, confirm it, see the recovery codes once."""

from __future__ import annotations

import re
from base64 import b32decode

from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from audit.models import AuditEntry, Outcome
from partners import recovery_codes
from partners.models import RecoveryCode
from tests.base import BaseTestCase
from tests.clients import code_for_key, give_totp_device


class MfaEnrolTestCase(BaseTestCase):
    def secret_on_page(self) -> bytes:
        response = self.client.get("/account/two-factor/set-up/")
        self.assertEqual(response.status_code, 200)
        found = re.search(r"data-totp-secret>([A-Z2-7 ]+)<", response.content.decode())
        assert found is not None
        return b32decode(found.group(1).replace(" ", ""))

    def test_a_first_sign_in_is_sent_to_set_up_an_app(self) -> None:
        self.client.force_login_without_mfa(self.casey)
        response = self.client.get("/cases/")
        self.assertRedirects(response, "/account/two-factor/set-up/?next=/cases/", fetch_redirect_response=False)
        response = self.client.get("/account/two-factor/set-up/?next=/cases/")
        self.assertContains(response, "Set up your authenticator app")
        self.assertContains(response, 'src="/account/two-factor/set-up/qr-code.svg"')
        self.assertContains(response, 'autocomplete="one-time-code"')

    def test_the_qr_code_is_made_here_and_only_for_the_session_setting_up(self) -> None:
        self.client.force_login_without_mfa(self.casey)
        self.assertEqual(self.client.get("/account/two-factor/set-up/qr-code.svg").status_code, 404)
        self.client.get("/account/two-factor/set-up/")
        response = self.client.get("/account/two-factor/set-up/qr-code.svg")
        self.assertEqual(response["Content-Type"], "image/svg+xml")
        self.assertIn(b"<svg", response.content)
        self.assertIn("no-store", response["Cache-Control"])

    def test_the_same_secret_is_offered_until_it_is_confirmed(self) -> None:
        self.client.force_login_without_mfa(self.casey)
        self.assertEqual(self.secret_on_page(), self.secret_on_page())
        self.assertEqual(TOTPDevice.objects.filter(user=self.casey).count(), 1)

    def test_a_right_code_confirms_the_app_and_shows_ten_recovery_codes_once(self) -> None:
        self.client.force_login_without_mfa(self.casey)
        key = self.secret_on_page()
        session_key = self.client.session.session_key
        response = self.client.post("/account/two-factor/set-up/", {"code": code_for_key(key), "next": "/cases/"})
        self.assertContains(response, "Save your recovery codes")
        codes = re.findall(r"<li><code>([a-z2-7-]+)</code></li>", response.content.decode())
        self.assertEqual(len(codes), 10)
        # Kept only as keyed digests (tests/partners/test_recovery_codes.py checks no code is stored).
        self.assertEqual(
            set(RecoveryCode.objects.filter(device__user=self.casey).values_list("digest", flat=True)),
            {recovery_codes.digest(code) for code in codes},
        )
        self.assertContains(response, 'href="/cases/"')
        self.assertTrue(TOTPDevice.objects.get(user=self.casey).confirmed)
        # Verified, under a new session key.
        self.assertIn(DEVICE_ID_SESSION_KEY, self.client.session)
        self.assertNotEqual(self.client.session.session_key, session_key)
        self.assertEqual(self.client.get("/cases/").status_code, 200)
        # The codes are never shown again.
        self.assertRedirects(self.client.get("/account/two-factor/set-up/"), "/", fetch_redirect_response=False)
        entry = AuditEntry.objects.get(event="auth.mfa_enrolled")
        self.assertEqual((entry.actor, entry.outcome), (self.casey, Outcome.ALLOWED))
        self.assertNotIn(codes[0], str(AuditEntry.objects.values_list("additional_data", "object_repr")))

    def test_a_wrong_code_is_refused_audited_and_keeps_the_session_unverified(self) -> None:
        self.client.force_login_without_mfa(self.casey)
        key = self.secret_on_page()
        wrong = f"{(int(code_for_key(key)) + 1) % 1_000_000:06d}"
        response = self.client.post("/account/two-factor/set-up/", {"code": wrong})
        self.assertContains(response, "The code is not right", status_code=400)
        self.assertContains(response, "govuk-error-summary", status_code=400)
        self.assertFalse(TOTPDevice.objects.get(user=self.casey).confirmed)
        self.assertNotIn(DEVICE_ID_SESSION_KEY, self.client.session)
        entry = AuditEntry.objects.get(event="auth.mfa_failed")
        self.assertEqual((entry.actor, entry.outcome), (self.casey, Outcome.DENIED))
        self.assertNotIn(wrong, str(entry.additional_data))
        self.assertEqual(self.client.get("/").status_code, 302)

    def test_a_password_alone_cannot_add_an_app_to_an_enrolled_account(self) -> None:
        give_totp_device(self.casey)
        self.client.force_login_without_mfa(self.casey)
        response = self.client.get("/account/two-factor/set-up/?next=/cases/")
        self.assertRedirects(response, "/account/two-factor/?next=%2Fcases%2F", fetch_redirect_response=False)
        self.client.post("/account/two-factor/set-up/", {"code": "123456"})
        self.assertEqual(TOTPDevice.objects.filter(user=self.casey).count(), 1)
        self.assertEqual(self.client.get("/account/two-factor/set-up/qr-code.svg").status_code, 404)
