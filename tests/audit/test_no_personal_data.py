"""No personal data values in the log: change entries name fields, never their values."""

from __future__ import annotations

import json

from django.core import serializers

from audit.models import AuditEntry
from partners import services
from tests.base import BaseTestCase

CANARY = "Zebedee Canaryfeather"


class NoPersonalDataTestCase(BaseTestCase):
    def test_change_entries_record_field_names_not_values(self) -> None:
        user = services.save_user(
            username="canary",
            agency=self.health,
            role="panel_member",
            first_name="Zebedee",
            last_name="Canaryfeather",
            email="zebedee@example.org",
        )
        user.last_name = "Canaryfeather-Changed"
        user.save()
        entries = AuditEntry.objects.filter(object_pk=str(user.pk), event__startswith="model.")
        self.assertTrue(entries.filter(event="model.created").exists())
        updated = entries.filter(event="model.updated").order_by("id").last()
        assert updated is not None
        self.assertEqual(set(updated.changes), {"last_name"})
        self.assertEqual(updated.changes["last_name"], ["[redacted]", "[redacted]"])
        dump = serializers.serialize("json", AuditEntry.objects.all())
        for fragment in ("Zebedee", "Canaryfeather", "zebedee@example.org"):
            self.assertNotIn(fragment, dump)
        self.assertTrue(all(e.object_repr == "canary" for e in entries))

    def test_change_entries_carry_the_actor_and_request_context(self) -> None:
        self.client.force_login(self.casey)
        response = self.client.post(
            "/account/password/",
            {
                "old_password": "correct-horse-battery-staple-42",
                "new_password1": "another-long-passphrase-77",
                "new_password2": "another-long-passphrase-77",
            },
        )
        self.assertRedirects(response, "/")
        entry = AuditEntry.objects.get(event="auth.password_changed")
        self.assertEqual(entry.actor, self.casey)
        self.assertEqual(entry.actor_agency, self.council)
        self.assertEqual(entry.request_id, response["X-Request-ID"])
        self.assertNotIn("another-long-passphrase", json.dumps([entry.changes, entry.additional_data]))
