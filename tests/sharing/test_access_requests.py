"""Access requests: a partner asks by case number without learning whether it exists; the owning council
sees the request and approves (a grant to the requester) or refuses it with a note; both sides are
emailed by case number only; every step is audited."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core import mail
from django.utils import timezone

from audit.models import AuditEntry, Outcome
from sharing.access import AccessLevel, access_level
from sharing.models import AccessRequest, GrantKind, LegalBasis, Level, RequestStatus, ShareGrant
from tests.base import BaseTestCase
from tests.factories import make_case
from tests.sharing.grant_helpers import audit_mark, entries_since, flashed, has_permission, share, written_since

REASON = "Synthetic reason: the person attends our clinic"
SENT = "Your request has been sent to the case's owner, if the reference is right."
NO_SUCH_NUMBER = "PP-1999-99999"


class AccessRequestsTestCase(BaseTestCase):
    def setUp(self) -> None:
        self.case = make_case(owner=self.casey, first_name="Juniper", last_name="Requestcase")

    def ask(self, user: Any, number: str, reason: str = REASON) -> Any:
        self.client.force_login(user)
        return self.client.post("/sharing/requests/", {"number": number, "reason": reason})

    def asked(self) -> AccessRequest:
        with self.captureOnCommitCallbacks(execute=True):
            self.ask(self.harper, self.case.number)
        return AccessRequest.objects.get(case=self.case)

    def answer(self, user: Any, item: AccessRequest, **data: Any) -> Any:
        self.client.force_login(user)
        with self.captureOnCommitCallbacks(execute=True):
            return self.client.post(f"/sharing/requests/{item.reference}/", data)

    def approve(self, user: Any, item: AccessRequest, **overrides: Any) -> Any:
        data = {"answer": "approve", "level": Level.FULL, "legal_basis": LegalBasis.DUTY_TO_COOPERATE, "days": 10}
        return self.answer(user, item, **(data | overrides))

    def assertNoName(self, text: str) -> None:
        self.assertNotIn("Juniper", text)
        self.assertNotIn("Requestcase", text)

    # --- asking ---------------------------------------------------------------------------------

    def test_the_answer_is_the_same_whether_or_not_the_case_exists(self) -> None:
        mark = audit_mark()
        real = self.ask(self.harper, self.case.number)
        (allowed,) = entries_since(mark)
        self.assertEqual(flashed(real), [SENT])
        self.client.get(real["Location"])  # shows (and so clears) the message
        mark = audit_mark()
        fake = self.ask(self.harper, NO_SUCH_NUMBER)
        (denied,) = entries_since(mark)

        self.assertEqual((real.status_code, real["Location"]), (302, "/sharing/requests/"))
        self.assertEqual((fake.status_code, fake["Location"]), (302, "/sharing/requests/"))
        self.assertEqual(real.content, fake.content)
        self.assertEqual(flashed(fake), [SENT])
        self.assertEqual(AccessRequest.objects.count(), 1)
        item = AccessRequest.objects.get()
        self.assertEqual((item.case, item.requester, item.reason), (self.case, self.harper, REASON))
        self.assertEqual(item.status, RequestStatus.PENDING)

        self.assertEqual((allowed.event, allowed.outcome), ("sharing.requested", Outcome.ALLOWED))
        self.assertEqual(allowed.case_reference, self.case.number)
        self.assertEqual(allowed.additional_data, {"request": str(item.reference)})
        self.assertEqual((denied.event, denied.outcome), ("sharing.requested", Outcome.DENIED))
        self.assertEqual(denied.actor, self.harper)
        self.assertEqual(denied.object_repr, NO_SUCH_NUMBER)
        self.assertEqual(denied.case_reference, "")
        self.assertEqual(denied.additional_data, {"reason": "no such case"})

    def test_the_owning_coordinators_are_emailed_by_case_number_only(self) -> None:
        with self.captureOnCommitCallbacks(execute=True):
            self.ask(self.harper, self.case.number)
            self.ask(self.harper, NO_SUCH_NUMBER)

        (email,) = mail.outbox
        self.assertEqual(email.to, [self.casey.email])
        self.assertEqual(email.subject, f"Access requested to {self.case.number}")
        self.assertIn(self.case.number, email.body)
        self.assertIn(f"{self.harper.get_full_name()} (Testshire Health)", email.body)
        self.assertIn("/sharing/requests/", email.body)
        self.assertNoName(f"{email.subject} {email.body}")

    def test_a_request_needs_a_reason(self) -> None:
        mark = audit_mark()
        response = self.ask(self.harper, self.case.number, reason="")
        self.assertContains(response, "govuk-error-summary", status_code=400)
        self.assertFalse(AccessRequest.objects.exists())
        self.assertNotIn(("sharing.requested", Outcome.ALLOWED), written_since(mark))

    def test_roles_that_may_not_ask_get_403(self) -> None:
        for user in (self.audrey, self.ada):
            mark = audit_mark()
            response = self.ask(user, self.case.number)
            self.assertEqual(response.status_code, 403, user.username)
            self.assertEqual(written_since(mark), [("request_access.denied", Outcome.DENIED)])
        self.assertFalse(AccessRequest.objects.exists())

    # --- the owner's list -----------------------------------------------------------------------

    def test_the_owning_council_sees_the_request_and_others_do_not(self) -> None:
        self.asked()

        self.client.force_login(self.casey)
        mark = audit_mark()
        page = self.client.get("/sharing/requests/")
        self.assertContains(page, "Waiting for your answer")
        self.assertContains(page, self.case.number)
        self.assertContains(page, f"{self.harper.get_full_name()} (Testshire Health)")
        (listed,) = entries_since(mark)
        self.assertEqual(listed.event, "sharing.requests_listed")
        self.assertEqual(listed.additional_data, {"shown": [self.case.number], "count": 1, "filters": {}})

        for user in (self.olly, self.pat):
            self.client.force_login(user)
            mark = audit_mark()
            page = self.client.get("/sharing/requests/")
            self.assertNotContains(page, "Waiting for your answer")
            self.assertNotContains(page, self.case.number)
            (listed,) = entries_since(mark)
            self.assertEqual(listed.additional_data, {"shown": [], "count": 0, "filters": {}}, user.username)

    def test_a_council_with_a_grant_to_the_case_is_not_shown_its_requests(self) -> None:
        share(self.case, actor=self.casey, user=self.olly, level=Level.FULL)
        self.asked()

        self.client.force_login(self.olly)
        page = self.client.get("/sharing/requests/")

        self.assertNotContains(page, "Waiting for your answer")
        self.assertNotContains(page, f"/sharing/requests/{AccessRequest.objects.get().reference}/")

    def test_the_requesters_page_does_not_tell_a_pending_request_for_a_real_number_from_a_wrong_one(self) -> None:
        self.ask(self.harper, self.case.number)
        self.ask(self.harper, NO_SUCH_NUMBER)

        page = self.client.get("/sharing/requests/")

        self.assertNotContains(page, self.case.number)
        self.assertNotContains(page, NO_SUCH_NUMBER)
        self.assertNotContains(page, "Waiting for the owner")
        self.assertNotContains(page, "Answers to your requests")

    def test_the_requester_sees_the_answer_once_the_owner_has_given_it(self) -> None:
        item = self.asked()
        self.answer(self.casey, item, answer="refuse", note="Synthetic note: not needed for the panel")

        self.client.force_login(self.harper)
        page = self.client.get("/sharing/requests/")

        self.assertContains(page, "Answers to your requests")
        answer = "Refused. Synthetic note: not needed for the panel"
        self.assertContains(page, f'<span class="app-reference">{self.case.number}</span>: {answer}')

    # --- answering ------------------------------------------------------------------------------

    def test_approval_grants_the_requester_access(self) -> None:
        item = self.asked()
        self.client.force_login(self.casey)
        self.assertContains(self.client.get(f"/sharing/requests/{item.reference}/"), REASON)
        mark = audit_mark()

        response = self.approve(self.casey, item, note="Synthetic note: for the May panel")

        self.assertRedirects(response, "/sharing/requests/", fetch_redirect_response=False)
        self.assertEqual(flashed(response), ["Answer sent to the requester."])
        item.refresh_from_db()
        self.assertEqual((item.status, item.decided_by), (RequestStatus.APPROVED, self.casey))
        self.assertEqual(item.decision_note, "Synthetic note: for the May panel")
        grant = ShareGrant.objects.get(case=self.case)
        self.assertEqual(item.grant, grant)
        self.assertEqual((grant.user, grant.agency, grant.kind), (self.harper, None, GrantKind.REQUESTED))
        self.assertEqual((grant.level, grant.legal_basis), (Level.FULL, LegalBasis.DUTY_TO_COOPERATE))
        self.assertEqual(grant.purpose, f"Access request: {REASON}")
        self.assertAlmostEqual(grant.ends_at, timezone.now() + timedelta(days=10), delta=timedelta(minutes=1))
        self.assertTrue(has_permission(grant))
        self.assertEqual(
            written_since(mark),
            [
                ("case.share", Outcome.ALLOWED),
                ("sharing.granted", Outcome.ALLOWED),
                ("sharing.request_approved", Outcome.ALLOWED),
            ],
        )
        approved = AuditEntry.objects.get(event="sharing.request_approved")
        self.assertEqual(approved.additional_data, {"request": str(item.reference)})
        self.assertEqual(approved.case_reference, self.case.number)

        self.client.force_login(self.harper)
        self.assertEqual(self.client.get(f"/cases/{self.case.reference}/chronology/").status_code, 200)
        self.assertEqual(access_level(self.harper, self.case), AccessLevel.FULL)

    def test_both_sides_are_emailed_by_case_number_only(self) -> None:
        item = self.asked()
        (to_owner,) = mail.outbox
        self.assertEqual(to_owner.to, [self.casey.email])

        self.approve(self.casey, item, note="Synthetic note: for the May panel")

        self.assertEqual(len(mail.outbox), 2)
        to_requester = mail.outbox[1]
        self.assertEqual(to_requester.to, [self.harper.email])
        self.assertEqual(to_requester.subject, f"Access request approved: {self.case.number}")
        self.assertIn(f"Your request for access to {self.case.number} was approved.", to_requester.body)
        self.assertIn("Note from the owner: Synthetic note: for the May panel", to_requester.body)
        self.assertIn("Access lasts until", to_requester.body)
        for email in (to_owner, to_requester):
            self.assertNoName(f"{email.subject} {email.body}")

    def test_refusal_needs_a_note_and_is_sent_to_the_requester(self) -> None:
        item = self.asked()
        mark = audit_mark()

        missing_note = self.answer(self.casey, item, answer="refuse", note=" ")

        self.assertContains(missing_note, "Say why the request is refused", status_code=400)
        self.assertEqual(AccessRequest.objects.get(pk=item.pk).status, RequestStatus.PENDING)
        self.assertEqual(written_since(mark), [("case.share", Outcome.ALLOWED)])
        self.assertEqual(len(mail.outbox), 1)

        mark = audit_mark()
        refused = self.answer(self.casey, item, answer="refuse", note="Synthetic note: not needed for the panel")

        self.assertRedirects(refused, "/sharing/requests/", fetch_redirect_response=False)
        item.refresh_from_db()
        self.assertEqual((item.status, item.decided_by, item.grant), (RequestStatus.REFUSED, self.casey, None))
        self.assertEqual(
            written_since(mark), [("case.share", Outcome.ALLOWED), ("sharing.request_refused", Outcome.ALLOWED)]
        )
        self.assertFalse(ShareGrant.objects.exists())
        email = mail.outbox[1]
        self.assertEqual(email.to, [self.harper.email])
        self.assertEqual(email.subject, f"Access request refused: {self.case.number}")
        self.assertIn("Synthetic note: not needed for the panel", email.body)
        self.assertNotIn("Access lasts until", email.body)
        self.assertNoName(f"{email.subject} {email.body}")
        self.client.force_login(self.harper)
        self.assertEqual(self.client.get(f"/cases/{self.case.reference}/").status_code, 404)

    def test_a_request_cannot_be_answered_twice(self) -> None:
        item = self.asked()
        self.approve(self.casey, item)
        mark = audit_mark()

        again = self.answer(self.charlie, item, answer="refuse", note="Synthetic note: changed my mind")

        self.assertContains(again, "This request has already been answered.", status_code=400)
        item.refresh_from_db()
        self.assertEqual((item.status, item.decided_by), (RequestStatus.APPROVED, self.casey))
        self.assertEqual(ShareGrant.objects.count(), 1)
        self.assertEqual(written_since(mark), [("case.share", Outcome.ALLOWED)])
        self.assertEqual(len(mail.outbox), 2)

    def test_another_council_and_the_requester_cannot_answer(self) -> None:
        item = self.asked()
        for user in (self.olly, self.harper):
            mark = audit_mark()
            response = self.approve(user, item)
            self.assertEqual(response.status_code, 404, user.username)
            (denied,) = entries_since(mark)
            self.assertEqual((denied.event, denied.outcome), ("case.share", Outcome.DENIED))
            self.assertEqual(denied.object_repr, str(self.case.reference))
        item.refresh_from_db()
        self.assertEqual(item.status, RequestStatus.PENDING)
        self.assertFalse(ShareGrant.objects.exists())

    def test_police_for_the_area_see_the_case_but_cannot_answer(self) -> None:
        item = self.asked()
        mark = audit_mark()
        response = self.approve(self.pat, item)
        self.assertEqual(response.status_code, 403)
        self.assertEqual(written_since(mark), [("case.share", Outcome.DENIED)])
        self.assertEqual(AccessRequest.objects.get(pk=item.pk).status, RequestStatus.PENDING)
