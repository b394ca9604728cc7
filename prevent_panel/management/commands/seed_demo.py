"""manage.py seed_demo: synthetic agencies, personas and (as later apps add them) cases and history.

Idempotent: running it again refreshes the personas and their password and adds nothing twice.
"""

from __future__ import annotations

import json
from base64 import b32encode
from typing import Any

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import Count

from audit.demo import seed_history
from cases.demo import seed_cases, seed_next_meeting, seed_postcode_areas
from cases.models import Case
from partners.demo import seed_people
from partners.services import set_demo_totp_device
from prevent_panel.env import env_str
from sharing.demo import seed_grants

DEFAULT_DEMO_PASSWORD = "Northgate-demo-2026"  # noqa: S105 - documented demo default, synthetic accounts only


class Command(BaseCommand):
    help = (
        "Seed synthetic demo agencies, personas (each with a TOTP device) and data; writes var/demo-credentials.json."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        password = env_str("DEMO_PASSWORD", DEFAULT_DEMO_PASSWORD)
        try:
            validate_password(password)
        except ValidationError as error:
            raise CommandError(f"DEMO_PASSWORD is not strong enough: {' '.join(error.messages)}") from None

        with transaction.atomic():
            people = seed_people(password=password)
            devices = {user.username: set_demo_totp_device(user=user) for user in people}
            seed_postcode_areas()
            seed_cases(people=people)
            seed_grants(people=people)
            seed_next_meeting(people=people)
        # Sealed outside the transaction above: the sealer seals only committed entries.
        seed_history(people=people)

        credentials = [
            {
                "username": u.username,
                "password": password,
                "totp_secret": b32encode(devices[u.username].bin_key).decode(),
                "role": u.role,
                "agency": u.agency.name,
            }
            for u in people
        ]
        path = settings.DEMO_CREDENTIALS_PATH
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(credentials, indent=2) + "\n")
        path.chmod(0o600)

        self.stdout.write(f"Demo sign-ins (password for all: {password}), also in {path}:")
        self.stdout.write(f"  {'username':<24}{'role':<24}agency")
        for row in credentials:
            self.stdout.write(f"  {row['username']:<24}{row['role']:<24}{row['agency']}")
        self.stdout.write(
            "After the password, every sign-in asks for a 6-digit code. Get the current one with\n"
            "  python3 -m uv run --frozen python manage.py demo_code coordinator\n"
            f"(any username above), or add the persona's totp_secret from {path.name} to an authenticator app."
        )
        owners = (
            Case.objects.order_by("owning_agency__name").values_list("owning_agency__name").annotate(count=Count("id"))
        )
        by_owner = ", ".join(f"{count} owned by {name}" for name, count in owners)
        self.stdout.write(f"Demo cases: {Case.objects.count()}" + (f" ({by_owner})." if by_owner else "."))
