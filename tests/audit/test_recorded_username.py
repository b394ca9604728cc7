"""History stays with the name it was done under (issue 14, finding 6): entries record the actor's username
as it was, inside the sealed digest, and the pages, exports and the user search use the recorded name."""

from __future__ import annotations

import json
from importlib import import_module
from io import StringIO

from django.core.management import call_command
from django.db import connection

from audit import exports, services
from audit.digests import DIGEST_FIELDS, entry_digest
from audit.models import AuditEntry, Seal
from audit.sealing import chain_root, seal_pending, verify
from partners.models import Role
from tests.audit.tampering import execute, triggers_disabled
from tests.base import CommittingTestCase
from tests.factories import make_agency, make_user


class RecordedUsernameTestCase(CommittingTestCase):
    def setUp(self) -> None:
        council = make_agency(name="Testshire Council", code="tc", local_authority_area="Testshire")
        self.casey = make_user(agency=council, role=Role.PREVENT_COORDINATOR, username="casey")
        self.audrey = make_user(agency=council, role=Role.AUDITOR, username="audrey")
        self.viewed = services.record(event="case.viewed", actor=self.casey, case_reference="PP-2026-00001")
        self.flagged = services.record(
            event="case.broke_glass", actor=self.casey, case_reference="PP-2026-00002", is_flagged=True
        )
        seal_pending()

    def rename_in_the_database(self) -> None:
        # As the database owner would: past the trigger that keeps usernames (partners/0005), then back.
        trigger = import_module("partners.migrations.0005_username_immutable")
        if connection.vendor == "postgresql":
            execute("ALTER TABLE partners_user DISABLE TRIGGER partners_user_username_immutable")
            execute("UPDATE partners_user SET username = %s WHERE id = %s", ["mallory", self.casey.pk])
            execute("ALTER TABLE partners_user ENABLE TRIGGER partners_user_username_immutable")
        else:
            for statement in trigger.SQLITE_REMOVE:
                execute(statement)
            execute("UPDATE partners_user SET username = %s WHERE id = %s", ["mallory", self.casey.pk])
            for statement in trigger.SQLITE_INSTALL:
                execute(statement)

    def test_entries_record_the_username_inside_the_sealed_digest(self) -> None:
        self.assertEqual(AuditEntry.objects.get(pk=self.viewed.pk).actor_username, "casey")
        self.assertIn("actor_username", DIGEST_FIELDS)

    def test_a_rename_in_the_database_does_not_move_the_history(self) -> None:
        self.rename_in_the_database()
        later = services.record(event="case.viewed", actor=type(self.casey).objects.get(pk=self.casey.pk))
        self.assertEqual(later.actor_username, "mallory")
        result = verify()
        self.assertTrue(result.ok, result.problem)
        self.client.force_login(self.audrey)
        by_old = self.client.get("/audit/", {"username": "casey"})
        self.assertEqual({e.pk for e in by_old.context["entries"]}, {self.viewed.pk, self.flagged.pk})
        self.assertContains(by_old, "casey")
        self.assertNotContains(by_old, "mallory")
        by_new = self.client.get("/audit/", {"username": "mallory"})
        self.assertEqual([e.pk for e in by_new.context["entries"]], [later.pk])
        for page in ("/audit/flagged/", f"/audit/flagged/{self.flagged.pk}/"):
            response = self.client.get(page)
            self.assertContains(response, "casey")
            self.assertNotContains(response, "mallory")
        rows = list(exports.entry_rows(AuditEntry.objects.filter(pk__in=[self.viewed.pk, self.flagged.pk])))
        self.assertEqual({row["who"] for row in rows}, {"casey"})
        csv = exports.csv_bytes(rows).decode()
        self.assertIn("casey", csv)
        self.assertNotIn("mallory", csv)
        # By name, with the username recorded then.
        self.assertEqual([p["user"] for p in exports.who_touched(rows)], [f"{self.casey.get_full_name()} (casey)"])

    def test_changing_a_recorded_username_fails_verification_naming_the_entry(self) -> None:
        with triggers_disabled():
            execute("UPDATE audit_auditentry SET actor_username = %s WHERE id = %s", ["mallory", self.viewed.pk])
        result = verify()
        self.assertFalse(result.ok)
        self.assertEqual(result.bad_entry_id, self.viewed.pk)
        self.assertIn(f"entry {self.viewed.pk} was changed after it was sealed", result.problem)

    def test_printed_digests_are_those_the_covering_seal_holds_for_both_versions(self) -> None:
        seal = Seal.objects.get()
        rows = {row["id"]: row for row in exports.entry_rows(AuditEntry.objects.all())}
        self.assertEqual([[i, rows[i]["digest"]] for i, _ in seal.digests], seal.digests)
        self.assertEqual(self.printed_digest(self.viewed.pk), dict(seal.digests)[self.viewed.pk])
        # Make the seal a first-version one (digests without the username), as seals from before were.
        legacy = [[i, entry_digest(rows[i], None)] for i, _ in seal.digests]
        sql = "UPDATE audit_seal SET version = NULL, root = %s, digests = %s WHERE id = %s"
        if connection.vendor == "postgresql":
            sql = "UPDATE audit_seal SET version = NULL, root = %s, digests = CAST(%s AS jsonb) WHERE id = %s"
        with triggers_disabled():
            execute(sql, [chain_root(seal.previous_root, legacy), json.dumps(legacy), seal.pk])
        self.assertTrue(verify(witness=False).ok)
        newer = services.record(event="case.viewed", actor=self.casey)
        seal_pending()
        printed = {row["id"]: row["digest"] for row in exports.entry_rows(AuditEntry.objects.all())}
        self.assertEqual(printed[self.viewed.pk], dict(legacy)[self.viewed.pk])
        self.assertEqual(self.printed_digest(self.viewed.pk), dict(legacy)[self.viewed.pk])
        newest = Seal.objects.order_by("-id").first()
        assert newest is not None and newest.version == 2
        self.assertEqual(printed[newer.pk], dict(newest.digests)[newer.pk])
        self.assertEqual(self.printed_digest(newer.pk), dict(newest.digests)[newer.pk])

    def printed_digest(self, entry_id: int) -> str:
        out = StringIO()
        call_command("verify_audit", "--without-witness", "--entry", str(entry_id), stdout=out)
        return out.getvalue().split(f"Entry {entry_id} digest: ")[1].strip()
