"""The periodic work production's Celery beat does (sealing, export sweeps, grant tidying, reminders),
and the export jobs production's pdf worker builds, for the embedded default, which has no broker, no
worker and no beat: `make run` starts this beside the web server and stops it with the server, so the
audit log is sealed there too and an export is never built inside the web request that asked for it."""

from __future__ import annotations

import logging
import signal
import threading
import time
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from celery import Task
from celery.schedules import BaseSchedule, maybe_schedule, schedule
from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections, connection

from audit import jobs as export_jobs
from prevent_panel.celery import app

logger = logging.getLogger(__name__)

# The longest this process sleeps between looks at the schedule, so a stop request is answered quickly.
MAX_NAP = 5.0
# How often the table is looked at for export jobs waiting for a worker (there is no broker to wake it).
EXPORT_POLL = 2.0


@dataclass
class Job:
    name: str
    task: Task
    schedule: BaseSchedule
    last_run_at: datetime


def jobs_from_beat_schedule(now: datetime) -> list[Job]:
    """CELERY_BEAT_SCHEDULE as jobs. Work on an interval (sealing, sweeps) is due at once, so a server
    that has just started seals what seeding wrote; work at a time of day (reminders) waits for it."""
    app.loader.import_default_modules()  # the apps' tasks.py, which Celery otherwise finds lazily
    jobs = []
    for name, spec in settings.CELERY_BEAT_SCHEDULE.items():
        when = maybe_schedule(spec["schedule"], app=app)
        first = now - when.run_every if isinstance(when, schedule) else now
        jobs.append(Job(name=name, task=app.tasks[str(spec["task"])], schedule=when, last_run_at=first))
    return jobs


def run_due(jobs: list[Job]) -> float:
    """Run every job that is due, each in this process; returns the seconds until one is next due. A job
    that fails is logged and tried again on its next turn, as beat would."""
    nap = MAX_NAP
    for job in jobs:
        due, next_in = job.schedule.is_due(job.last_run_at)
        if due:
            job.last_run_at = job.schedule.now()
            close_old_connections()
            try:
                job.task.apply(throw=True)
            except Exception:
                logger.exception("Periodic job %s failed", job.name)
            finally:
                close_old_connections()
        nap = min(nap, max(float(next_in), 0.1))
    return nap


class ExportWorker:
    """Builds the export jobs waiting for a worker (audit.jobs.run_waiting) in a thread of this process,
    so a long export never holds up sealing or a stop request. If the process is stopped or killed
    mid-export, the job's heartbeat falls silent and the next run takes it up again (or gives it up
    after audit.jobs.MAX_ATTEMPTS, saying so on the requester's job page)."""

    def __init__(self) -> None:
        self.thread: threading.Thread | None = None

    def poll(self) -> None:
        if self.thread is not None and self.thread.is_alive():
            return
        try:
            waiting = export_jobs.waiting_jobs().exists()
        except Exception:
            logger.exception("Could not look for waiting export jobs")
            return
        if waiting:
            self.thread = threading.Thread(target=self.work, name="export-worker", daemon=True)
            self.thread.start()

    @staticmethod
    def work() -> None:
        try:
            export_jobs.run_waiting()
        except Exception:
            logger.exception("Export worker failed")
        finally:
            connection.close()  # the thread's own connection

    def busy(self) -> bool:
        return self.thread is not None and self.thread.is_alive()


class Command(BaseCommand):
    help = (
        "Run the periodic work (audit sealing, export sweeps, grant tidying, reminders) and build waiting "
        "export jobs in this process, for the embedded default without Celery. `make run` starts and "
        "stops it with the server."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--once", action="store_true", help="Run what is due now and build the waiting export jobs, then stop."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        stopping: list[int] = []
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, lambda number, _frame: stopping.append(number))
        jobs = jobs_from_beat_schedule(app.now())
        # With a broker the pdf queue's Celery workers build exports; without one, this process does.
        exports = None if export_jobs.has_workers() else ExportWorker()
        names = [job.name for job in jobs] + ([] if exports is None else ["export jobs"])
        self.stdout.write(f"Periodic work: {', '.join(names)}.")
        while not stopping:
            nap = run_due(jobs)
            if options["once"]:
                if exports is not None:
                    export_jobs.run_waiting()
                return
            if exports is not None:
                exports.poll()
                nap = min(nap, EXPORT_POLL)
            deadline = time.monotonic() + nap
            while not stopping and time.monotonic() < deadline:
                time.sleep(min(0.5, max(deadline - time.monotonic(), 0)))
        if exports is not None and exports.busy():
            minutes = int(export_jobs.SILENT_FOR.total_seconds() // 60)
            self.stdout.write(
                f"An export was being built: the next run takes it up again once it has been silent {minutes} minutes."
            )
        self.stdout.write("Periodic work stopped.")
