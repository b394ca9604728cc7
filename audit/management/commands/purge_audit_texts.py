from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from audit import services


class Command(BaseCommand):
    help = (
        "Erase typed text (searches) kept beside the audit log for more than AUDIT_FREE_TEXT_DAYS; the sealed "
        "entries keep its keyed digest (Celery beat also does this every hour)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        erased = services.purge_texts()
        self.stdout.write(f"Erased {erased} audit texts older than {settings.AUDIT_FREE_TEXT_DAYS} days.")
