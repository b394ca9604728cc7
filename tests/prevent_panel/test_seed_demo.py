from __future__ import annotations

import json

from django.conf import settings
from django.core.management import call_command
from django.test import TestCase

from partners.demo import PERSONAS
from partners.models import Agency, Role, User


class SeedDemoTestCase(TestCase):
    def test_it_seeds_every_persona_and_is_idempotent(self) -> None:
        call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
        call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
        self.assertEqual(User.objects.count(), len(PERSONAS))
        self.assertEqual({u.role for u in User.objects.all()}, set(Role.values))
        self.assertTrue(all(a.group_id for a in Agency.objects.all()))

    def test_every_persona_in_the_credentials_file_can_sign_in(self) -> None:
        call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
        credentials = json.loads((settings.BASE_DIR / "var" / "demo-credentials.json").read_text())
        self.assertEqual(len(credentials), len(PERSONAS))
        for row in credentials:
            self.assertEqual(set(row), {"username", "password", "role", "agency"})
            response = self.client.post("/sign-in/", {"username": row["username"], "password": row["password"]})
            self.assertRedirects(response, "/", msg_prefix=row["username"])
            self.client.post("/sign-out/")
