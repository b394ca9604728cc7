from __future__ import annotations

import json
from base64 import b32decode
from datetime import timedelta
from io import StringIO

from django.conf import settings
from django.core import serializers
from django.core.management import CommandError, call_command
from django.db.models import Count
from django.test import TestCase
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from audit.models import AuditEntry
from audit.sealing import verify
from cases.models import (
    Action,
    Assessment,
    Case,
    CaseNote,
    Decision,
    NoteVisibility,
    Referral,
    Stage,
    StageChange,
    Subject,
    SupportElement,
)
from cases.services.referrals import POSTCODE
from partners.demo import PERSONAS
from partners.models import Agency, Role, User
from tests.base import CommittingTestCase
from tests.clients import code_for_key

# Recording refused consent needs the re-assessment date (CTSA 2015 s.36(4)(e)), so record_consent moves
# the case on through 'consent refused' to 're-assessment scheduled' at once: no case can rest there.
PASSED_THROUGH_ONLY = {Stage.CONSENT_REFUSED.value}


def seed_demo() -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


class SeedDemoTestCase(TestCase):
    def test_it_seeds_every_persona_and_is_idempotent(self) -> None:
        seed_demo()
        counts = {model: model.objects.count() for model in (Case, Subject, StageChange, CaseNote, Action)}
        output = seed_demo()
        self.assertEqual(User.objects.count(), len(PERSONAS))
        self.assertEqual({u.role for u in User.objects.all()}, set(Role.values))
        self.assertTrue(all(a.group_id for a in Agency.objects.all()))
        self.assertEqual({model: model.objects.count() for model in counts}, counts, "nothing is added twice")
        self.assertIn(f"Demo cases: {counts[Case]} (", output)

    def test_every_persona_in_the_credentials_file_can_sign_in(self) -> None:
        seed_demo()
        credentials = json.loads(settings.DEMO_CREDENTIALS_PATH.read_text())
        self.assertEqual(len(credentials), len(PERSONAS))
        for row in credentials:
            self.assertEqual(set(row), {"username", "password", "totp_secret", "role", "agency"})
            response = self.client.post("/sign-in/", {"username": row["username"], "password": row["password"]})
            self.assertRedirects(response, "/", fetch_redirect_response=False, msg_prefix=row["username"])
            # Every persona has an enrolled app, so the password leads to the code, not to enrolment.
            code = code_for_key(b32decode(row["totp_secret"]))
            response = self.client.post("/account/two-factor/", {"code": code, "next": "/"})
            self.assertRedirects(response, "/", msg_prefix=row["username"])
            self.client.post("/sign-out/")

    def test_demo_code_prints_the_current_code_of_a_persona(self) -> None:
        seed_demo()
        credentials = json.loads(settings.DEMO_CREDENTIALS_PATH.read_text())
        out = StringIO()
        call_command("demo_code", "coordinator", stdout=out)
        secret = next(row["totp_secret"] for row in credentials if row["username"] == "coordinator")
        self.assertIn(out.getvalue()[:6], {code_for_key(b32decode(secret), step_offset=k) for k in (-1, 0)})
        with self.assertRaises(CommandError):
            call_command("demo_code", "nobody", stdout=StringIO())

    def test_seeding_again_keeps_each_persona_s_secret(self) -> None:
        seed_demo()
        path = settings.DEMO_CREDENTIALS_PATH
        first = {row["username"]: row["totp_secret"] for row in json.loads(path.read_text())}
        self.assertIn("demo_code coordinator", seed_demo())
        again = {row["username"]: row["totp_secret"] for row in json.loads(path.read_text())}
        self.assertEqual(first, again)
        self.assertEqual(TOTPDevice.objects.filter(confirmed=True).count(), len(PERSONAS))


class SeedDemoCasesTestCase(TestCase):
    output: str

    @classmethod
    def setUpTestData(cls) -> None:
        cls.output = seed_demo()

    def test_every_stage_has_a_case(self) -> None:
        at = set(Case.objects.values_list("stage", flat=True))
        self.assertEqual(set(Stage.values) - PASSED_THROUGH_ONLY - at, set())
        passed = set(StageChange.objects.values_list("to_stage", flat=True))
        self.assertEqual(PASSED_THROUGH_ONLY - passed, set(), "reached on the way to a later stage")

    def test_the_lead_council_owns_about_thirty_cases_and_southmere_two(self) -> None:
        owners = dict(Case.objects.values_list("owning_agency__code").annotate(n=Count("id")))
        self.assertEqual(set(owners), {"ncc", "smb"})
        self.assertGreaterEqual(owners["ncc"], 28)
        self.assertEqual(owners["smb"], 2)
        for code, area in (("ncc", "Northgate"), ("smb", "Southmere")):
            subjects = Subject.objects.filter(cases__owning_agency__code=code).distinct()
            self.assertEqual(set(subjects.values_list("local_authority_area", "police_force_area")), {(area, area)})
        self.assertIn(f"Demo cases: {Case.objects.count()} (", self.output)
        self.assertIn(f"{owners['ncc']} owned by Northgate City Council", self.output)

    def test_a_repeat_referral_is_a_new_case_for_the_earlier_subject(self) -> None:
        repeats = Case.objects.filter(previous_case__isnull=False).select_related("previous_case")
        self.assertTrue(repeats.exists())
        for case in repeats:
            assert case.previous_case is not None
            self.assertEqual(case.subject_id, case.previous_case.subject_id)
            self.assertLess(case.previous_case.received_on, case.received_on)
        self.assertEqual(
            Case.objects.values("subject").annotate(n=Count("id")).filter(n__gt=1).count(), repeats.count()
        )

    def test_subjects_are_synthetic_children_and_adults(self) -> None:
        today = timezone.localdate()
        ages = [subject.age_on(today) for subject in Subject.objects.all()]
        self.assertTrue(any(age < 18 for age in ages) and any(age >= 18 for age in ages))
        for subject in Subject.objects.all():
            self.assertRegex(subject.last_name, r"^Testcase-\d{2}$")
            self.assertRegex(subject.postcode, POSTCODE)
            self.assertTrue(subject.address.endswith(subject.local_authority_area))

    def test_cases_were_received_over_the_last_twelve_months_with_a_matching_chronology(self) -> None:
        today = timezone.localdate()
        received = sorted(Case.objects.values_list("received_on", flat=True))
        self.assertGreaterEqual(received[0], today - timedelta(days=366))
        self.assertLess(received[0], today - timedelta(days=300))
        self.assertGreater(received[-1], today - timedelta(days=14))
        self.assertLessEqual(received[-1], today)
        for case in Case.objects.all():
            changes = list(case.stage_changes.order_by("id"))
            self.assertEqual(timezone.localdate(changes[0].at), case.received_on, case.number)
            self.assertEqual([c.at for c in changes], sorted(c.at for c in changes), case.number)
            self.assertEqual(case.stage_changed_at, changes[-1].at, case.number)
            self.assertEqual(changes[-1].to_stage, case.stage, case.number)
            self.assertLessEqual(case.last_activity_at, timezone.now())

    def test_the_content_is_varied(self) -> None:
        referrals = Referral.objects.all()
        self.assertGreaterEqual(referrals.values("concern_type").distinct().count(), 5)
        self.assertGreaterEqual(referrals.values("source_sector").distinct().count(), 5)
        self.assertTrue(referrals.filter(immediate_risk=True).exists())
        self.assertEqual(set(CaseNote.objects.values_list("visibility", flat=True)), set(NoteVisibility))
        named = CaseNote.objects.filter(visibility=NoteVisibility.NAMED)
        self.assertTrue(all(note.shared_with.exists() for note in named))
        self.assertTrue(Assessment.objects.filter(version=2).exists())
        elements = SupportElement.objects.all()
        self.assertTrue(elements.exists())
        self.assertEqual(set(elements.values_list("provider__code", "provider_user__username")), {("bwm", "provider")})
        self.assertTrue(Case.objects.with_overdue_actions().exists())
        self.assertTrue(Action.objects.filter(owner_user__isnull=True).exists())
        self.assertEqual(set(Decision.objects.values_list("decided_by__username", flat=True)), {"chair"})
        screenings = StageChange.objects.filter(from_stage=Stage.POLICE_SCREENING)
        self.assertEqual(set(screenings.values_list("actor__username", flat=True)), {"police"})


class SeedDemoAuditTestCase(CommittingTestCase):
    def test_the_seeded_audit_log_verifies_with_nothing_left_unsealed(self) -> None:
        seed_demo()
        result = verify()
        self.assertTrue(result.ok, result.problem)
        self.assertEqual(result.unsealed, 0)
        self.assertEqual(result.entries, AuditEntry.objects.count())
        self.assertTrue(AuditEntry.objects.filter(event="case.referred").exists())
        dump = serializers.serialize("json", AuditEntry.objects.all())
        for subject in Subject.objects.all():
            self.assertNotIn(subject.last_name, dump, "no subject's name in the log")
            self.assertNotIn(subject.full_name, dump)
