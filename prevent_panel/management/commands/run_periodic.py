"""The periodic work production's Celery beat does (sealing, export sweeps, grant tidying, reminders),
for the embedded default, which has no broker, no worker and no beat: `make run` starts this beside the
web server and stops it with the server, so the audit log is sealed there too."""

from __future__ import annotations

import logging
import signal
import time
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from celery import Task
from celery.schedules import BaseSchedule, maybe_schedule, schedule
from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections

from prevent_panel.celery import app

logger = logging.getLogger(__name__)

# The longest this process sleeps between looks at the schedule, so a stop request is answered quickly.
MAX_NAP = 5.0


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


class Command(BaseCommand):
    help = (
        "Run the periodic work (audit sealing, export sweeps, grant tidying, reminders) in this process, "
        "for the embedded default without Celery beat. `make run` starts and stops it with the server."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="Run what is due now, then stop.")

    def handle(self, *args: Any, **options: Any) -> None:
        stopping: list[int] = []
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, lambda number, _frame: stopping.append(number))
        jobs = jobs_from_beat_schedule(app.now())
        self.stdout.write(f"Periodic work: {', '.join(job.name for job in jobs)}.")
        while not stopping:
            nap = run_due(jobs)
            if options["once"]:
                return
            deadline = time.monotonic() + nap
            while not stopping and time.monotonic() < deadline:
                time.sleep(min(0.5, max(deadline - time.monotonic(), 0)))
        self.stdout.write("Periodic work stopped.")
