from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from audit.sealing import seal_pending


class Command(BaseCommand):
    help = "Seal every finished audit entry into the HMAC chain (Celery beat also does this every minute)."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(f"Sealed {seal_pending()} audit entries.")
