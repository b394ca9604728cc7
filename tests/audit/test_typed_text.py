"""Typed text stays out of the sealed log (issue 14, finding 2): a case search for a subject's name and an
unknown username at sign-in leave only keyed digests in the entries; the search text is kept beside the
log, proves itself while kept, and is erased after AUDIT_FREE_TEXT_DAYS without breaking a seal."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO
from unittest import mock

from django.core import serializers
from django.core.management import call_command
from django.db import DatabaseError, transaction
from django.test import override_settings
from django.utils import timezone

from audit import services, texts
from audit.digests import text_digest
from audit.models import AppendOnlyError, AuditEntry, AuditText
from audit.sealing import seal_pending, verify
from partners.models import Role
from tests.audit.tampering import execute, triggers_disabled
from tests.base import CommittingTestCase
from tests.factories import PASSWORD, make_agency, make_case, make_user

NAME = "Alder Testcase-01"
UNKNOWN = "Zinnia Nobodyhere"


@override_settings(AUDIT_FREE_TEXT_DAYS=30)
class TypedTextTestCase(CommittingTestCase):
    def setUp(self) -> None:
        council = make_agency(name="Testshire Council", code="tc", local_authority_area="Testshire")
        self.casey = make_user(agency=council, role=Role.PREVENT_COORDINATOR, username="casey")
        self.audrey = make_user(agency=council, role=Role.AUDITOR, username="audrey")
        make_case(owner=self.casey, first_name="Alder", last_name="Testcase-01")

    def search_and_fail_sign_in(self) -> AuditEntry:
        self.client.force_login(self.casey)
        self.assertEqual(self.client.get("/cases/", {"q": NAME, "stage": "received"}).status_code, 200)
        self.client.logout()
        for _ in range(2):
            self.client.post("/sign-in/", {"username": UNKNOWN, "password": "a-wrong-guess-123"})
        return AuditEntry.objects.filter(event="case.listed").latest("id")

    def sealed_log(self) -> str:
        return serializers.serialize("json", AuditEntry.objects.all())

    def test_searched_names_and_unknown_usernames_are_not_in_the_sealed_log(self) -> None:
        listed = self.search_and_fail_sign_in()
        dump = self.sealed_log()
        for fragment in ("Alder", "Testcase-01", "Zinnia", "Nobodyhere"):
            self.assertNotIn(fragment, dump)
        # The structured filter stays; the search box is a digest, its text kept beside the log.
        self.assertEqual(listed.additional_data["filters"], {"stage": "received"})
        self.assertEqual(listed.additional_data["texts"], {"q": text_digest(NAME)})
        self.assertEqual(AuditText.objects.get(entry=listed).text, NAME)
        self.assertEqual([(c.name, c.text, c.matches) for c in texts.check(listed)], [("q", NAME, True)])

    def test_repeated_attempts_on_one_unknown_username_share_a_digest(self) -> None:
        self.search_and_fail_sign_in()
        self.client.post("/sign-in/", {"username": "someone-else", "password": "a-wrong-guess-123"})
        failed = AuditEntry.objects.filter(event="auth.sign_in_failed").order_by("id")
        digests = [entry.additional_data["username_digest"] for entry in failed]
        self.assertEqual(digests[0], digests[1])
        self.assertNotEqual(digests[1], digests[2])
        self.assertFalse(AuditText.objects.filter(entry__in=failed).exists())  # not even beside the log
        # A known account's failed password still names the account.
        self.client.post("/sign-in/", {"username": "casey", "password": "not-" + PASSWORD})
        known = AuditEntry.objects.filter(event="auth.sign_in_failed").latest("id")
        self.assertEqual((known.object_repr, known.additional_data["known_account"]), ("casey", True))

    def test_after_the_purge_the_text_is_gone_and_every_seal_still_verifies(self) -> None:
        listed = self.search_and_fail_sign_in()
        seal_pending()
        self.assertEqual(services.purge_texts(), 0)  # not yet 30 days old
        self.assertTrue(AuditText.objects.filter(entry=listed).exists())
        later = timezone.now() + timedelta(days=31)
        with mock.patch("django.utils.timezone.now", return_value=later):
            out = StringIO()
            call_command("purge_audit_texts", stdout=out)
            self.assertIn("Erased 1 audit texts older than 30 days", out.getvalue())
            self.assertFalse(AuditText.objects.exists())
            seal_pending()
            result = verify()
            self.assertTrue(result.ok, result.problem)
        self.assertEqual(texts.check(listed)[0].text, None)
        erased = AuditEntry.objects.get(event="audit.texts_erased")
        self.assertEqual(erased.additional_data["count"], 1)

    def test_auditors_see_the_text_while_it_is_kept_and_then_that_it_was_erased(self) -> None:
        self.search_and_fail_sign_in()
        self.client.force_login(self.audrey)
        self.assertContains(self.client.get("/audit/", {"event": "case.listed"}), f"What was typed: “{NAME}”")
        with mock.patch("django.utils.timezone.now", return_value=timezone.now() + timedelta(days=31)):
            services.purge_texts()
        response = self.client.get("/audit/", {"event": "case.listed"})
        self.assertContains(response, "What was typed: erased after 30 days")
        self.assertNotContains(response, NAME)

    def test_a_name_typed_into_the_audit_searchs_user_box_is_kept_beside_the_log(self) -> None:
        self.client.force_login(self.audrey)
        self.client.get("/audit/", {"username": NAME})
        self.client.get("/audit/", {"username": "casey"})
        searched = AuditEntry.objects.filter(event="audit.searched").order_by("id")
        self.assertNotIn("Alder", self.sealed_log())
        self.assertEqual(searched[0].additional_data["texts"], {"username": text_digest(NAME)})
        self.assertEqual(searched[1].additional_data["filters"], {"username": "casey"})

    def test_a_kept_text_cannot_be_changed_or_erased_early(self) -> None:
        listed = self.search_and_fail_sign_in()
        seal_pending()
        with self.assertRaises(AppendOnlyError):
            AuditText.objects.filter(entry=listed).delete()
        with self.assertRaises(AppendOnlyError):
            AuditText.objects.filter(entry=listed).update(text="something else")
        with self.assertRaises(DatabaseError), transaction.atomic():  # the trigger refuses it
            execute("UPDATE audit_audittext SET text = %s", ["Someone Else"])
        with triggers_disabled():  # as the database owner would
            execute("UPDATE audit_audittext SET text = %s", ["Someone Else"])
        self.assertEqual(texts.check(listed)[0].matches, False)
        self.assertIn(f"the text kept for entry {listed.pk} (q) does not match", verify().problem)
        out = StringIO()
        with self.assertRaises(SystemExit):
            call_command("verify_audit", "--texts", str(listed.pk), stdout=out, stderr=StringIO())
        self.assertIn("does NOT match the digest its entry holds", out.getvalue())
        execute("DELETE FROM audit_audittext")
        self.assertIn(f"the text of entry {listed.pk} (q) was erased before its 30 days", verify().problem)
