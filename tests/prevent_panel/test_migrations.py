from __future__ import annotations

from io import StringIO

from django.core.management import call_command
from django.test import TestCase


class MigrationsTestCase(TestCase):
    def test_models_and_migrations_agree(self) -> None:
        out = StringIO()
        call_command("makemigrations", "--check", "--dry-run", stdout=out)
        self.assertIn("No changes detected", out.getvalue())
