"""Passkeys beside the authenticator app: added only by a verified session, used after the password, removed
by their owner, required for the roles MFA_PASSKEY_REQUIRED_ROLES names; every step audited. The passkey is
a software one (tests/webauthn.py) whose answers the server checks exactly as a real passkey's."""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.test import override_settings
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp_webauthn.models import WebAuthnCredential

from audit.models import AuditEntry, Outcome
from audit.services import EntryKind
from partners.models import User
from tests.base import BaseTestCase
from tests.clients import give_totp_device
from tests.factories import PASSWORD
from tests.webauthn import SoftPasskey

API = "/account/passkeys/webauthn"
REQUIRED = ["administrator", "auditor"]


class PasskeysTestCase(BaseTestCase):
    def post_json(self, path: str, data: Any = None) -> Any:
        return self.client.post(path, json.dumps(data or {}), content_type="application/json")

    def add_passkey(self, user: User) -> SoftPasskey:
        """The user, verified with their app, adds a software passkey from the passkeys page."""
        self.client.force_login(user)
        passkey = SoftPasskey()
        options = self.post_json(f"{API}/registration/begin/").json()
        response = self.post_json(f"{API}/registration/complete/", passkey.create(options))
        self.assertEqual(response.status_code, 200, response.content)
        self.client.logout()
        return passkey

    def sign_in_with_password(self, username: str) -> None:
        response = self.client.post("/sign-in/", {"username": username, "password": PASSWORD})
        self.assertEqual(response.status_code, 302)

    def use_passkey(self, passkey: SoftPasskey, next_url: str = "/") -> Any:
        options = self.post_json(f"{API}/authentication/begin/").json()
        return self.post_json(f"{API}/authentication/complete/?next={next_url}", passkey.get(options))

    def events(self, user: User) -> list[tuple[str, str]]:
        return list(AuditEntry.objects.filter(actor=user).order_by("pk").values_list("event", "outcome"))

    def test_a_verified_user_adds_a_passkey_from_the_passkeys_page(self) -> None:
        self.client.force_login(self.casey)
        page = self.client.get("/account/passkeys/")
        self.assertContains(page, "You have no passkeys")
        self.assertContains(page, 'id="otp_webauthn_config"')
        self.assertContains(page, 'src="/static/django_otp_webauthn/otp_webauthn_register.js"')
        self.assertNotContains(page, "<script>")  # nothing inline: the configuration is a JSON data block
        options = self.post_json(f"{API}/registration/begin/").json()
        self.assertEqual(options["rp"], {"id": settings.OTP_WEBAUTHN_RP_ID, "name": "Prevent Panel"})
        response = self.post_json(f"{API}/registration/complete/", SoftPasskey().create(options))
        self.assertEqual(response.status_code, 200)
        passkey = WebAuthnCredential.objects.get(user=self.casey)
        self.assertTrue(passkey.name.startswith("Passkey added "))
        entry = AuditEntry.objects.get(event="auth.passkey_enrolled")
        self.assertEqual((entry.actor, entry.action, entry.object_pk), (self.casey, EntryKind.CREATE, str(passkey.pk)))
        self.assertContains(self.client.get("/account/passkeys/"), "Your passkey has been added.")

    def test_a_password_alone_cannot_add_a_passkey(self) -> None:
        give_totp_device(self.casey)
        self.client.force_login_without_mfa(self.casey)
        self.assertRedirects(
            self.post_json(f"{API}/registration/begin/"),
            "/account/two-factor/?next=/account/passkeys/webauthn/registration/begin/",
            fetch_redirect_response=False,
        )
        self.assertEqual(self.client.get("/account/passkeys/").status_code, 302)
        self.assertFalse(WebAuthnCredential.objects.exists())

    def test_the_password_then_the_passkey_signs_in(self) -> None:
        passkey = self.add_passkey(self.casey)
        self.sign_in_with_password("casey")
        page = self.client.get("/account/two-factor/?next=/cases/")
        self.assertContains(page, "Use your passkey")
        self.assertContains(page, "Or enter a security code")
        self.assertContains(page, 'src="/static/django_otp_webauthn/otp_webauthn_auth.js"')
        session_key = self.client.session.session_key
        response = self.use_passkey(passkey, "/cases/")
        self.assertEqual(response.json()["redirect_url"], "/cases/")
        self.assertTrue(
            self.client.session[DEVICE_ID_SESSION_KEY].startswith("django_otp_webauthn.webauthncredential/")
        )
        self.assertNotEqual(self.client.session.session_key, session_key)
        self.assertEqual(self.client.get("/cases/").status_code, 200)
        entry = AuditEntry.objects.filter(event="auth.mfa_verified").last()
        assert entry is not None
        self.assertEqual((entry.actor, entry.additional_data), (self.casey, {"method": "passkey"}))

    def test_an_outside_address_is_refused(self) -> None:
        passkey = self.add_passkey(self.casey)
        self.sign_in_with_password("casey")
        passkey.origin = "https://prevent-panel.example.net"  # a look-alike site relaying the challenge
        response = self.use_passkey(passkey)
        self.assertEqual(response.status_code, 422)
        self.assertNotIn(DEVICE_ID_SESSION_KEY, self.client.session)
        self.assertEqual(self.client.get("/cases/").status_code, 302)
        entry = AuditEntry.objects.get(event="auth.passkey_failed")
        self.assertEqual((entry.actor, entry.outcome), (self.casey, Outcome.DENIED))
        self.assertEqual(entry.additional_data, {"step": "sign-in", "reason": "invalid_authentication_response"})

    def test_a_wrong_key_or_someone_elses_passkey_is_refused_and_audited(self) -> None:
        casey_passkey = self.add_passkey(self.casey)
        pat_passkey = self.add_passkey(self.pat)
        self.sign_in_with_password("casey")
        forged = SoftPasskey()
        forged.credential_id = casey_passkey.credential_id
        self.assertEqual(self.use_passkey(forged).status_code, 422)
        self.assertEqual(self.use_passkey(pat_passkey).status_code, 403)
        self.assertNotIn(DEVICE_ID_SESSION_KEY, self.client.session)
        reasons = list(
            AuditEntry.objects.filter(event="auth.passkey_failed", actor=self.casey)
            .order_by("pk")
            .values_list("additional_data", flat=True)
        )
        self.assertEqual(
            reasons,
            [
                {"step": "sign-in", "reason": "invalid_authentication_response"},
                {"step": "sign-in", "reason": "credential_user_mismatch"},
            ],
        )

    def test_the_owner_removes_a_passkey_and_no_one_else_can(self) -> None:
        self.add_passkey(self.casey)
        self.add_passkey(self.pat)
        casey_passkey = WebAuthnCredential.objects.get(user=self.casey)
        pat_passkey = WebAuthnCredential.objects.get(user=self.pat)
        self.client.force_login(self.casey)
        self.assertContains(self.client.get(f"/account/passkeys/{casey_passkey.pk}/remove/"), "Are you sure")
        self.assertEqual(self.client.get(f"/account/passkeys/{pat_passkey.pk}/remove/").status_code, 404)
        self.assertEqual(self.client.post(f"/account/passkeys/{pat_passkey.pk}/remove/").status_code, 404)
        self.assertRedirects(self.client.post(f"/account/passkeys/{casey_passkey.pk}/remove/"), "/account/passkeys/")
        self.assertFalse(WebAuthnCredential.objects.filter(user=self.casey).exists())
        self.assertTrue(WebAuthnCredential.objects.filter(user=self.pat).exists())
        entry = AuditEntry.objects.get(event="auth.passkey_removed")
        self.assertEqual(
            (entry.actor, entry.action, entry.object_pk), (self.casey, EntryKind.DELETE, str(casey_passkey.pk))
        )

    @override_settings(MFA_PASSKEY_REQUIRED_ROLES=REQUIRED)
    def test_a_required_role_without_a_passkey_reaches_only_the_passkey_page_until_it_adds_one(self) -> None:
        self.client.force_login(self.audrey)  # verified with the app
        self.assertRedirects(
            self.client.get("/audit/"), "/account/passkeys/?next=/audit/", fetch_redirect_response=False
        )
        self.assertRedirects(self.client.get("/"), "/account/passkeys/?next=/", fetch_redirect_response=False)
        self.assertContains(self.client.get("/account/passkeys/"), "Your role must sign in with a passkey")
        options = self.post_json(f"{API}/registration/begin/").json()
        self.assertEqual(
            self.post_json(f"{API}/registration/complete/", SoftPasskey().create(options)).status_code, 200
        )
        self.assertEqual(self.client.get("/").status_code, 200)
        # Roles not named are not asked.
        self.client.force_login(self.casey)
        self.assertEqual(self.client.get("/").status_code, 200)

    @override_settings(MFA_PASSKEY_REQUIRED_ROLES=REQUIRED)
    def test_a_required_role_with_a_passkey_cannot_use_a_code_instead(self) -> None:
        passkey = self.add_passkey(self.ada)
        self.sign_in_with_password("ada")
        page = self.client.get("/account/two-factor/")
        self.assertContains(page, "Use your passkey")
        self.assertNotContains(page, "Security code")
        response = self.client.post("/account/two-factor/", {"code": "123456"})
        self.assertContains(response, "Your role must sign in with a passkey", status_code=400)
        # A session verified with the app is still sent to the passkey.
        self.client.force_login(self.ada)
        self.assertRedirects(
            self.client.get("/admin/"), "/account/two-factor/?next=/admin/", fetch_redirect_response=False
        )
        self.assertEqual(self.use_passkey(passkey).status_code, 200)
        self.assertEqual(self.client.get("/").status_code, 200)

    @override_settings(MFA_PASSKEY_REQUIRED_ROLES=REQUIRED)
    def test_a_required_role_cannot_remove_its_last_passkey(self) -> None:
        soft = self.add_passkey(self.audrey)
        passkey = WebAuthnCredential.objects.get(user=self.audrey)
        self.client.force_login(self.audrey)
        self.assertEqual(self.use_passkey(soft).status_code, 200)
        response = self.client.post(f"/account/passkeys/{passkey.pk}/remove/", follow=True)
        self.assertContains(response, "add another passkey before removing this one")
        self.assertTrue(WebAuthnCredential.objects.filter(pk=passkey.pk).exists())
        self.assertFalse(AuditEntry.objects.filter(event="auth.passkey_removed").exists())
