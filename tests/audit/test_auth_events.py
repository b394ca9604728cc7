from __future__ import annotations

from audit.digests import text_digest
from audit.models import AuditEntry, Outcome
from tests.base import BaseTestCase
from tests.factories import PASSWORD


class AuthEventsTestCase(BaseTestCase):
    def test_sign_in_is_recorded_with_agency_role_and_request(self) -> None:
        response = self.client.post("/sign-in/", {"username": "pat", "password": PASSWORD}, REMOTE_ADDR="10.9.8.7")
        entry = AuditEntry.objects.get(event="auth.signed_in")
        self.assertEqual(entry.actor, self.pat)
        self.assertEqual(entry.actor_agency, self.police_force)
        self.assertEqual(entry.actor_role, "police_practitioner")
        self.assertEqual((entry.method, entry.path), ("POST", "/sign-in/"))
        self.assertEqual(entry.remote_addr, "10.9.8.7")
        self.assertEqual(entry.request_id, response["X-Request-ID"])
        self.assertEqual(entry.outcome, Outcome.ALLOWED)

    def test_a_failed_sign_in_records_an_unknown_username_only_as_its_digest_and_no_password(self) -> None:
        self.client.post("/sign-in/", {"username": "nobody-here", "password": "secret-guess-123"})
        entry = AuditEntry.objects.get(event="auth.sign_in_failed")
        self.assertEqual(entry.outcome, Outcome.DENIED)
        self.assertEqual(entry.additional_data, {"username_digest": text_digest("nobody-here"), "known_account": False})
        self.assertEqual(entry.object_repr, "")
        self.assertNotIn("nobody-here", str(entry.__dict__))
        self.assertIsNone(entry.actor)
        self.assertNotIn("secret-guess", str(entry.__dict__))

    def test_sign_out_is_recorded(self) -> None:
        self.client.force_login(self.harper)
        self.client.post("/sign-out/")
        self.assertEqual(AuditEntry.objects.get(event="auth.signed_out").actor, self.harper)

    def test_the_request_id_is_made_by_the_server(self) -> None:
        response = self.client.get("/healthz", HTTP_X_REQUEST_ID="client-chosen", HTTP_X_CORRELATION_ID="forged")
        self.assertNotEqual(response["X-Request-ID"], "client-chosen")
        self.assertEqual(len(response["X-Request-ID"]), 32)

    def test_group_membership_changes_are_recorded(self) -> None:
        from partners import services

        services.save_user(
            username="harper",
            agency=self.council,
            role="panel_member",
            first_name="Harper",
            last_name="Moved",
            email="harper@example.org",
        )
        self.assertTrue(AuditEntry.objects.filter(object_pk=str(self.harper.pk), event="model.updated").exists())
