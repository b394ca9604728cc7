"""Tamper evidence: every kind of tampering with sealed entries is detected and the entry named."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection

from audit import services
from audit.models import AuditEntry, Seal
from audit.sealing import seal_pending, verify
from tests.audit.tampering import execute, triggers_disabled
from tests.base import CommittingTestCase
from tests.factories import make_agency, make_user


class SealingTestCase(CommittingTestCase):
    def setUp(self) -> None:
        self.user = make_user(agency=make_agency())
        self.entries = [
            services.record(event="case.viewed", actor=self.user, obj=self.user, case_reference=f"PP-2026-{n:05}")
            for n in range(1, 13)
        ]

    def verify_command(self) -> tuple[int, str]:
        out, err = StringIO(), StringIO()
        try:
            call_command("verify_audit", stdout=out, stderr=err)
        except SystemExit as exit_:
            return int(exit_.code or 0), err.getvalue()
        return 0, out.getvalue()

    def test_sealed_entries_verify(self) -> None:
        sealed = seal_pending(seal_size=5)
        self.assertEqual(sealed, AuditEntry.objects.count())
        seals = -(-sealed // 5)
        self.assertEqual(Seal.objects.count(), seals)
        code, output = self.verify_command()
        self.assertEqual(code, 0)
        self.assertIn(f"{sealed} entries in {seals} seals", output)

    def test_sealing_twice_seals_nothing_new(self) -> None:
        seal_pending()
        self.assertEqual(seal_pending(), 0)
        services.record(event="case.viewed", actor=self.user)
        self.assertEqual(seal_pending(), 1)
        self.assertTrue(verify().ok)

    def test_entries_after_the_last_seal_are_reported_as_unsealed(self) -> None:
        seal_pending()
        services.record(event="case.viewed", actor=self.user)
        result = verify()
        self.assertTrue(result.ok)
        self.assertEqual(result.unsealed, 1)

    def test_a_changed_field_is_detected_and_named(self) -> None:
        seal_pending()
        victim = self.entries[4]
        with triggers_disabled():
            execute("UPDATE audit_auditentry SET case_reference = 'PP-2026-99999' WHERE id = %s", [victim.pk])
        code, output = self.verify_command()
        self.assertEqual(code, 1)
        self.assertIn(f"entry {victim.pk} was changed", output)

    def test_a_deleted_entry_is_detected_and_named(self) -> None:
        seal_pending()
        victim = self.entries[3]
        with triggers_disabled():
            execute("DELETE FROM audit_auditentry WHERE id = %s", [victim.pk])
        result = verify()
        self.assertFalse(result.ok)
        self.assertEqual(result.bad_entry_id, victim.pk)
        self.assertIn("removed", result.problem)

    def test_a_forged_entry_in_the_sealed_range_is_detected(self) -> None:
        seal_pending()
        gap = self.entries[5]
        with triggers_disabled():
            execute("DELETE FROM audit_auditentry WHERE id = %s", [gap.pk])
        seal_pending()  # a fresh seal does not cover the gap, it only continues the chain
        forged_id = gap.pk
        with triggers_disabled():
            # Re-create a row with the same id but different content, as if it had always been there.
            columns = (
                "id, timestamp, action, event, outcome, content_type_id, object_pk, object_repr, actor_role, "
                "method, path, request_id, purpose, case_reference, is_flagged, changes_text"
            )
            execute(
                f"INSERT INTO audit_auditentry ({columns}) VALUES "  # noqa: S608 - test SQL, fixed columns
                "(%s, %s, 3, 'case.viewed', 'allowed', %s, '', 'forged', '', '', '', '', '', 'PP-2026-00006', "
                "false, '')",
                [forged_id, gap.timestamp, gap.content_type_id],
            )
        result = verify()
        self.assertFalse(result.ok)
        self.assertEqual(result.bad_entry_id, forged_id)

    def test_a_forged_entry_without_a_seal_is_inserted_in_commit_order(self) -> None:
        if connection.vendor != "postgresql":
            self.skipTest("backdating a transaction id is PostgreSQL-only")
        seal_pending()
        first = self.entries[0]
        with triggers_disabled():
            execute(
                "INSERT INTO audit_auditentry (timestamp, action, event, outcome, content_type_id, object_pk, "
                "object_repr, actor_role, method, path, request_id, purpose, case_reference, is_flagged, "
                "changes_text, txid) SELECT timestamp, action, event, outcome, content_type_id, object_pk, "
                "'forged', actor_role, method, path, request_id, purpose, case_reference, is_flagged, "
                "changes_text, txid FROM audit_auditentry WHERE id = %s",
                [first.pk],
            )
        result = verify()
        self.assertFalse(result.ok)
        self.assertIn("inserted", result.problem)
        self.assertEqual(result.bad_entry_id, AuditEntry.objects.order_by("-id").first().pk)

    def test_two_reordered_entries_are_detected(self) -> None:
        seal_pending()
        a, b = self.entries[2], self.entries[7]
        with triggers_disabled():
            if connection.vendor == "postgresql":
                execute(
                    "UPDATE audit_auditentry SET txid = CASE id WHEN %s THEN (SELECT txid FROM audit_auditentry "
                    "WHERE id = %s) ELSE (SELECT txid FROM audit_auditentry WHERE id = %s) END WHERE id IN (%s, %s)",
                    [a.pk, b.pk, a.pk, a.pk, b.pk],
                )
                # Same transaction for all? Then swap ids instead, which reorders any engine.
            execute("UPDATE audit_auditentry SET id = -1 WHERE id = %s", [a.pk])
            execute("UPDATE audit_auditentry SET id = %s WHERE id = %s", [a.pk, b.pk])
            execute("UPDATE audit_auditentry SET id = %s WHERE id = -1", [b.pk])
        result = verify()
        self.assertFalse(result.ok)
        self.assertIn(result.bad_entry_id, {a.pk, b.pk})

    def test_cutting_sealed_entries_off_the_tail_is_detected(self) -> None:
        seal_pending()
        last = self.entries[-1]
        with triggers_disabled():
            execute("DELETE FROM audit_auditentry WHERE id >= %s", [self.entries[-3].pk])
        result = verify()
        self.assertFalse(result.ok)
        self.assertEqual(result.bad_entry_id, self.entries[-3].pk)
        self.assertNotEqual(result.bad_entry_id, last.pk)

    def test_cutting_the_last_seal_and_its_entries_is_caught_by_the_witness(self) -> None:
        seal_pending(seal_size=6)
        witness = [json.loads(line) for line in open(settings.AUDIT_WITNESS_PATH)]  # noqa: SIM115
        self.assertEqual([w["seal"] for w in witness], list(Seal.objects.values_list("id", flat=True)))
        last_seal = Seal.objects.order_by("-id").first()
        assert last_seal is not None
        with triggers_disabled():
            execute("DELETE FROM audit_auditentry WHERE id >= %s", [last_seal.first_entry_id])
            execute("DELETE FROM audit_seal WHERE id = %s", [last_seal.pk])
        code, output = self.verify_command()
        self.assertEqual(code, 1)
        self.assertIn(f"seal {last_seal.pk}", output)
        self.assertIn("cut or rewritten", output)

    def test_a_resealed_chain_without_the_key_is_detected(self) -> None:
        seal_pending()
        seal = Seal.objects.get()
        with triggers_disabled():
            execute("UPDATE audit_seal SET digests = %s WHERE id = %s", [json.dumps(seal.digests[:-1]), seal.pk])
        result = verify()
        self.assertFalse(result.ok)
        self.assertIn("altered", result.problem)


@pytest.mark.django_db(transaction=True)
def test_the_celery_task_seals() -> None:
    from audit.tasks import seal_audit_log

    user = make_user(agency=make_agency())
    seal_pending()
    services.record(event="case.viewed", actor=user)
    assert seal_audit_log() == 1
    assert verify().ok
