from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand

from audit.sealing import verify


class Command(BaseCommand):
    help = "Recompute the audit seal chain; exits 1 naming the first entry changed, removed, inserted or moved."

    def handle(self, *args: Any, **options: Any) -> None:
        result = verify()
        if not result.ok:
            self.stderr.write(f"Audit log FAILED verification: {result.problem}.")
            sys.exit(1)
        self.stdout.write(
            f"Audit log verified: {result.entries} entries in {result.seals} seals; "
            f"{result.unsealed} newer entries not yet sealed."
        )
