"""A change to who can see cases (a role, an agency, an agency's kind or area) made in the admin waits for
a second administrator; only their approval applies it, and it signs the people it concerns out."""

from __future__ import annotations

from typing import Any

from audit.models import AuditEntry
from partners.models import AccessChangeRequest, AgencyKind, ChangeStatus, Role, User
from tests.base import BaseTestCase
from tests.clients import VerifiedClient
from tests.factories import make_user


def user_form(user: User, **changes: Any) -> dict[str, Any]:
    """What the admin's user page sends back unchanged, with `changes` on top."""
    data = {
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "agency": user.agency_id,
        "role": user.role,
        "is_active": "on" if user.is_active else "",
        "reason": "",
    }
    data.update(changes)
    return data


class AccessChangeRequestsTestCase(BaseTestCase):
    ali: User

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        # Ali is a second administrator, who can approve what Ada asks for.
        cls.ali = make_user(agency=cls.council, role=Role.ADMINISTRATOR, username="ali", first_name="Ali")

    def ask_to_make_harper_chair(self) -> AccessChangeRequest:
        self.client.force_login(self.ada)
        response = self.client.post(
            f"/admin/partners/user/{self.harper.pk}/change/",
            user_form(self.harper, role=Role.PANEL_CHAIR, reason="Harper now chairs the panel."),
        )
        self.assertEqual(response.status_code, 302)
        return AccessChangeRequest.objects.get(user=self.harper)

    def decide(self, change: AccessChangeRequest, decision: str, reason: str = "Checked with the council.") -> Any:
        return self.client.post(
            f"/admin/partners/accesschangerequest/{change.pk}/decide/", {"decision": decision, "reason": reason}
        )

    def test_a_role_change_waits_for_a_second_administrator(self) -> None:
        change = self.ask_to_make_harper_chair()
        self.harper.refresh_from_db()
        self.assertEqual(self.harper.role, Role.PANEL_MEMBER)
        self.assertEqual(change.status, ChangeStatus.PENDING)
        self.assertEqual(change.changes, {"role": [Role.PANEL_MEMBER, Role.PANEL_CHAIR]})
        self.assertEqual(change.requested_by, self.ada)

    def test_the_requester_cannot_approve_their_own_change(self) -> None:
        change = self.ask_to_make_harper_chair()
        self.decide(change, "approve")
        change.refresh_from_db()
        self.harper.refresh_from_db()
        self.assertEqual(change.status, ChangeStatus.PENDING)
        self.assertEqual(self.harper.role, Role.PANEL_MEMBER)
        page = self.client.get(f"/admin/partners/accesschangerequest/{change.pk}/change/").content.decode()
        self.assertIn("You asked for this change: another administrator must decide it.", page)
        refused = AuditEntry.objects.get(event="account.change_approve_refused")
        self.assertEqual((refused.actor, refused.outcome, refused.is_flagged), (self.ada, "denied", True))

    def test_a_second_administrator_approves_it_and_the_users_sessions_end(self) -> None:
        harper_browser = VerifiedClient()
        harper_browser.force_login(self.harper)
        self.assertEqual(harper_browser.get("/").status_code, 200)
        change = self.ask_to_make_harper_chair()
        self.client.force_login(self.ali)
        self.decide(change, "approve")
        change.refresh_from_db()
        self.harper.refresh_from_db()
        self.assertEqual(change.status, ChangeStatus.APPROVED)
        self.assertEqual(change.decided_by, self.ali)
        self.assertEqual(self.harper.role, Role.PANEL_CHAIR)
        # Signed out: the new role applies only from a new sign-in.
        response = harper_browser.get("/")
        self.assertEqual(response.status_code, 302)
        self.assertTrue(response["Location"].startswith("/sign-in/"))

    def test_the_audit_entries_carry_the_values_and_are_flagged(self) -> None:
        change = self.ask_to_make_harper_chair()
        self.client.force_login(self.ali)
        self.decide(change, "approve")
        entries = AuditEntry.objects.filter(event__startswith="account.change_").order_by("id")
        self.assertEqual(
            [e.event for e in entries],
            ["account.change_requested", "account.change_approved", "account.change_applied"],
        )
        for entry in entries:
            self.assertTrue(entry.is_flagged)
            self.assertEqual(entry.object_repr, "harper")
            detail = entry.additional_data
            self.assertEqual(
                detail["changes"],
                [
                    {
                        "field": "Role",
                        "before": "Panel member",
                        "after": "Panel chair",
                        "values": ["panel_member", "panel_chair"],
                    }
                ],
            )
        self.assertEqual(entries[0].actor, self.ada)
        # The typed reason is kept beside the sealed log; the entry holds only its digest.
        self.assertEqual(entries[0].purpose, "")
        self.assertEqual(entries[0].typed, [("reason", "Harper now chairs the panel.")])
        self.assertEqual(entries[1].actor, self.ali)
        self.assertEqual(entries[2].additional_data["sessions_ended"], 0)
        # django-auditlog's own entry shows the role's values, and still hides personal data.
        model_entry = (
            AuditEntry.objects.filter(event="model.updated", object_pk=str(self.harper.pk)).order_by("-id").first()
        )
        assert model_entry is not None
        self.assertEqual(model_entry.changes["role"], ["panel_member", "panel_chair"])

    def test_names_stay_redacted_in_change_entries(self) -> None:
        self.client.force_login(self.ada)
        self.client.post(f"/admin/partners/user/{self.harper.pk}/change/", user_form(self.harper, last_name="Renamed"))
        entry = AuditEntry.objects.filter(event="model.updated", object_pk=str(self.harper.pk)).order_by("-id").first()
        assert entry is not None
        self.assertEqual(entry.changes["last_name"], ["[redacted]", "[redacted]"])

    def test_a_rejected_change_is_never_applied(self) -> None:
        change = self.ask_to_make_harper_chair()
        self.client.force_login(self.ali)
        self.decide(change, "reject", reason="Not agreed by the council.")
        change.refresh_from_db()
        self.harper.refresh_from_db()
        self.assertEqual(change.status, ChangeStatus.REJECTED)
        self.assertEqual(self.harper.role, Role.PANEL_MEMBER)
        self.assertTrue(AuditEntry.objects.get(event="account.change_rejected").is_flagged)

    def test_only_the_requester_withdraws(self) -> None:
        change = self.ask_to_make_harper_chair()
        self.client.force_login(self.ali)
        self.decide(change, "withdraw")
        change.refresh_from_db()
        self.assertEqual(change.status, ChangeStatus.PENDING)
        self.client.force_login(self.ada)
        self.decide(change, "withdraw", reason="")
        change.refresh_from_db()
        self.assertEqual(change.status, ChangeStatus.WITHDRAWN)
        self.assertTrue(AuditEntry.objects.get(event="account.change_withdrawn").is_flagged)

    def test_an_agency_change_of_kind_or_area_waits(self) -> None:
        self.client.force_login(self.ada)
        data = {
            "name": self.police_force.name,
            "code": self.police_force.code,
            "kind": AgencyKind.POLICE,
            "local_authority_area": "",
            "police_force_area": "Otherton",
            "is_active": "on",
            "reason": "The force was merged.",
        }
        response = self.client.post(f"/admin/partners/agency/{self.police_force.pk}/change/", data)
        self.assertEqual(response.status_code, 302)
        self.police_force.refresh_from_db()
        self.assertEqual(self.police_force.police_force_area, "Testshire")
        change = AccessChangeRequest.objects.get(agency=self.police_force)
        self.assertEqual(change.changes, {"police_force_area": ["Testshire", "Otherton"]})
        pat_browser = VerifiedClient()
        pat_browser.force_login(self.pat)
        self.client.force_login(self.ali)
        self.decide(change, "approve")
        self.police_force.refresh_from_db()
        self.assertEqual(self.police_force.police_force_area, "Otherton")
        self.assertEqual(pat_browser.get("/").status_code, 302)
        applied = AuditEntry.objects.get(event="account.change_applied")
        self.assertEqual(applied.additional_data["changes"][0]["before"], "Testshire")
        self.assertEqual(applied.additional_data["changes"][0]["after"], "Otherton")

    def test_the_users_page_shows_the_waiting_change(self) -> None:
        self.ask_to_make_harper_chair()
        page = self.client.get(f"/admin/partners/user/{self.harper.pk}/change/")
        self.assertContains(page, "Role: Panel member → Panel chair")

    def test_a_change_needs_a_reason(self) -> None:
        self.client.force_login(self.ada)
        response = self.client.post(
            f"/admin/partners/user/{self.harper.pk}/change/", user_form(self.harper, role=Role.PANEL_CHAIR)
        )
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "Say why this change is needed")
        self.assertFalse(AccessChangeRequest.objects.exists())

    def test_people_who_do_not_administer_cannot_see_or_decide_requests(self) -> None:
        change = self.ask_to_make_harper_chair()
        self.client.force_login(self.audrey)
        response = self.client.get("/admin/partners/accesschangerequest/")
        self.assertEqual(response.status_code, 302)
        self.decide(change, "approve")
        change.refresh_from_db()
        self.assertEqual(change.status, ChangeStatus.PENDING)

    def test_administrators_see_the_waiting_changes(self) -> None:
        self.ask_to_make_harper_chair()
        self.client.force_login(self.ali)
        response = self.client.get("/admin/partners/accesschangerequest/")
        self.assertContains(response, "Role: Panel member → Panel chair")

    def test_auditors_find_them_in_the_flagged_queue(self) -> None:
        self.ask_to_make_harper_chair()
        self.client.force_login(self.audrey)
        flagged = self.client.get("/audit/flagged/")
        self.assertContains(flagged, "Asked for an access change")
        self.assertContains(flagged, "harper")
        entry = AuditEntry.objects.get(event="account.change_requested")
        page = self.client.get(f"/audit/flagged/{entry.pk}/")
        self.assertContains(page, "Panel member → Panel chair")

    def test_no_one_decides_a_change_to_their_own_account(self) -> None:
        self.client.force_login(self.ali)
        self.client.post(
            f"/admin/partners/user/{self.ada.pk}/change/",
            user_form(self.ada, agency=self.police_force.pk, reason="Ada moves to the police."),
        )
        change = AccessChangeRequest.objects.get(user=self.ada)
        self.client.force_login(self.ada)
        self.decide(change, "approve")
        change.refresh_from_db()
        self.ada.refresh_from_db()
        self.assertEqual(change.status, ChangeStatus.PENDING)
        self.assertEqual(self.ada.agency, self.council)
