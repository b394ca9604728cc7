"""audit.jobs.request_export and the job's life: filters, limits, broker outages, dead workers."""

from __future__ import annotations

from datetime import timedelta
from unittest import mock

from django.core.exceptions import ValidationError
from django.test import override_settings
from django.utils import timezone
from kombu.exceptions import OperationalError

from audit import exports, jobs, services, tasks
from audit.forms import AuditSearchForm
from audit.models import AuditEntry, ExportJob, ExportKind, ExportStatus, Outcome
from tests.audit.export_helpers import WITH_A_BROKER, csv_rows, file_of, run_queued_exports
from tests.base import BaseTestCase


@override_settings(EXPORT_RENDER_PROCESSES=1)
class RequestExportTestCase(BaseTestCase):
    def setUp(self) -> None:
        services.record(event="case.viewed", actor=self.casey, case_reference="PP-2026-00001")
        services.record(event="case.viewed", actor=self.pat, case_reference="PP-2026-00002")
        services.record(event="case.viewed", actor=self.harper, case_reference="PP-2026-00003", outcome=Outcome.DENIED)

    def request(self, **data: str) -> ExportJob:
        form = AuditSearchForm(data)
        self.assertTrue(form.is_valid(), form.errors)
        with self.captureOnCommitCallbacks(execute=True):
            job = jobs.request_export(requester=self.audrey, kind=ExportKind.LOG, filters=exports.stored_filters(form))
        run_queued_exports()
        job.refresh_from_db()
        return job

    def exported_cases(self, job: ExportJob) -> list[str]:
        rows = csv_rows(file_of(job, "csv"))
        column = rows[0].index("Case")
        return [row[column] for row in rows[1:] if row[column]]

    def test_filters_are_respected(self) -> None:
        self.assertEqual(self.exported_cases(self.request(username="pat")), ["PP-2026-00002"])
        self.assertEqual(self.exported_cases(self.request(outcome="denied")), ["PP-2026-00003"])
        self.assertEqual(self.exported_cases(self.request(agency=str(self.council.pk))), ["PP-2026-00001"])
        job = self.request(case_reference="pp-2026-00001", event="case.viewed")
        self.assertEqual(self.exported_cases(job), ["PP-2026-00001"])
        self.assertEqual(job.filters, {"case_reference": "PP-2026-00001", "event": "case.viewed"})

    def test_entries_written_after_the_request_are_not_included(self) -> None:
        job = self.request()
        later = services.record(event="case.viewed", actor=self.casey, case_reference="PP-2026-00004")
        self.assertGreater(later.pk, job.upto_entry_id)
        self.assertNotIn(later, exports.log_entries(job))
        self.assertEqual(job.entry_count, exports.log_entries(job).count())

    def test_the_request_is_audited_and_the_job_finishes(self) -> None:
        job = self.request(username="casey")
        self.assertEqual(job.status, ExportStatus.DONE)
        self.assertEqual(job.attempts, 1)
        requested = AuditEntry.objects.get(event="audit.export_requested", actor=self.audrey)
        self.assertEqual(requested.additional_data["filters"], {"username": "casey"})
        self.assertEqual(requested.additional_data["entries"], 1)
        completed = AuditEntry.objects.get(event="audit.export_completed", actor=self.audrey)
        self.assertEqual(completed.object_pk, str(job.pk))
        self.assertEqual(len(completed.additional_data["sha256"]["pdf"]), 64)

    @override_settings(EXPORT_MAX_ENTRIES=2)
    def test_too_many_entries_is_refused_with_the_count(self) -> None:
        with self.assertRaisesMessage(ValidationError, "These filters match 3 entries; one export can hold at most 2"):
            jobs.request_export(requester=self.audrey, kind=ExportKind.LOG, filters={"event": "case.viewed"})
        self.assertFalse(ExportJob.objects.exists())

    @WITH_A_BROKER
    def test_a_broker_outage_leaves_the_job_queued_and_the_sweep_finishes_it(self) -> None:
        with mock.patch.object(tasks.render_export, "apply_async", side_effect=OperationalError("refused")):
            job = self.request()
        self.assertEqual(job.status, ExportStatus.QUEUED)
        self.assertTrue(AuditEntry.objects.filter(event="audit.export_requested").exists())
        # Not yet stale: the sweep leaves it alone.
        self.assertEqual(tasks.sweep_exports(), 0)
        # The broker is back and the job has waited past the sweep's threshold.
        five_minutes_ago = timezone.now() - timedelta(minutes=5)
        ExportJob.objects.filter(pk=job.pk).update(created_at=five_minutes_ago, sent_at=five_minutes_ago)
        self.assertEqual(tasks.sweep_exports(), 1)
        job.refresh_from_db()
        self.assertEqual(job.status, ExportStatus.DONE)
        self.assertEqual(AuditEntry.objects.filter(event="audit.export_completed").count(), 1)

    @WITH_A_BROKER
    def test_a_job_whose_worker_died_is_sent_again_and_finishes_once(self) -> None:
        with mock.patch.object(tasks.render_export, "apply_async"):
            job = self.request()
        # A worker claimed it and died half way: the job is running, with no sign of life for a while.
        self.assertIsNotNone(jobs.claim(job.pk))
        ExportJob.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now() - timedelta(minutes=10))
        # The broker redelivers the task and the sweep sends it too: one finishes it, the other finds it done.
        self.assertEqual(tasks.sweep_exports(), 1)
        self.assertFalse(tasks.render_export(job.pk))
        job.refresh_from_db()
        self.assertEqual((job.status, job.attempts), (ExportStatus.DONE, 2))
        self.assertEqual(AuditEntry.objects.filter(event="audit.export_completed").count(), 1)
        self.assertEqual(job.files.count(), 2)

    @WITH_A_BROKER
    def test_a_job_sent_recently_is_not_sent_again(self) -> None:
        with mock.patch.object(tasks.render_export, "apply_async") as send:
            job = self.request()
            ExportJob.objects.filter(pk=job.pk).update(created_at=timezone.now() - timedelta(hours=1))
            self.assertEqual(tasks.sweep_exports(), 0)  # sent a moment ago: still in the queue
            ExportJob.objects.filter(pk=job.pk).update(sent_at=timezone.now() - timedelta(minutes=2))
            self.assertEqual(tasks.sweep_exports(), 1)
        self.assertEqual(send.call_count, 2)

    @WITH_A_BROKER
    def test_a_job_whose_workers_keep_dying_is_given_up(self) -> None:
        with mock.patch.object(tasks.render_export, "apply_async"):
            job = self.request()
        stale = timezone.now() - timedelta(minutes=10)
        for _ in range(jobs.MAX_ATTEMPTS):
            self.assertIsNotNone(jobs.claim(job.pk))
            ExportJob.objects.filter(pk=job.pk).update(heartbeat_at=stale)
        self.assertIsNone(jobs.claim(job.pk))
        job.refresh_from_db()
        self.assertEqual((job.status, job.error), (ExportStatus.FAILED, "gave up after 3 attempts"))
        self.assertEqual(AuditEntry.objects.filter(event="audit.export_failed").count(), 1)

    @WITH_A_BROKER
    def test_a_live_worker_keeps_its_job(self) -> None:
        with mock.patch.object(tasks.render_export, "apply_async"):
            job = self.request()
        self.assertIsNotNone(jobs.claim(job.pk))
        # A second delivery while the first worker is still reporting progress does nothing.
        self.assertIsNone(jobs.claim(job.pk))
        self.assertEqual(tasks.sweep_exports(), 0)

    @WITH_A_BROKER
    def test_a_late_finish_by_a_superseded_attempt_is_discarded(self) -> None:
        with mock.patch.object(tasks.render_export, "apply_async"):
            job = self.request()
        first = jobs.claim(job.pk)
        assert first is not None
        ExportJob.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now() - timedelta(minutes=10))
        self.assertTrue(jobs.run(job.pk))  # attempt 2 finishes
        self.assertFalse(jobs.finish(first, pdf=b"%PDF-stale", csv=b"stale", count=0))
        self.assertNotEqual(file_of(job, "pdf"), b"%PDF-stale")

    def test_a_failure_is_recorded_and_shown(self) -> None:
        with mock.patch("audit.exports.render_pdf_export", side_effect=RuntimeError("pango")):
            job = self.request()
        self.assertEqual((job.status, job.error), (ExportStatus.FAILED, "RuntimeError"))
        failed = AuditEntry.objects.get(event="audit.export_failed")
        self.assertEqual((failed.actor, failed.outcome), (self.audrey, Outcome.FAILED))
        self.assertFalse(job.files.exists())
        self.assertFalse(tasks.render_export(job.pk))  # a failed job is not picked up again

    def test_expired_files_are_dropped_but_the_job_is_kept(self) -> None:
        job = self.request()
        ExportJob.objects.filter(pk=job.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
        tasks.sweep_exports()
        self.assertFalse(job.files.exists())
        self.assertTrue(ExportJob.objects.filter(pk=job.pk).exists())

    def test_a_case_report_holds_only_that_case(self) -> None:
        with self.captureOnCommitCallbacks(execute=True):
            job = jobs.request_export(requester=self.audrey, kind=ExportKind.CASE, case_reference="PP-2026-00002")
        run_queued_exports()
        job.refresh_from_db()
        self.assertEqual(self.exported_cases(job), ["PP-2026-00002"])

    def test_an_auditors_case_report_stays_out_of_the_case_history_and_the_owners_does_not(self) -> None:
        with self.captureOnCommitCallbacks(execute=True):
            jobs.request_export(requester=self.audrey, kind=ExportKind.CASE, case_reference="PP-2026-00002")
            jobs.request_export(
                requester=self.casey, kind=ExportKind.CASE, case_reference="PP-2026-00002", in_case_history=True
            )
        run_queued_exports()
        in_history = AuditEntry.objects.filter(case_reference="PP-2026-00002", event__startswith="audit.export")
        self.assertEqual(set(in_history.values_list("actor__username", flat=True)), {"casey"})
        self.assertEqual(in_history.count(), 2)  # requested and completed
        requested = AuditEntry.objects.get(event="audit.export_requested", actor=self.audrey)
        self.assertEqual(requested.additional_data["case"], "PP-2026-00002")
