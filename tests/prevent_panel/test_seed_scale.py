"""manage.py seed_scale with tiny sizes: the counts asked for, every stage, casework, grants backed by
guardian permissions, and an audit log that is sealed and verifies. PostgreSQL only (it uses COPY)."""

from __future__ import annotations

from io import StringIO

from django.core.management import CommandError, call_command
from django.db import connection

from audit.models import AuditEntry
from audit.sealing import verify
from cases.models import Action, Case, CaseNote, Referral, Stage
from partners.models import Agency, Role, User
from sharing.access import visible_cases
from sharing.models import CaseGroupObjectPermission, CaseUserObjectPermission, ShareGrant
from tests.base import CommittingTestCase

SIZES = ["--agencies", "12", "--users", "60", "--cases", "150", "--audit-entries", "400"]


class SeedScaleTestCase(CommittingTestCase):
    def setUp(self) -> None:
        if connection.vendor != "postgresql":
            self.skipTest("seed_scale writes with PostgreSQL's COPY")
        self.out = StringIO()
        call_command("seed_scale", *SIZES, stdout=self.out)

    def test_it_seeds_the_sizes_asked_for_in_every_stage_with_a_verified_audit_log(self) -> None:
        self.assertEqual(Agency.objects.count(), 12)
        self.assertEqual(User.objects.count(), 60)
        self.assertEqual(Case.objects.count(), 150)
        self.assertEqual(AuditEntry.objects.count(), 400)
        self.assertEqual(set(Case.objects.values_list("stage", flat=True)), set(Stage))
        self.assertEqual(Referral.objects.count(), 150, "every case page needs its referral")
        self.assertTrue(CaseNote.objects.exists())
        self.assertTrue(Action.objects.exists())
        # Every grant in force is backed by its guardian permission, as sharing.services leaves it.
        active = ShareGrant.objects.active()
        self.assertTrue(active.exists())
        perms = CaseGroupObjectPermission.objects.count() + CaseUserObjectPermission.objects.count()
        self.assertEqual(perms, active.values("case_id", "agency_id", "user_id", "level").distinct().count())
        member = User.objects.filter(role=Role.PANEL_MEMBER, agency__group__casegroupobjectpermission__isnull=False)
        self.assertTrue(visible_cases(member.first()).exists())
        result = verify()
        self.assertTrue(result.ok, result.problem)
        self.assertEqual((result.entries, result.unsealed), (400, 0))
        self.assertIn("audit entries sealed: 400 rows", self.out.getvalue())

    def test_it_refuses_a_database_that_already_holds_scale_data(self) -> None:
        with self.assertRaisesMessage(CommandError, "already in this database"):
            call_command("seed_scale", *SIZES, stdout=StringIO())
        self.assertEqual(Case.objects.count(), 150)
