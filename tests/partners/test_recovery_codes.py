"""Recovery codes are shown once and stored only as keyed digests: a copy of the database holds no code."""

from __future__ import annotations

import importlib
import io
import re
from base64 import b32decode

from django.apps import apps
from django.core.management import call_command
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken

from audit.models import AuditEntry, Outcome
from partners import services
from partners.models import RecoveryCodeSet
from tests.base import BaseTestCase
from tests.clients import code_for_key
from tests.factories import PASSWORD


class RecoveryCodesTestCase(BaseTestCase):
    def enrol(self) -> list[str]:
        """Casey sets up the app at her first sign-in; returns the recovery codes the page showed."""
        self.client.post("/sign-in/", {"username": "casey", "password": PASSWORD})
        page = self.client.get("/account/two-factor/set-up/").content.decode()
        found = re.search(r"data-totp-secret>([A-Z2-7 ]+)<", page)
        assert found is not None
        key = b32decode(found.group(1).replace(" ", ""))
        response = self.client.post("/account/two-factor/set-up/", {"code": code_for_key(key), "next": "/"})
        self.assertContains(response, "Save your recovery codes")
        codes = re.findall(r"<li><code>([a-z2-7-]+)</code></li>", response.content.decode())
        self.assertEqual(len(codes), 10)
        self.client.post("/sign-out/")
        return codes

    def database_text(self) -> str:
        """Everything the database holds, as a dump an attacker with a copy of it would read."""
        out = io.StringIO()
        call_command("dumpdata", "--natural-foreign", stdout=out)
        return out.getvalue().lower()

    def test_no_stored_value_is_a_shown_code(self) -> None:
        codes = self.enrol()
        dump = self.database_text()
        stored = [code for code in codes if code.lower() in dump or code.replace("-", "").lower() in dump]
        self.assertEqual(stored, [], "recovery codes are stored as shown")

    def test_a_shown_code_signs_in_once_and_not_twice(self) -> None:
        codes = self.enrol()
        self.client.post("/sign-in/", {"username": "casey", "password": PASSWORD})
        # Typed as a person might: upper case, spaces instead of hyphens.
        typed = codes[3].upper().replace("-", " ")
        response = self.client.post("/account/two-factor/", {"code": typed, "next": "/cases/"})
        self.assertRedirects(response, "/cases/", fetch_redirect_response=False)
        entry = AuditEntry.objects.filter(event="auth.mfa_verified").last()
        assert entry is not None
        self.assertEqual((entry.actor, entry.additional_data), (self.casey, {"method": "recovery code"}))
        self.client.post("/sign-out/")

        self.client.post("/sign-in/", {"username": "casey", "password": PASSWORD})
        response = self.client.post("/account/two-factor/", {"code": codes[3]})
        self.assertContains(response, "already been used", status_code=400)
        failed = AuditEntry.objects.filter(event="auth.mfa_failed").last()
        assert failed is not None
        self.assertEqual((failed.actor, failed.outcome), (self.casey, Outcome.DENIED))
        self.assertEqual(self.client.get("/cases/").status_code, 302)

    def test_the_migration_turns_existing_plain_codes_into_digests_that_still_work_once(self) -> None:
        device = StaticDevice.objects.create(user=self.pat, name="Recovery codes", confirmed=True)
        plain = ["2hizrt5b", "av3s5c2h", "wtg4m43v"]
        StaticToken.objects.bulk_create(StaticToken(device=device, token=token) for token in plain)
        migration = importlib.import_module("partners.migrations.0003_hash_recovery_codes")
        migration.hash_static_tokens(apps, None)

        self.assertFalse(StaticToken.objects.exists())
        self.assertEqual(RecoveryCodeSet.objects.get(user=self.pat).codes.count(), 3)
        self.assertNotIn("av3s5c2h", self.database_text())
        self.assertIsNotNone(services.verify_second_factor(user=self.pat, code="AV3S 5C2H"))
        self.assertEqual(RecoveryCodeSet.objects.get(user=self.pat).codes.count(), 2)
        RecoveryCodeSet.objects.filter(user=self.pat).update(throttling_failure_count=0)
        self.assertIsNone(services.verify_second_factor(user=self.pat, code="av3s5c2h"))
