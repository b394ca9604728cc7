"""Referral drafts (issue 15 finding 1): the referral form as typed, kept on the server for its author
only, every save and open audited without what was typed, deleted when the referral is logged or after
REFERRAL_DRAFT_DAYS; a referral sent after the session ended comes back as its draft after signing in."""

from __future__ import annotations

import json
import time
from datetime import timedelta
from typing import Any
from unittest import mock

from django.conf import settings
from django.test import Client
from django.utils import timezone

from audit.models import AuditEntry, Outcome
from cases.models import Case, ReferralDraft
from cases.services import drafts
from cases.tasks import expire_referral_drafts
from partners.models import Role
from tests.base import BaseTestCase
from tests.cases.test_new_referral import referral_form
from tests.clients import give_totp_device, next_code
from tests.factories import PASSWORD, make_user

# What Casey types: none of it may reach the audit log.
TYPED = {"first_name": "Dogwood", "last_name": "Draftperson", "concerns": "A synthetic concern typed slowly."}


def entry_text(entry: AuditEntry) -> str:
    fields = ("object_repr", "additional_data", "changes", "case_reference", "purpose")
    return json.dumps({name: getattr(entry, name, None) for name in fields}, default=str)


class ReferralDraftTestCase(BaseTestCase):
    def save(self, fields: dict[str, Any], draft: str = "") -> Any:
        return self.client.post("/cases/new/draft/", {**fields, "draft": draft}, HTTP_ACCEPT="application/json")

    def assert_no_typed_text_in_the_log(self) -> None:
        for entry in AuditEntry.objects.all():
            for text in TYPED.values():
                self.assertNotIn(text, entry_text(entry), entry.event)

    def test_the_author_saves_and_opens_their_draft(self) -> None:
        self.client.force_login(self.casey)
        response = self.save(TYPED | {"date_of_birth_0": "15", "date_of_birth_1": "6", "csrfmiddlewaretoken": "x"})
        self.assertEqual(response.status_code, 200)
        draft = ReferralDraft.objects.get()
        self.assertEqual(response.json()["reference"], str(draft.reference))
        self.assertEqual(response.json()["url"], f"/cases/new/?draft={draft.reference}")
        # Restarted by the save (a second may tick between the save and the answer's count).
        self.assertAlmostEqual(response.json()["session"]["idle_seconds"], settings.SESSION_IDLE_SECONDS, delta=2)
        # Only the form's own fields are kept; half a date of birth is kept as typed.
        self.assertEqual(draft.fields, TYPED | {"date_of_birth_0": "15", "date_of_birth_1": "6"})
        self.assertEqual(draft.author, self.casey)

        self.save(TYPED | {"concerns": "A synthetic concern typed slowly, and more."}, draft=str(draft.reference))
        self.assertEqual(ReferralDraft.objects.get().fields["concerns"], "A synthetic concern typed slowly, and more.")

        page = self.client.get(f"/cases/new/?draft={draft.reference}")
        self.assertContains(page, 'value="Dogwood"')
        self.assertContains(page, "A synthetic concern typed slowly, and more.")
        self.assertContains(page, f'action="/cases/new/?draft={draft.reference}"')
        self.assertContains(page, f'name="draft" value="{draft.reference}"')

        events = list(AuditEntry.objects.filter(event__startswith="referral_draft.").order_by("id"))
        self.assertEqual(
            [(e.event, e.action, e.outcome, e.actor) for e in events],
            [
                ("referral_draft.saved", AuditEntry.Action.CREATE, Outcome.ALLOWED, self.casey),
                ("referral_draft.saved", AuditEntry.Action.UPDATE, Outcome.ALLOWED, self.casey),
                ("referral_draft.opened", AuditEntry.Action.ACCESS, Outcome.ALLOWED, self.casey),
            ],
        )
        self.assertEqual({e.object_repr for e in events}, {f"Referral draft {draft.reference}"})
        self.assert_no_typed_text_in_the_log()

    def test_only_the_author_reaches_a_draft(self) -> None:
        # Cass coordinates for the same council as Casey, and still may not read Casey's draft.
        cass = make_user(agency=self.council, role=Role.PREVENT_COORDINATOR, username="cass")
        self.client.force_login(self.casey)
        self.save(TYPED)
        draft = ReferralDraft.objects.get()
        for user in (cass, self.olly):
            self.client.force_login(user)
            self.assertEqual(self.client.get(f"/cases/new/?draft={draft.reference}").status_code, 404)
            self.assertEqual(self.save({"first_name": "Other"}, draft=str(draft.reference)).status_code, 404)
            self.assertEqual(self.client.get(f"/cases/drafts/{draft.reference}/discard/").status_code, 404)
            self.assertEqual(self.client.post(f"/cases/drafts/{draft.reference}/discard/").status_code, 404)
            # Their new-referral page does not list it; a missing draft is answered the same way.
            self.assertNotContains(self.client.get("/cases/new/"), "Dogwood")
            self.assertEqual(self.client.get("/cases/new/?draft=00000000-0000-0000-0000-000000000001").status_code, 404)
        self.assertEqual(ReferralDraft.objects.get().fields, TYPED)
        denied = AuditEntry.objects.filter(event__startswith="referral_draft.", outcome=Outcome.DENIED)
        self.assertEqual(denied.filter(actor=cass).count(), 5)
        self.assertEqual(denied.filter(actor=cass, additional_data={"reason": "not the author"}).count(), 4)
        # A role that may not log referrals is refused before any draft is looked at (403).
        self.client.force_login(self.pat)
        self.assertEqual(self.client.get(f"/cases/new/?draft={draft.reference}").status_code, 403)
        self.assertEqual(self.save(TYPED).status_code, 403)
        self.assertEqual(ReferralDraft.objects.count(), 1)
        self.assert_no_typed_text_in_the_log()

    def test_the_author_sees_their_drafts_and_discards_one(self) -> None:
        self.client.force_login(self.casey)
        self.save(TYPED)
        draft = ReferralDraft.objects.get()
        page = self.client.get("/cases/new/")
        self.assertContains(page, "Your draft referrals")
        self.assertContains(page, "Dogwood Draftperson")
        self.assertContains(page, f"/cases/drafts/{draft.reference}/discard/")
        listed = AuditEntry.objects.get(event="referral_draft.listed")
        self.assertEqual(listed.additional_data["shown"], [str(draft.reference)])
        self.assertContains(self.client.get(f"/cases/drafts/{draft.reference}/discard/"), "You cannot undo this")
        self.assertRedirects(self.client.post(f"/cases/drafts/{draft.reference}/discard/"), "/cases/new/")
        self.assertFalse(ReferralDraft.objects.exists())
        entry = AuditEntry.objects.get(event="referral_draft.discarded")
        self.assertEqual((entry.actor, entry.action), (self.casey, AuditEntry.Action.DELETE))
        self.assert_no_typed_text_in_the_log()

    def test_without_javascript_save_as_draft_comes_back_to_the_draft(self) -> None:
        self.client.force_login(self.casey)
        response = self.client.post("/cases/new/draft/", TYPED)
        draft = ReferralDraft.objects.get()
        self.assertRedirects(response, f"/cases/new/?draft={draft.reference}", fetch_redirect_response=False)
        self.assertContains(self.client.get(response["Location"]), "Your draft is saved")
        # An empty form is not saved.
        self.assertRedirects(self.client.post("/cases/new/draft/", {}), "/cases/new/")
        self.assertEqual(ReferralDraft.objects.count(), 1)
        self.assertEqual(self.client.get("/cases/new/draft/").status_code, 405)

    def test_logging_the_referral_deletes_its_draft_and_a_refused_one_keeps_it(self) -> None:
        self.client.force_login(self.casey)
        self.save(TYPED)
        draft = ReferralDraft.objects.get()
        refused = self.client.post(
            f"/cases/new/?draft={draft.reference}", referral_form(concerns="", draft=draft.reference)
        )
        self.assertEqual(refused.status_code, 400)
        self.assertTrue(ReferralDraft.objects.exists())
        response = self.client.post(
            f"/cases/new/?draft={draft.reference}", referral_form(draft=draft.reference, **TYPED)
        )
        case = Case.objects.get()
        self.assertRedirects(response, f"/cases/{case.reference}/logged/")
        self.assertFalse(ReferralDraft.objects.exists())
        entry = AuditEntry.objects.get(event="referral_draft.logged")
        self.assertEqual((entry.actor, entry.case_reference), (self.casey, case.number))
        # A draft that has gone meanwhile does not stop the referral being logged.
        response = self.client.post(
            "/cases/new/?draft=00000000-0000-0000-0000-000000000001",
            referral_form(first_name="Other", draft="00000000-0000-0000-0000-000000000001"),
        )
        self.assertEqual(response.status_code, 302)
        self.assertEqual(Case.objects.count(), 2)

    def test_someone_elses_draft_is_not_deleted_by_logging_a_referral(self) -> None:
        self.client.force_login(self.casey)
        self.save(TYPED)
        draft = ReferralDraft.objects.get()
        self.client.force_login(self.olly)
        self.client.post("/cases/new/", referral_form(draft=draft.reference, police_force_area=""))
        self.client.post("/cases/new/", referral_form(draft=draft.reference))
        self.assertTrue(ReferralDraft.objects.filter(pk=draft.pk).exists())

    def test_drafts_not_saved_for_the_set_period_are_deleted_by_the_periodic_task(self) -> None:
        self.assertEqual(
            settings.CELERY_BEAT_SCHEDULE["expire-referral-drafts"]["task"], "cases.expire_referral_drafts"
        )
        now = timezone.now()
        old = drafts.save_draft(author=self.casey, fields=TYPED)
        ReferralDraft.objects.filter(pk=old.pk).update(
            saved_at=now - timedelta(days=settings.REFERRAL_DRAFT_DAYS, hours=1)
        )
        recent = drafts.save_draft(author=self.casey, fields=TYPED)
        ReferralDraft.objects.filter(pk=recent.pk).update(
            saved_at=now - timedelta(days=settings.REFERRAL_DRAFT_DAYS - 1)
        )
        self.assertEqual(expire_referral_drafts.apply().get(), 1)
        self.assertEqual(list(ReferralDraft.objects.values_list("pk", flat=True)), [recent.pk])
        entry = AuditEntry.objects.get(event="referral_draft.expired")
        self.assertEqual((entry.actor, entry.object_repr), (None, f"Referral draft {old.reference}"))
        self.assert_no_typed_text_in_the_log()


class SignedOutReferralTestCase(BaseTestCase):
    """The session ends while Casey writes; the referral she sends then comes back as her draft."""

    def test_a_referral_sent_after_the_session_ended_returns_as_its_draft_after_signing_in(self) -> None:
        give_totp_device(self.casey)
        self.client.force_login(self.casey)
        self.client.post("/cases/new/draft/", TYPED, HTTP_ACCEPT="application/json")
        draft = ReferralDraft.objects.get()
        address = f"/cases/new/?draft={draft.reference}"
        later = time.time() + settings.SESSION_IDLE_SECONDS + 60
        with mock.patch("time.time", return_value=later):
            response = self.client.post(address, referral_form(draft=draft.reference, **TYPED))
            self.assertRedirects(
                response, f"/sign-in/?next=/cases/new/%3Fdraft%3D{draft.reference}", fetch_redirect_response=False
            )
            self.assertFalse(Case.objects.exists())
            # The sign-in page says why, and nothing about the referral.
            sign_in = self.client.get(response["Location"])
            self.assertContains(sign_in, "had not used the service for 15 minutes")
            self.assertNotContains(sign_in, "Dogwood")
            signed_in = self.client.post(
                "/sign-in/", {"username": "casey", "password": PASSWORD, "next": address}, follow=True
            )
            self.assertContains(signed_in, "Security code")
            verified = self.client.post(f"/account/two-factor/?next={address}", {"code": next_code(self.casey)})
            self.assertRedirects(verified, address, fetch_redirect_response=False)
            page = self.client.get(address)
        self.assertContains(page, "You were signed out after 15 minutes without activity.")
        self.assertContains(page, "Your referral was saved as a draft")
        self.assertContains(page, 'value="Dogwood"')
        # Said once.
        self.assertNotContains(self.client.get(address), "You were signed out")
        self.client.post(address, referral_form(draft=draft.reference, **TYPED))
        self.assertTrue(Case.objects.exists())
        self.assertFalse(ReferralDraft.objects.exists())

    def test_only_the_first_page_after_signing_in_again_says_why(self) -> None:
        give_totp_device(self.casey)
        self.client.force_login(self.casey)
        draft = drafts.save_draft(author=self.casey, fields=TYPED)
        with mock.patch("time.time", return_value=time.time() + settings.SESSION_IDLE_SECONDS + 60):
            self.client.get("/cases/")
        self.client.post("/sign-in/", {"username": "casey", "password": PASSWORD})
        self.client.post("/account/two-factor/", {"code": next_code(self.casey)})
        # A referral sent without a draft: the page says where drafts are.
        page = self.client.get("/cases/new/")
        self.assertContains(page, "You were signed out after 15 minutes without activity.")
        self.assertContains(page, "Anything saved as a draft is listed on this page.")
        # Said on that page only: opening a draft afterwards says nothing about it.
        self.assertNotContains(self.client.get(f"/cases/new/?draft={draft.reference}"), "You were signed out")

    def test_the_next_person_on_the_same_browser_is_not_told_why_someone_else_was_signed_out(self) -> None:
        cora = make_user(agency=self.council, role=Role.PREVENT_COORDINATOR, username="cora", first_name="Cora")
        give_totp_device(self.casey)
        give_totp_device(cora)
        self.client.force_login(self.casey)
        with mock.patch("time.time", return_value=time.time() + settings.SESSION_IDLE_SECONDS + 60):
            self.client.get("/cases/")
            # The browser is sent to the sign-in page, which says why the session ended.
            self.assertContains(self.client.get("/sign-in/"), "You were signed out because")
        # Cora signs in on the computer Casey left: the note about Casey's session is not hers.
        self.client.post("/sign-in/", {"username": "cora", "password": PASSWORD})
        self.client.post("/account/two-factor/", {"code": next_code(cora)})
        self.assertNotContains(self.client.get("/cases/new/"), "You were signed out")

    def test_a_form_refused_by_the_csrf_check_leads_back_to_its_page(self) -> None:
        client = Client(enforce_csrf_checks=True)
        client.force_login(self.casey)
        response = client.post("/cases/new/?draft=00000000-0000-0000-0000-000000000001", {"first_name": "X"})
        self.assertEqual(response.status_code, 403)
        self.assertContains(response, "Your form could not be sent", status_code=403)
        self.assertContains(response, 'href="/cases/new/?draft=00000000-0000-0000-0000-000000000001"', status_code=403)


class ReferralLoggedTestCase(BaseTestCase):
    def test_the_confirmation_says_what_happens_next_and_the_summary_shows_the_risk(self) -> None:
        self.client.force_login(self.casey)
        response = self.client.post("/cases/new/", referral_form(immediate_risk="yes"), follow=True)
        case = Case.objects.get()
        self.assertContains(response, "Referral logged")
        self.assertContains(response, case.number)
        self.assertContains(response, "What happens next")
        self.assertContains(response, f'href="/cases/{case.reference}/move/"')
        self.assertContains(response, "your council's Prevent coordinators have been emailed")
        summary = self.client.get(f"/cases/{case.reference}/")
        self.assertContains(summary, "Immediate risk of harm")
        self.assertContains(summary, "Yes: the referrer said there is an immediate risk of harm")
        # The confirmation goes through the gate like any page of the case.
        self.client.force_login(self.olly)
        self.assertEqual(self.client.get(f"/cases/{case.reference}/logged/").status_code, 404)
