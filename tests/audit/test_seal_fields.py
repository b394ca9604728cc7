"""Seals that cannot be bent: the root covers every field of a seal, each seal claims exactly what it
holds, and verification needs the witness outside the database (issue 14, findings 3 and 4)."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path
from unittest import mock

from django.conf import settings
from django.core.management import call_command
from django.db import connection

from audit import sealing, services
from audit.digests import DIGEST_FIELDS, entry_digest
from audit.models import AuditEntry, Seal
from audit.sealing import BrokenChain, chain_root, seal_pending, verify
from tests.audit.tampering import execute, triggers_disabled
from tests.base import CommittingTestCase
from tests.factories import make_agency, make_user


class SealFieldsTestCase(CommittingTestCase):
    def setUp(self) -> None:
        self.user = make_user(agency=make_agency())
        for n in range(1, 13):
            services.record(event="case.viewed", actor=self.user, case_reference=f"PP-2026-{n:05}")

    def verify_command(self, *args: str) -> tuple[int, str]:
        out, err = StringIO(), StringIO()
        try:
            call_command("verify_audit", *args, stdout=out, stderr=err)
        except SystemExit as exit_:
            return int(exit_.code or 0), err.getvalue()
        return 0, out.getvalue()

    def bend(self, sql: str, params: list[object]) -> None:
        with triggers_disabled():
            execute(sql, params)

    def newest(self) -> Seal:
        seal = Seal.objects.order_by("-id").first()
        assert seal is not None
        return seal

    def test_raising_the_newest_seals_last_entry_is_detected(self) -> None:
        seal_pending(seal_size=5)
        head = self.newest()
        self.bend("UPDATE audit_seal SET last_entry_id = last_entry_id + 1000 WHERE id = %s", [head.pk])
        result = verify()
        self.assertFalse(result.ok)
        self.assertIn(f"seal {head.pk} has been altered", result.problem)

    def test_the_sealer_refuses_to_build_on_a_bent_seal(self) -> None:
        seal_pending(seal_size=5)
        head = self.newest()
        self.bend("UPDATE audit_seal SET last_entry_id = last_entry_id + 1000 WHERE id = %s", [head.pk])
        services.record(event="case.viewed", actor=self.user)
        with self.assertRaises(BrokenChain):
            seal_pending()
        self.assertEqual(self.newest().pk, head.pk)

    def test_a_changed_date_is_detected(self) -> None:
        seal_pending(seal_size=5)
        seal = Seal.objects.order_by("id").first()
        assert seal is not None
        self.bend("UPDATE audit_seal SET sealed_at = %s WHERE id = %s", ["2020-01-01T00:00:00+00:00", seal.pk])
        result = verify()
        self.assertFalse(result.ok)
        self.assertIn(f"seal {seal.pk} has been altered", result.problem)

    def test_a_changed_count_or_first_entry_is_detected(self) -> None:
        seal_pending(seal_size=5)
        first, second = Seal.objects.order_by("id")[:2]
        self.bend("UPDATE audit_seal SET entry_count = entry_count + 1 WHERE id = %s", [first.pk])
        self.assertIn(f"seal {first.pk} has been altered", verify().problem)
        self.bend("UPDATE audit_seal SET entry_count = entry_count - 1 WHERE id = %s", [first.pk])
        self.bend("UPDATE audit_seal SET first_entry_id = first_entry_id - 1 WHERE id = %s", [second.pk])
        self.assertIn(f"seal {second.pk} has been altered", verify().problem)

    def test_renumbering_a_seal_is_detected(self) -> None:
        seal_pending(seal_size=5)
        head = self.newest()
        self.bend("UPDATE audit_seal SET id = id + 100 WHERE id = %s", [head.pk])
        result = verify()
        self.assertFalse(result.ok)
        self.assertIn("altered", result.problem)

    def test_a_missing_witness_fails_verification(self) -> None:
        seal_pending(seal_size=5)
        Path(settings.AUDIT_WITNESS_PATH).unlink()
        code, output = self.verify_command()
        self.assertEqual(code, 1)
        self.assertIn("witness file", output)
        self.assertIn("missing", output)

    def test_cutting_every_seal_without_the_witness_fails(self) -> None:
        seal_pending(seal_size=5)
        Path(settings.AUDIT_WITNESS_PATH).unlink()
        self.bend("DELETE FROM audit_seal", [])
        self.assertFalse(verify().ok)

    def test_verifying_without_the_witness_says_so(self) -> None:
        seal_pending(seal_size=5)
        Path(settings.AUDIT_WITNESS_PATH).unlink()
        code, output = self.verify_command("--without-witness")
        self.assertEqual(code, 0)
        self.assertIn("witness file was NOT checked", output)

    def test_a_witness_shorter_than_the_chain_fails(self) -> None:
        seal_pending(seal_size=5)
        path = Path(settings.AUDIT_WITNESS_PATH)
        lines = path.read_text().splitlines(keepends=True)
        path.write_text("".join(lines[:-1]))
        # Just sealed, the newest seal may not be witnessed yet: an instant later, it must be.
        self.assertTrue(verify().ok)
        with mock.patch.object(sealing, "WITNESS_GRACE", sealing.WITNESS_GRACE * 0):
            result = verify()
        self.assertFalse(result.ok)
        self.assertIn(f"seal {self.newest().pk} is in the database but not in the witness", result.problem)

    def test_seals_made_before_every_field_was_covered_still_verify(self) -> None:
        # A chain of version 1 seals, as written before this change: the root covers the digests only, and
        # the entries' digests do not cover the recorded username.
        seal_pending(seal_size=100)
        seal = self.newest()
        rows = {row["id"]: row for row in AuditEntry.objects.values(*DIGEST_FIELDS)}
        legacy_digests = [[entry_id, entry_digest(rows[entry_id], None)] for entry_id, _ in seal.digests]
        legacy_root = chain_root(seal.previous_root, legacy_digests)
        sql = "UPDATE audit_seal SET version = NULL, root = %s, digests = %s WHERE id = %s"
        if connection.vendor == "postgresql":
            sql = "UPDATE audit_seal SET version = NULL, root = %s, digests = CAST(%s AS jsonb) WHERE id = %s"
        self.bend(sql, [legacy_root, json.dumps(legacy_digests), seal.pk])
        Path(settings.AUDIT_WITNESS_PATH).write_text(
            json.dumps({"seal": seal.pk, "root": legacy_root, "last_entry_id": seal.last_entry_id}) + "\n"
        )
        self.assertTrue(verify().ok, verify().problem)
        # Its range is still pinned by the digests its root covers.
        self.bend("UPDATE audit_seal SET last_entry_id = last_entry_id + 1000 WHERE id = %s", [seal.pk])
        self.assertIn(f"seal {seal.pk} has been altered", verify().problem)
