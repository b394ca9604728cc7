"""The postcode district table in the admin: administrators add and end-date rows, each change audited
with its values (area names and codes are not personal data); no row is ever deleted."""

from __future__ import annotations

from audit.models import AuditEntry
from cases.models import PostcodeArea
from partners import services
from tests.base import BaseTestCase

ADD = "/admin/cases/postcodearea/add/"


class PostcodeAreaAdminTestCase(BaseTestCase):
    def setUp(self) -> None:
        services.sync_user_groups(user=self.ada)
        self.client.force_login(self.ada)

    def row(self, **fields: str) -> dict[str, str]:
        return {
            "district": "ot2",
            "local_authority_area": "Otherton",
            "local_authority_code": "",
            "police_force_area": "Otherton",
            "police_force_code": "",
            "effective_from": "2026-01-01",
            "effective_to": "",
            **fields,
        }

    def test_an_administrator_adds_and_end_dates_a_row_and_each_change_is_audited_with_its_values(self) -> None:
        self.assertEqual(self.client.get("/admin/cases/postcodearea/").status_code, 200)
        self.assertEqual(self.client.post(ADD, self.row()).status_code, 302)
        added = PostcodeArea.objects.get(district="OT2")
        created = AuditEntry.objects.get(
            event="model.created", object_pk=str(added.pk), content_type__model="postcodearea"
        )
        self.assertEqual(created.changes["police_force_area"][1], "Otherton")
        self.assertEqual(created.actor, self.ada)
        change = f"/admin/cases/postcodearea/{added.pk}/change/"
        self.assertEqual(self.client.post(change, self.row(district="OT2", effective_to="2026-06-30")).status_code, 302)
        updated = self.entry("model.updated", added)
        self.assertEqual(updated.changes["effective_to"], [None, "2026-06-30"])

    def entry(self, event: str, row: PostcodeArea) -> AuditEntry:
        found = [e for e in AuditEntry.objects.filter(event=event) if e.content_type.model == "postcodearea"]
        return next(e for e in found if e.object_pk == str(row.pk))

    def test_an_overlapping_row_is_refused(self) -> None:
        response = self.client.post(ADD, self.row(district="TE1", effective_from="2026-01-01"))
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "end-date it first")
        self.assertEqual(PostcodeArea.objects.filter(district="TE1").count(), 1)

    def test_no_row_is_deleted(self) -> None:
        row = PostcodeArea.objects.get(district="TE1")
        self.assertEqual(self.client.get(f"/admin/cases/postcodearea/{row.pk}/delete/").status_code, 403)
        self.assertEqual(
            self.client.post(f"/admin/cases/postcodearea/{row.pk}/delete/", {"post": "yes"}).status_code, 403
        )
        self.assertTrue(PostcodeArea.objects.filter(pk=row.pk).exists())

    def test_people_who_are_not_administrators_cannot_reach_it(self) -> None:
        self.client.force_login(self.casey)
        self.assertNotEqual(self.client.get(ADD).status_code, 200)
        self.assertFalse(PostcodeArea.objects.filter(district="OT2").exists())
