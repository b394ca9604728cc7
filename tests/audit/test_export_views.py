"""Export pages: request, progress, download, case reports; only the requester; every step audited."""

from __future__ import annotations

from datetime import timedelta

from django.test import override_settings
from django.utils import timezone

from audit import services
from audit.models import AuditEntry, ExportJob, ExportKind, ExportStatus, Outcome
from partners.models import Role
from tests.audit.export_helpers import run_queued_exports
from tests.base import BaseTestCase
from tests.factories import make_case, make_user


@override_settings(EXPORT_RENDER_PROCESSES=1)
class ExportViewsTestCase(BaseTestCase):
    def setUp(self) -> None:
        services.record(event="case.viewed", actor=self.casey, case_reference="PP-2026-00001")
        services.record(event="case.viewed", actor=self.pat, case_reference="PP-2026-00002")
        self.client.force_login(self.audrey)

    def events(self, user: object, event: str, outcome: str = Outcome.ALLOWED) -> int:
        return AuditEntry.objects.filter(actor=user, event=event, outcome=outcome).count()

    def export(self, query: str = "username=casey") -> ExportJob:
        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(f"/audit/exports/new/?{query}", dict(p.split("=") for p in query.split("&")))
        run_queued_exports()
        job = ExportJob.objects.get()
        self.assertRedirects(response, f"/audit/exports/{job.reference}/", fetch_redirect_response=False)
        return job

    def test_the_auditor_confirms_and_requests_an_export(self) -> None:
        response = self.client.get("/audit/exports/new/?username=casey")
        self.assertContains(response, "Export 1 entry")
        self.assertEqual(self.events(self.audrey, "audit.export_previewed"), 1)
        job = self.export()
        self.assertEqual((job.status, job.filters), (ExportStatus.DONE, {"username": "casey"}))
        self.assertEqual(self.events(self.audrey, "audit.export_requested"), 1)
        page = self.client.get(f"/audit/exports/{job.reference}/")
        self.assertContains(page, "Your export is ready")
        self.assertContains(page, f"/audit/exports/{job.reference}/download.pdf")
        self.assertEqual(self.events(self.audrey, "audit.export_viewed"), 1)

    def test_the_search_page_offers_the_export_with_its_filters(self) -> None:
        self.assertContains(self.client.get("/audit/?username=casey"), "/audit/exports/new/?username=casey")

    def test_other_roles_may_not_export_the_log(self) -> None:
        for user in (self.casey, self.charlie, self.pat, self.harper, self.ada):
            self.client.force_login(user)
            self.assertEqual(self.client.get("/audit/exports/new/").status_code, 403, user.username)
            self.assertEqual(self.client.post("/audit/exports/new/", {}).status_code, 403, user.username)
            self.assertEqual(self.events(user, "export_audit.denied", Outcome.DENIED), 2, user.username)
        self.assertFalse(ExportJob.objects.exists())

    def test_bad_filters_get_an_error_summary_and_no_job(self) -> None:
        response = self.client.post("/audit/exports/new/", {"date_from": "2026-11-02", "date_to": "2026-11-01"})
        self.assertContains(response, "govuk-error-summary", status_code=400)
        self.assertFalse(ExportJob.objects.exists())

    @override_settings(EXPORT_MAX_ENTRIES=1)
    def test_too_many_entries_is_explained(self) -> None:
        response = self.client.post("/audit/exports/new/", {"event": "case.viewed"})
        self.assertContains(response, "These filters match 2 entries", status_code=400)
        self.assertFalse(ExportJob.objects.exists())

    def test_only_the_requester_downloads(self) -> None:
        job = self.export()
        response = self.client.get(f"/audit/exports/{job.reference}/download.pdf")
        self.assertEqual(response["Content-Type"], "application/pdf")
        self.assertIn("no-store", response["Cache-Control"])
        self.assertTrue(response.content.startswith(b"%PDF"))
        csv = self.client.get(f"/audit/exports/{job.reference}/download.csv")
        self.assertIn(b"PP-2026-00001", csv.content)
        self.assertEqual(self.events(self.audrey, "audit.export_downloaded"), 2)
        other = make_user(agency=self.council, role=Role.AUDITOR, username="otto")
        self.client.force_login(other)
        for url in (f"/audit/exports/{job.reference}/", f"/audit/exports/{job.reference}/download.pdf"):
            self.assertEqual(self.client.get(url).status_code, 404)
        self.assertEqual(self.events(other, "audit.export_downloaded", Outcome.DENIED), 1)
        self.assertEqual(self.events(other, "audit.export_viewed", Outcome.DENIED), 1)
        missing = self.client.get("/audit/exports/00000000-0000-0000-0000-000000000000/download.pdf")
        self.assertEqual(missing.status_code, 404)

    def test_a_requester_who_is_no_longer_an_auditor_cannot_download(self) -> None:
        job = self.export()
        self.audrey.role = Role.PANEL_MEMBER
        self.audrey.save()
        self.assertEqual(self.client.get(f"/audit/exports/{job.reference}/download.pdf").status_code, 404)

    def test_links_expire(self) -> None:
        job = self.export()
        ExportJob.objects.filter(pk=job.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
        response = self.client.get(f"/audit/exports/{job.reference}/download.pdf")
        self.assertContains(response, "no longer available", status_code=410)
        self.assertEqual(self.events(self.audrey, "audit.export_downloaded", Outcome.DENIED), 1)
        self.assertEqual(self.events(self.audrey, "audit.export_downloaded"), 0)  # refused, so not also allowed
        self.assertEqual(self.client.get(f"/audit/exports/{job.reference}/download.exe").status_code, 404)

    def test_htmx_polls_get_the_progress_fragment_only(self) -> None:
        with self.captureOnCommitCallbacks(execute=False):
            self.client.post("/audit/exports/new/", {"username": "casey"})
        job = ExportJob.objects.get()
        response = self.client.get(f"/audit/exports/{job.reference}/", headers={"HX-Request": "true"})
        self.assertContains(response, 'hx-trigger="every 2s"')
        self.assertNotContains(response, "<html")
        self.assertContains(response, "Waiting for a worker")
        self.assertEqual(self.events(self.audrey, "audit.export_viewed"), 0)  # polls of one's own job
        self.client.force_login(self.casey)
        poll = self.client.get(f"/audit/exports/{job.reference}/", headers={"HX-Request": "true"})
        self.assertEqual(poll.status_code, 404)
        self.assertEqual(self.events(self.casey, "audit.export_viewed", Outcome.DENIED), 1)

    def test_the_list_shows_only_your_own_exports(self) -> None:
        job = self.export()
        self.assertContains(self.client.get("/audit/exports/"), str(job.reference))
        other = make_user(agency=self.council, role=Role.AUDITOR, username="otto")
        self.client.force_login(other)
        self.assertNotContains(self.client.get("/audit/exports/"), str(job.reference))
        self.client.force_login(self.harper)
        self.assertEqual(self.client.get("/audit/exports/").status_code, 403)


@override_settings(EXPORT_RENDER_PROCESSES=1)
class CaseReportViewsTestCase(BaseTestCase):
    def setUp(self) -> None:
        self.case = make_case(owner=self.casey)

    def test_the_owning_coordinator_exports_the_access_report(self) -> None:
        self.client.force_login(self.casey)
        self.assertContains(self.client.get(f"/cases/{self.case.reference}/access/"), "Export the full access report")
        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(f"/audit/exports/case-report/{self.case.reference}/")
        run_queued_exports()
        job = ExportJob.objects.get()
        self.assertRedirects(response, f"/audit/exports/{job.reference}/")
        self.assertEqual((job.kind, job.case_reference, job.status), (ExportKind.CASE, self.case.number, "done"))
        self.assertEqual(self.client.get(f"/audit/exports/{job.reference}/download.pdf").status_code, 200)

    @override_settings(EXPORT_MAX_ENTRIES=1)
    def test_a_report_too_large_is_explained_on_the_case(self) -> None:
        self.client.force_login(self.casey)
        self.client.get(f"/cases/{self.case.reference}/")
        self.client.get(f"/cases/{self.case.reference}/")
        response = self.client.post(f"/audit/exports/case-report/{self.case.reference}/", follow=True)
        self.assertContains(response, "one export can hold at most 1")
        self.assertFalse(ExportJob.objects.exists())

    def test_police_who_see_the_case_get_403_and_others_404(self) -> None:
        self.client.force_login(self.pat)
        self.assertEqual(self.client.post(f"/audit/exports/case-report/{self.case.reference}/").status_code, 403)
        self.client.force_login(self.olly)
        self.assertEqual(self.client.post(f"/audit/exports/case-report/{self.case.reference}/").status_code, 404)
        self.assertFalse(ExportJob.objects.exists())
        denied = AuditEntry.objects.filter(event="case.access_history", outcome=Outcome.DENIED)
        self.assertEqual(set(denied.values_list("actor__username", flat=True)), {"pat", "olly"})

    def test_the_auditor_asks_by_reference(self) -> None:
        self.client.force_login(self.audrey)
        bad = self.client.post("/audit/exports/case-report/", {"case_reference": "not a case"})
        self.assertContains(bad, "Enter a case reference like PP-2026-00042", status_code=400)
        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post("/audit/exports/case-report/", {"case_reference": self.case.number.lower()})
        job = ExportJob.objects.get()
        self.assertRedirects(response, f"/audit/exports/{job.reference}/")
        self.assertEqual(job.case_reference, self.case.number)
        self.client.force_login(self.casey)
        self.assertEqual(self.client.post("/audit/exports/case-report/", {"case_reference": "x"}).status_code, 403)
