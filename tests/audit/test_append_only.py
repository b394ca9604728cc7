from __future__ import annotations

from django.contrib.admin.sites import site
from django.contrib.contenttypes.models import ContentType
from django.db import DatabaseError, connection, transaction
from django.test import RequestFactory

from audit import services
from audit.models import AppendOnlyError, AuditEntry, Seal
from partners.models import User
from tests.audit.tampering import execute
from tests.base import BaseTestCase, CommittingTestCase


class AppendOnlyTestCase(BaseTestCase):
    def setUp(self) -> None:
        self.entry = services.record(event="case.viewed", actor=self.casey, obj=self.casey)

    def test_orm_save_of_an_existing_entry_is_refused(self) -> None:
        self.entry.event = "something.else"
        with self.assertRaises(AppendOnlyError):
            self.entry.save()
        self.assertEqual(AuditEntry.objects.get(pk=self.entry.pk).event, "case.viewed")

    def test_queryset_update_and_delete_are_refused(self) -> None:
        with self.assertRaises(AppendOnlyError):
            AuditEntry.objects.filter(pk=self.entry.pk).update(event="x")
        with self.assertRaises(AppendOnlyError):
            AuditEntry.objects.all().delete()
        with self.assertRaises(AppendOnlyError):
            self.entry.delete()
        self.assertTrue(AuditEntry.objects.filter(pk=self.entry.pk, event="case.viewed").exists())

    def test_raw_sql_update_and_delete_are_refused_by_the_database(self) -> None:
        for sql in ("UPDATE audit_auditentry SET event = 'x'", "DELETE FROM audit_auditentry"):
            with self.assertRaisesRegex(DatabaseError, "append-only"), transaction.atomic():
                execute(sql)
        self.assertTrue(AuditEntry.objects.filter(pk=self.entry.pk, event="case.viewed").exists())

    def test_seals_are_append_only_too(self) -> None:
        seal = Seal.objects.create(
            first_entry_id=1, last_entry_id=1, entry_count=1, digests=[], previous_root="a", root="b"
        )
        with self.assertRaises(AppendOnlyError):
            seal.save()
        with self.assertRaisesRegex(DatabaseError, "append-only"), transaction.atomic():
            execute("UPDATE audit_seal SET root = 'x'")
        with self.assertRaisesRegex(DatabaseError, "append-only"), transaction.atomic():
            execute("DELETE FROM audit_seal")

    def test_the_admin_is_read_only(self) -> None:
        request = RequestFactory().get("/admin/")
        request.user = self.ada
        for model in (AuditEntry, Seal):
            model_admin = site._registry[model]
            self.assertFalse(model_admin.has_add_permission(request))
            self.assertFalse(model_admin.has_change_permission(request, None))
            self.assertFalse(model_admin.has_delete_permission(request, None))

    def test_the_admin_delete_url_changes_nothing(self) -> None:
        self.ada.is_superuser = True  # even a superuser cannot delete through the admin
        self.ada.save()
        self.client.force_login(self.ada)
        response = self.client.post(f"/admin/audit/auditentry/{self.entry.pk}/delete/", {"post": "yes"})
        self.assertEqual(response.status_code, 403)
        self.assertTrue(AuditEntry.objects.filter(pk=self.entry.pk).exists())

    def test_content_types_referred_to_cannot_be_deleted(self) -> None:
        with self.assertRaises((DatabaseError, AppendOnlyError)), transaction.atomic():
            ContentType.objects.get_for_model(User).delete()
        self.assertTrue(AuditEntry.objects.filter(pk=self.entry.pk).exists())


class TruncateTestCase(CommittingTestCase):
    def test_truncate_is_refused_on_postgresql(self) -> None:
        if connection.vendor != "postgresql":
            self.skipTest("SQLite has no TRUNCATE")
        services.record(event="case.viewed")
        with self.assertRaisesRegex(DatabaseError, "append-only"), transaction.atomic():
            execute("TRUNCATE audit_auditentry CASCADE")
        with self.assertRaisesRegex(DatabaseError, "append-only"), transaction.atomic():
            execute("TRUNCATE audit_seal")
        self.assertEqual(AuditEntry.objects.count(), 1)


class AdminReadsAreAuditedTestCase(BaseTestCase):
    def test_reading_the_log_in_the_admin_is_recorded(self) -> None:
        entry = services.record(event="case.viewed", actor=self.casey)
        self.ada.is_superuser = True
        self.ada.save()
        self.client.force_login(self.ada)
        self.assertEqual(self.client.get("/admin/audit/auditentry/").status_code, 200)
        self.assertEqual(self.client.get(f"/admin/audit/auditentry/{entry.pk}/change/").status_code, 200)
        self.assertTrue(AuditEntry.objects.filter(event="audit.admin_listed", actor=self.ada).exists())
        self.assertTrue(
            AuditEntry.objects.filter(event="audit.admin_viewed", actor=self.ada, object_repr=str(entry.pk)).exists()
        )
