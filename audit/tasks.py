"""Celery's entry points for the audit log: thin wrappers, the work is in audit.sealing and audit.jobs."""

from __future__ import annotations

from celery import shared_task

from audit import jobs, services
from audit.sealing import seal_pending


@shared_task(name="audit.seal", ignore_result=True)
def seal_audit_log() -> int:
    """Run by Celery beat every minute."""
    return seal_pending()


# acks_late with reject_on_worker_lost: if the worker dies mid-export the message goes back to the
# queue; jobs.claim makes the second delivery (or the sweep's) the only one that finishes the job.
@shared_task(name="audit.render_export", ignore_result=True, acks_late=True, reject_on_worker_lost=True)
def render_export(job_id: int) -> bool:
    return jobs.run(job_id)


@shared_task(name="audit.sweep_exports", ignore_result=True)
def sweep_exports() -> int:
    """Run by Celery beat every minute: send stuck jobs again and drop expired files."""
    return jobs.sweep()


@shared_task(name="audit.purge_texts", ignore_result=True)
def purge_audit_texts() -> int:
    """Run by Celery beat every hour: erase typed text kept beside the log past AUDIT_FREE_TEXT_DAYS."""
    return services.purge_texts()
