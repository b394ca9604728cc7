from __future__ import annotations

from celery import shared_task

from audit.sealing import seal_pending


@shared_task(name="audit.seal", ignore_result=True)
def seal_audit_log() -> int:
    """Run by Celery beat every minute."""
    return seal_pending()
