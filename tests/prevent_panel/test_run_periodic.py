"""The embedded default's periodic work (issue 14, finding 5): `manage.py run_periodic` does what
production's Celery beat does, so the audit log is sealed without a broker, and `make run` starts and
stops it with the server."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from io import StringIO
from pathlib import Path
from unittest import mock

from django.conf import settings
from django.core.management import call_command
from django.test import SimpleTestCase

from audit import services
from audit.models import Seal
from audit.sealing import verify
from prevent_panel.management.commands.run_periodic import jobs_from_beat_schedule, run_due
from tests.base import CommittingTestCase
from tests.factories import make_agency, make_user

ROOT = Path(__file__).resolve().parents[2]


class RunPeriodicTestCase(CommittingTestCase):
    def test_it_seals_what_was_written_before_it_started(self) -> None:
        user = make_user(agency=make_agency())
        for _ in range(3):
            services.record(event="case.viewed", actor=user)
        self.assertFalse(Seal.objects.exists())
        call_command("run_periodic", "--once", stdout=StringIO())
        result = verify()
        self.assertTrue(result.ok, result.problem)
        self.assertEqual(result.unsealed, 0)
        self.assertGreaterEqual(result.entries, 3)

    def test_it_runs_every_job_of_the_beat_schedule(self) -> None:
        from celery import current_app

        jobs = jobs_from_beat_schedule(current_app.now())
        self.assertEqual({job.name for job in jobs}, set(settings.CELERY_BEAT_SCHEDULE))
        self.assertEqual(
            {job.task.name for job in jobs}, {str(spec["task"]) for spec in settings.CELERY_BEAT_SCHEDULE.values()}
        )

    def test_work_at_a_time_of_day_waits_for_its_time(self) -> None:
        from celery import current_app

        now = current_app.now()
        jobs = {job.name: job for job in jobs_from_beat_schedule(now)}
        self.assertTrue(jobs["seal-audit-log"].schedule.is_due(jobs["seal-audit-log"].last_run_at)[0])
        daily = jobs["daily-digest"]
        self.assertFalse(daily.schedule.is_due(daily.last_run_at)[0])
        self.assertTrue(daily.schedule.is_due(now - timedelta(days=1, minutes=1))[0])

    def test_a_failing_job_does_not_stop_the_others(self) -> None:
        from celery import current_app

        jobs = jobs_from_beat_schedule(current_app.now())
        sealer = next(job for job in jobs if job.name == "seal-audit-log")
        sweeper = next(job for job in jobs if job.name == "sweep-exports")
        with (
            mock.patch.object(sealer.task, "apply", side_effect=RuntimeError("broken")) as sealed,
            mock.patch.object(sweeper.task, "apply") as swept,
            self.assertLogs("prevent_panel.management.commands.run_periodic", "ERROR"),
        ):
            run_due(jobs)
        sealed.assert_called_once()
        swept.assert_called_once()


class RunPeriodicProcessTestCase(SimpleTestCase):
    def test_it_stops_when_told_to(self) -> None:
        folder = Path(tempfile.mkdtemp())
        env = {
            **os.environ,
            # sqlite:////absolute/path: an embedded database of its own, as `make run` has.
            "DATABASE_URL": f"sqlite:///{folder / 'db.sqlite3'}",
            "AUDIT_WITNESS_PATH": str(folder / "witness.log"),
        }
        env.pop("CELERY_BROKER_URL", None)
        try:
            subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True, timeout=300)
            process = subprocess.Popen(
                [sys.executable, "manage.py", "run_periodic"], cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True
            )
            assert process.stdout is not None
            self.assertIn("Periodic work:", process.stdout.readline())
            time.sleep(1)
            process.send_signal(signal.SIGTERM)
            self.assertEqual(process.wait(timeout=30), 0)
            self.assertIn("Periodic work stopped.", process.stdout.read())
        finally:
            shutil.rmtree(folder, ignore_errors=True)
