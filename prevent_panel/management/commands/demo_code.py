"""manage.py demo_code USERNAME: the current sign-in code of a demo persona.

Reads only var/demo-credentials.json (written by seed_demo), never the database, so it can tell the code
of a synthetic demo persona and of nobody else.
"""

from __future__ import annotations

import json
import time
from base64 import b32decode
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django_otp.oath import TOTP


class Command(BaseCommand):
    help = "Print the current 6-digit sign-in code of a demo persona (from var/demo-credentials.json)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")

    def handle(self, *args: Any, **options: Any) -> None:
        path = settings.DEMO_CREDENTIALS_PATH
        try:
            rows = json.loads(path.read_text())
        except (OSError, ValueError):
            raise CommandError(f"No demo credentials at {path}: run `make run` or `manage.py seed_demo`.") from None
        secret = next((row.get("totp_secret") for row in rows if row.get("username") == options["username"]), None)
        if not secret:
            raise CommandError(f"{options['username']!r} is not a demo persona in {path}.")
        totp = TOTP(b32decode(secret))
        totp.time = time.time()
        left = totp.step - int(totp.time) % totp.step
        self.stdout.write(f"{totp.token():06d}  (valid for about {left} more seconds; each code works once)")
