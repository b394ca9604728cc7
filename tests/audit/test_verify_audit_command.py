"""manage.py verify_audit's checks for printouts: a printed seal root, and one entry's digest."""

from __future__ import annotations

from io import StringIO

from django.core.management import call_command

from audit import services
from audit.models import AuditEntry, Seal
from audit.sealing import DIGEST_FIELDS, entry_digest, seal_pending
from tests.base import CommittingTestCase


class VerifyAuditCommandTestCase(CommittingTestCase):
    def setUp(self) -> None:
        self.entry = services.record(event="case.viewed", case_reference="PP-2026-00001")
        seal_pending()
        self.seal = Seal.objects.latest("id")

    def run_command(self, *args: str) -> tuple[int, str]:
        out, err = StringIO(), StringIO()
        try:
            call_command("verify_audit", *args, stdout=out, stderr=err)
        except SystemExit as exit_:
            return int(exit_.code or 0), out.getvalue() + err.getvalue()
        return 0, out.getvalue()

    def test_the_printed_root_is_confirmed(self) -> None:
        code, output = self.run_command("--seal", str(self.seal.pk), "--root", self.seal.root.upper())
        self.assertEqual(code, 0, output)
        self.assertIn("the printout matches this log", output)

    def test_a_different_root_is_refused(self) -> None:
        code, output = self.run_command("--seal", str(self.seal.pk), "--root", "0" * 64)
        self.assertEqual(code, 1)
        self.assertIn("the printout is not from this log", output)

    def test_an_entry_digest_is_printed(self) -> None:
        row = AuditEntry.objects.filter(pk=self.entry.pk).values(*DIGEST_FIELDS).get()
        code, output = self.run_command("--entry", str(self.entry.pk))
        self.assertEqual(code, 0)
        self.assertIn(f"Entry {self.entry.pk} digest: {entry_digest(row)}", output)
        self.assertEqual(self.run_command("--entry", "999999")[0], 1)
