"""Issue 14, finding 11: an export is never built inside the web request that asked for it. In the
embedded default (no broker) the request stores the job queued and returns; `manage.py run_periodic`
builds it in its own process through the same claim, heartbeat and finish as a Celery worker; a job
whose worker vanished is taken up again, or given up after MAX_ATTEMPTS with a message its requester
sees, never left running."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO
from unittest import mock

from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone

from audit import jobs, services, tasks
from audit.models import AuditEntry, ExportJob, ExportStatus, Outcome
from partners.models import Role
from prevent_panel.management.commands.run_periodic import ExportWorker
from tests.audit.export_helpers import WITH_A_BROKER, csv_rows, file_of
from tests.base import CommittingTestCase
from tests.factories import make_agency, make_user

EMBEDDED = override_settings(CELERY_BROKER_URL="")


def silence(job: ExportJob) -> None:
    """Its worker stopped beating longer ago than SILENT_FOR: the process was killed."""
    ExportJob.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now() - jobs.SILENT_FOR - timedelta(seconds=1))


@EMBEDDED
@override_settings(EXPORT_RENDER_PROCESSES=1)
class ExportsInBackgroundTestCase(CommittingTestCase):
    def setUp(self) -> None:
        council = make_agency(name="Testshire Council", code="tc", local_authority_area="Testshire")
        self.audrey = make_user(agency=council, role=Role.AUDITOR, username="audrey")
        self.casey = make_user(agency=council, role=Role.PREVENT_COORDINATOR, username="casey")
        for n in range(3):
            services.record(event="case.viewed", actor=self.casey, case_reference=f"PP-2026-{n:05d}")
        self.client.force_login(self.audrey)

    def ask(self) -> ExportJob:
        response = self.client.post("/audit/exports/new/", {"username": "casey"})
        job = ExportJob.objects.get()
        self.assertRedirects(response, f"/audit/exports/{job.reference}/", fetch_redirect_response=False)
        return job

    def periodic_pass(self) -> str:
        out = StringIO()
        call_command("run_periodic", "--once", stdout=out)
        return out.getvalue()

    def test_the_request_returns_with_the_job_queued_and_nothing_built(self) -> None:
        with mock.patch("audit.jobs.build") as build:
            job = self.ask()  # the request has committed and its after-commit work has run
        build.assert_not_called()
        self.assertEqual((job.status, job.attempts), (ExportStatus.QUEUED, 0))
        self.assertFalse(job.files.exists())
        page = self.client.get(f"/audit/exports/{job.reference}/", headers={"HX-Request": "true"})
        self.assertContains(page, "Waiting for a worker")
        self.assertContains(page, 'hx-trigger="every 2s"')

    def test_the_periodic_process_builds_a_queued_job(self) -> None:
        job = self.ask()
        self.assertEqual(job.status, ExportStatus.QUEUED)
        self.assertIn("export jobs", self.periodic_pass())
        job.refresh_from_db()
        self.assertEqual((job.status, job.attempts), (ExportStatus.DONE, 1))
        rows = csv_rows(file_of(job, "csv"))
        self.assertEqual(len(rows), 4)  # the header and casey's three entries
        completed = AuditEntry.objects.get(event="audit.export_completed")
        self.assertEqual((completed.actor, completed.object_pk), (self.audrey, str(job.pk)))
        self.assertContains(self.client.get(f"/audit/exports/{job.reference}/"), "Your export is ready")

    def test_between_passes_a_thread_of_the_periodic_process_builds_it(self) -> None:
        job = self.ask()
        worker = ExportWorker()
        worker.poll()
        self.assertIsNotNone(worker.thread)
        assert worker.thread is not None
        first = worker.thread
        worker.poll()  # still busy, or done: either way not a second worker on the same job
        first.join(timeout=120)
        self.assertFalse(first.is_alive())
        job.refresh_from_db()
        self.assertEqual((job.status, job.attempts), (ExportStatus.DONE, 1))
        self.assertEqual(AuditEntry.objects.filter(event="audit.export_completed").count(), 1)

    def test_a_job_whose_worker_vanished_is_taken_up_again_and_finishes_once(self) -> None:
        job = self.ask()
        # A worker claimed it, then its process was killed: the job is running and its heartbeat silent.
        self.assertIsNotNone(jobs.claim(job.pk))
        self.periodic_pass()
        job.refresh_from_db()
        self.assertEqual(job.status, ExportStatus.RUNNING)  # still beating a moment ago: left alone
        silence(job)
        self.periodic_pass()
        job.refresh_from_db()
        self.assertEqual((job.status, job.attempts), (ExportStatus.DONE, 2))
        self.assertEqual(AuditEntry.objects.filter(event="audit.export_completed").count(), 1)

    def test_a_job_whose_workers_keep_vanishing_is_failed_and_the_requester_is_told(self) -> None:
        job = self.ask()
        for _ in range(jobs.MAX_ATTEMPTS):
            self.assertIsNotNone(jobs.claim(job.pk))
            silence(job)
        self.periodic_pass()
        job.refresh_from_db()
        self.assertEqual((job.status, job.error), (ExportStatus.FAILED, f"gave up after {jobs.MAX_ATTEMPTS} attempts"))
        failed = AuditEntry.objects.get(event="audit.export_failed")
        self.assertEqual((failed.actor, failed.outcome), (self.audrey, Outcome.FAILED))
        page = self.client.get(f"/audit/exports/{job.reference}/")
        self.assertContains(page, "The export could not be made")
        self.assertNotContains(page, "hx-trigger")  # no longer polling: it will not change again

    @WITH_A_BROKER
    def test_with_a_broker_the_job_goes_to_the_pdf_queue_and_the_periodic_process_leaves_it(self) -> None:
        with mock.patch.object(tasks.render_export, "apply_async") as sent, mock.patch("audit.jobs.build") as build:
            job = self.ask()
            self.assertNotIn("export jobs", self.periodic_pass())
        sent.assert_called_once_with((job.pk,))
        build.assert_not_called()
        job.refresh_from_db()
        self.assertEqual(job.status, ExportStatus.QUEUED)
