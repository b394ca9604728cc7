"""A document job's whole life: requested, queued, claimed, built, finished or failed, sent again, expired.

The job row (audit.models.ExportJob) is the source of truth; the Celery task only says "work on job n".
A job is never built inside the web request that asked for it, in any configuration: with a broker it
goes to the pdf queue's workers; without one (the embedded default) it waits in the table until the
background process `manage.py run_periodic` takes it (run_waiting, polled every few seconds). A job is
stored before its task is sent, so a broker outage or a dead worker loses nothing: the beat sweep sends
again a job queued and not handed over for a minute, or running with no heartbeat (in the embedded
default run_waiting takes those up itself). A job is claimed under a row lock, so a task delivered twice
renders it once at a time and finishes it once; a job whose workers keep dying is given up after
MAX_ATTEMPTS, with a reason its requester sees. Finished files expire after EXPORT_LINK_HOURS; the job
row stays as the history. Every step is audited against the requester.

The machinery is the same for every kind of document; what a kind provides is in audit.documents. To add
a kind (a subject access pack, a statistics return, a disposal certificate):

1. add its value to audit.models.ExportKind (the stored `kind`; a choices-only migration);
2. write a class with the members of audit.documents.DocumentKind (its title, how many rows, gathering
   the rows, the PDF and the CSV), its query and layout in a module of its own like audit/exports.py;
3. add it to audit.documents.KINDS, and its download rule to sharing.access.access_export;
4. ask for it with request_export(kind=...) from a view. Nothing in this module changes.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from kombu.exceptions import OperationalError

from audit import services as audit
from audit import tasks
from audit.documents import KINDS, kind_of
from audit.forms import split_typed
from audit.models import AuditEntry, ExportFile, ExportJob, ExportStatus

logger = logging.getLogger(__name__)

# A running job that has not reported progress for this long is taken to have lost its worker; a live
# worker beats every HEARTBEAT seconds whatever it is doing.
SILENT_FOR = timedelta(minutes=3)
HEARTBEAT = 30
# A job whose workers keep dying (a document that kills the renderer) is given up after this many.
MAX_ATTEMPTS = 3
# A queued job not picked up within this time is sent again (the broker may have been down).
QUEUED_FOR = timedelta(minutes=1)


# --- asked for --------------------------------------------------------------------------------------


@transaction.atomic
def request_export(
    *,
    requester: Any,
    kind: str,
    filters: Mapping[str, str] | None = None,
    case_reference: str = "",
    in_case_history: bool = False,
) -> ExportJob:
    """Store a job for a document of this kind, audit the request, and send the job to a worker once the
    request commits.

    Callers have already checked that the requester may ask for it (sharing.access). An audit log export
    carries the auditor's search filters (as stored by audit.exports.stored_filters); a document about a
    case carries its reference, and `in_case_history` when the owning council asked for it (its entries
    then show in the case's access history; an auditor's do not). Audited as audit.export_requested.
    Raises ValidationError when the document would hold more than EXPORT_MAX_ENTRIES rows, naming how many.
    """
    document = KINDS[kind]
    job = ExportJob(
        kind=kind,
        requested_by=requester,
        filters=dict(filters or {}),
        case_reference=case_reference if document.about_a_case else "",
        in_case_history=in_case_history and document.about_a_case,
        upto_entry_id=_latest_entry_id(),  # nothing written after the request goes into the document
    )
    count = document.count(job)
    if count > settings.EXPORT_MAX_ENTRIES:
        raise ValidationError(
            f"These filters match {count:,} entries; one export can hold at most "
            f"{settings.EXPORT_MAX_ENTRIES:,}. Narrow the dates or add a filter."
        )
    job.entry_count = count
    job.save()
    kept, typed = split_typed(job.filters)  # typed text (a name in the user box) only as a digest
    audit.record(
        event="audit.export_requested",
        actor=requester,
        obj=job,
        case_reference=job.history_reference,
        detail={"kind": kind, "filters": kept, "case": job.case_reference, "entries": count},
        typed=typed,
    )
    transaction.on_commit(lambda: send(job.pk))
    return job


def _latest_entry_id() -> int:
    return AuditEntry.objects.order_by("-id").values_list("id", flat=True).first() or 0


def has_workers() -> bool:
    """Whether Celery workers build jobs (a broker is configured). Without one, the embedded default's
    background process does (run_waiting); the request that asked for a job never does."""
    return bool(settings.CELERY_BROKER_URL)


def send(job_id: int) -> None:
    """Hand a stored job to the pdf queue. If the broker is down the job stays queued and the beat
    sweep sends it once the broker is back: nothing the requester asked for is lost. With no broker the
    job stays queued for the background process: Celery would otherwise run it eagerly, in the request."""
    if not has_workers():
        return
    ExportJob.objects.filter(pk=job_id).update(sent_at=timezone.now())
    try:
        tasks.render_export.apply_async((job_id,))
    except (OperationalError, ConnectionError, OSError):
        logger.warning("Export job %s left queued: the broker is unreachable", job_id)


# --- worked on --------------------------------------------------------------------------------------


def claim(job_id: int) -> ExportJob | None:
    """Take a job to work on, or None if it is finished or another worker is alive on it. A job whose
    last attempt died is given up after MAX_ATTEMPTS (audited as audit.export_failed)."""
    now = timezone.now()
    with transaction.atomic():
        job = ExportJob.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.status in (ExportStatus.DONE, ExportStatus.FAILED):
            return None
        if job.status == ExportStatus.RUNNING and job.heartbeat_at and job.heartbeat_at > now - SILENT_FOR:
            return None
        if job.attempts >= MAX_ATTEMPTS:
            give_up(job)
            return None
        job.status = ExportStatus.RUNNING
        job.attempts += 1
        job.started_at = job.heartbeat_at = now
        job.done_count = 0
        job.save(update_fields=["status", "attempts", "started_at", "heartbeat_at", "done_count"])
    return job


def run(job_id: int) -> bool:
    """The worker's task: claim the job, and build it while its heartbeat runs. Returns True if this call
    finished it."""
    job = claim(job_id)
    if job is None:
        return False
    with heartbeat(job):
        return build(job)


def waiting_jobs() -> QuerySet[ExportJob]:
    """Jobs with no live worker, oldest first: queued, or running with no heartbeat for SILENT_FOR (their
    worker vanished: the process was killed, the machine restarted)."""
    silent = timezone.now() - SILENT_FOR
    return ExportJob.objects.filter(
        Q(status=ExportStatus.QUEUED) | Q(status=ExportStatus.RUNNING, heartbeat_at__lt=silent)
    ).order_by("created_at", "pk")


def run_waiting() -> int:
    """The embedded default's worker, run by `manage.py run_periodic` in its own process (never in a web
    request): build each waiting job in turn through the same claim, heartbeat and finish as a Celery
    worker, so a job is claimed once; a job whose worker vanished is resumed, or given up after
    MAX_ATTEMPTS. Returns how many jobs were worked on."""
    tried: list[int] = []
    while (job_id := waiting_jobs().exclude(pk__in=tried).values_list("pk", flat=True).first()) is not None:
        tried.append(job_id)  # each once per call: a job a live worker holds is not waited for
        run(job_id)
    return len(tried)


@contextmanager
def heartbeat(job: ExportJob) -> Iterator[None]:
    """Beat every HEARTBEAT seconds from a thread, so a slow step (sealing, a big chunk) never looks like
    a dead worker and sets off a second attempt."""
    stop = threading.Event()

    def beat() -> None:
        try:
            while not stop.wait(HEARTBEAT):
                ExportJob.objects.filter(pk=job.pk, attempts=job.attempts).update(heartbeat_at=timezone.now())
        finally:
            connection.close()  # the thread's own connection

    thread = threading.Thread(target=beat, daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


def build(job: ExportJob) -> bool:
    """Gather the document's rows and make its PDF and CSV, reporting progress; finish the job, or fail it
    (audited as audit.export_failed) if anything goes wrong. Returns True if this attempt finished it."""
    try:
        document = kind_of(job)
        rows = document.gather(job)
        ExportJob.objects.filter(pk=job.pk).update(entry_count=len(rows))
        done = 0

        def on_rows(count: int) -> None:
            nonlocal done
            done += count
            ExportJob.objects.filter(pk=job.pk, attempts=job.attempts).update(
                done_count=done, heartbeat_at=timezone.now()
            )

        pdf = document.pdf(job, rows, on_rows=on_rows)
        return finish(job, pdf=pdf, csv=document.csv(job, rows), count=len(rows))
    except Exception as error:
        logger.exception("Export %s failed", job.reference)
        fail(job, error)
        return False


# --- finished, failed, given up ---------------------------------------------------------------------


def finish(job: ExportJob, *, pdf: bytes, csv: bytes, count: int) -> bool:
    """Store the files and mark the job done, unless a later attempt took it over (then False: that
    attempt finishes it). Audited as audit.export_completed with each file's SHA-256."""
    now = timezone.now()
    with transaction.atomic():
        current = ExportJob.objects.select_for_update().get(pk=job.pk)
        if current.status != ExportStatus.RUNNING or current.attempts != job.attempts:
            return False  # a later attempt took the job over; it finishes it
        ExportFile.objects.filter(job=current).delete()
        digests = {}
        for fmt, content in ((ExportFile.Format.PDF, pdf), (ExportFile.Format.CSV, csv)):
            digests[fmt] = hashlib.sha256(content).hexdigest()
            ExportFile.objects.create(job=current, format=fmt, content=content, size=len(content), sha256=digests[fmt])
        current.status = ExportStatus.DONE
        current.entry_count = current.done_count = count
        current.finished_at = now
        current.expires_at = now + timedelta(hours=settings.EXPORT_LINK_HOURS)
        current.save(update_fields=["status", "entry_count", "done_count", "finished_at", "expires_at"])
        audit.record(
            event="audit.export_completed",
            actor=current.requested_by,
            obj=current,
            case_reference=current.history_reference,
            detail={"entries": count, "attempt": current.attempts, "sha256": digests},
        )
    return True


def fail(job: ExportJob, error: Exception | str) -> None:
    """Mark this attempt's job failed, recording the error's type name (or the reason given). Audited as
    audit.export_failed; a job a later attempt has taken over is left alone."""
    reason = error if isinstance(error, str) else type(error).__name__
    with transaction.atomic():
        updated = ExportJob.objects.filter(pk=job.pk, attempts=job.attempts, status=ExportStatus.RUNNING).update(
            status=ExportStatus.FAILED, error=reason, finished_at=timezone.now()
        )
        if updated:
            audit.record(
                event="audit.export_failed",
                actor=job.requested_by,
                obj=job,
                outcome=audit.Outcome.FAILED,
                case_reference=job.history_reference,
                detail={"error": reason, "attempt": job.attempts},
            )


def give_up(job: ExportJob) -> None:
    """Called under the job's row lock when its last attempt died without finishing."""
    fail(job, f"gave up after {job.attempts} attempts")


# --- sent again, expired ----------------------------------------------------------------------------


def stuck_jobs() -> QuerySet[ExportJob]:
    """Jobs queued and not handed to the broker for QUEUED_FOR, or running with no heartbeat for SILENT_FOR."""
    return ExportJob.objects.stuck(now=timezone.now(), queued_for=QUEUED_FOR, silent_for=SILENT_FOR)


def clear_expired() -> int:
    """Expired exports keep their job row (the history) but lose their files."""
    deleted, _ = ExportFile.objects.filter(job__expires_at__lte=timezone.now()).delete()
    return deleted


def sweep() -> int:
    """The beat's minute: send stuck jobs again (each still finishes once) and drop expired files.
    Returns how many jobs were sent again. With no broker there is nothing to send to: run_waiting
    takes up stuck jobs itself."""
    stuck = list(stuck_jobs().values_list("pk", flat=True)) if has_workers() else []
    for job_id in stuck:
        send(job_id)
    clear_expired()
    return len(stuck)
