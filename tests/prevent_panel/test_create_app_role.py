"""Issue 14, finding 13: the app runs as a limited PostgreSQL role (`manage.py create_app_role`) that can
read and add audit entries and seals but cannot change, delete or truncate them, nor switch their
triggers off, nor reach the test suite's purge bypass."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from io import StringIO
from unittest import mock

import psycopg
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from psycopg import errors

from audit import services
from audit.models import AuditEntry, Seal
from audit.sealing import seal_pending
from partners.models import User
from tests.base import CommittingTestCase
from tests.factories import make_agency, make_user


class CreateAppRoleTestCase(CommittingTestCase):
    def setUp(self) -> None:
        self.role = f"pp_app_test_{secrets.token_hex(4)}"  # roles are cluster-wide: a name of its own
        self.password = secrets.token_urlsafe(24)

    def tearDown(self) -> None:
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [self.role])
                if cursor.fetchone():
                    cursor.execute(f'DROP OWNED BY "{self.role}"')  # its grants and default privileges
                    cursor.execute(f'DROP ROLE "{self.role}"')

    def create_role(self) -> str:
        out = StringIO()
        with mock.patch.dict("os.environ", {"APP_DATABASE_PASSWORD": self.password}):
            call_command("create_app_role", "--role", self.role, stdout=out)
        return out.getvalue()

    @contextmanager
    def as_the_app(self) -> Iterator[psycopg.Cursor]:
        """A connection of the limited role's own, by password, to the test database."""
        with psycopg.connect(
            host="127.0.0.1",
            port=5432,
            dbname=connection.settings_dict["NAME"],
            user=self.role,
            password=self.password,
            autocommit=True,
        ) as conn:
            yield conn.cursor()

    def refused(self, cursor: psycopg.Cursor, statement: str, *, because: str) -> None:
        with self.assertRaises(errors.InsufficientPrivilege, msg=statement) as caught:
            cursor.execute(statement)
        self.assertIn(because, str(caught.exception), statement)

    @pytest.mark.postgres_only
    def test_the_app_role_adds_to_the_audit_tables_and_changes_nothing_in_them(self) -> None:
        if connection.vendor != "postgresql":
            self.skipTest("roles and privileges are PostgreSQL's")
        user = make_user(agency=make_agency())
        entry = services.record(event="case.viewed", actor=user, case_reference="PP-2026-00001")
        # Privileges are checked before a statement touches any row, so the seal table is refused the same
        # with or without seals in it (sealing on a shared cluster may wait for others' transactions).
        seal_pending()
        seals = list(Seal.objects.values_list("pk", "root"))
        entries = AuditEntry.objects.count()
        self.assertIn(f"Role {self.role} may connect", self.create_role())
        columns = [f.column for f in AuditEntry._meta.concrete_fields if not f.primary_key]
        copy = ", ".join(f'"{c}"' for c in columns)

        with self.as_the_app() as cursor:
            cursor.execute("SELECT count(*) FROM audit_auditentry")
            self.assertEqual(cursor.fetchone(), (entries,))
            # An entry can be added (the id comes from the table's identity sequence).
            cursor.execute(
                f"INSERT INTO audit_auditentry ({copy}) SELECT {copy} FROM audit_auditentry WHERE id = %s RETURNING id",  # noqa: S608
                [entry.pk],
            )
            row = cursor.fetchone()
            assert row is not None
            self.assertGreater(row[0], entry.pk)
            cursor.execute("SELECT count(*) FROM audit_seal")
            self.assertEqual(cursor.fetchone(), (len(seals),))

            for table in ("audit_auditentry", "audit_seal"):
                denied = f"permission denied for table {table}"
                self.refused(cursor, f"UPDATE {table} SET id = id", because=denied)  # noqa: S608
                self.refused(cursor, f"DELETE FROM {table}", because=denied)  # noqa: S608
                self.refused(cursor, f"TRUNCATE {table}", because=denied)
                # It owns nothing, so it cannot switch the triggers off or drop them.
                self.refused(cursor, f"ALTER TABLE {table} DISABLE TRIGGER ALL", because="must be owner")
                self.refused(cursor, f"DROP TRIGGER {table}_no_update_delete ON {table}", because="must be owner")
            # Nor replace the trigger function, nor make triggers stop firing for its session.
            self.refused(
                cursor,
                "CREATE OR REPLACE FUNCTION audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ "
                "BEGIN RETURN NULL; END $$",
                because="permission denied for schema",  # refused before it is even asked whose it is
            )
            self.refused(cursor, "SET session_replication_role = replica", because="permission denied")
            self.refused(cursor, "CREATE TABLE mine (id int)", because="permission denied for schema")

            # The test suite's purge bypass: this database is named test_*, where the trigger function
            # honours `audit.allow_purge`, and any role may set a custom setting. It does not help: the
            # privilege check comes before any trigger runs, so the role is refused all the same.
            self.assertTrue(str(connection.settings_dict["NAME"]).startswith("test_"))
            cursor.execute("SET audit.allow_purge = 'on'")
            for table in ("audit_auditentry", "audit_seal"):
                denied = f"permission denied for table {table}"
                self.refused(cursor, f"DELETE FROM {table}", because=denied)  # noqa: S608
                self.refused(cursor, f"UPDATE {table} SET id = id", because=denied)  # noqa: S608
                self.refused(cursor, f"TRUNCATE {table}", because=denied)

            # The app's other tables are its to read and write.
            cursor.execute("UPDATE partners_user SET first_name = 'Renamed' WHERE id = %s", [user.pk])
            self.assertEqual(cursor.rowcount, 1)
            self.refused(cursor, "DELETE FROM django_migrations", because="permission denied")

        self.assertEqual(AuditEntry.objects.count(), entries + 1)
        self.assertEqual(list(Seal.objects.values_list("pk", "root")), seals)
        self.assertEqual(User.objects.get(pk=user.pk).first_name, "Renamed")

    @pytest.mark.postgres_only
    def test_running_it_again_after_a_migration_is_idempotent_and_narrows_new_tables(self) -> None:
        if connection.vendor != "postgresql":
            self.skipTest("roles and privileges are PostgreSQL's")
        self.create_role()
        # A later migration (run as the owner) adds a table: the role can use it at once.
        with connection.cursor() as cursor:
            cursor.execute("CREATE TABLE later_table (id bigint GENERATED BY DEFAULT AS IDENTITY, note text)")
        try:
            with self.as_the_app() as cursor:
                cursor.execute("INSERT INTO later_table (note) VALUES ('x')")
            # Someone widened an audit table by hand; the run after the migration narrows it again.
            with connection.cursor() as cursor:
                cursor.execute(f'GRANT ALL ON audit_auditentry TO "{self.role}"')
            self.create_role()
            with self.as_the_app() as cursor:
                cursor.execute(
                    "SELECT privilege_type FROM information_schema.role_table_grants "
                    "WHERE grantee = current_user AND table_name = 'audit_auditentry' ORDER BY 1"
                )
                self.assertEqual([p for (p,) in cursor.fetchall()], ["INSERT", "SELECT"])
                cursor.execute("DELETE FROM later_table")
                cursor.execute(
                    "SELECT rolsuper, rolcreaterole, rolcreatedb, rolbypassrls FROM pg_roles "
                    "WHERE rolname = current_user"
                )
                self.assertEqual(cursor.fetchone(), (False, False, False, False))
        finally:
            with connection.cursor() as cursor:
                cursor.execute("DROP TABLE later_table")

    @pytest.mark.postgres_only
    def test_it_refuses_a_role_that_could_do_more(self) -> None:
        if connection.vendor != "postgresql":
            self.skipTest("roles and privileges are PostgreSQL's")
        with connection.cursor() as cursor:
            cursor.execute(f'CREATE ROLE "{self.role}" SUPERUSER')
        with self.assertRaisesMessage(CommandError, "is a superuser"):
            self.create_role()
        with connection.cursor() as cursor:
            cursor.execute(f'ALTER ROLE "{self.role}" NOSUPERUSER')
            cursor.execute("SELECT current_user")
            (owner,) = cursor.fetchone()
        with (
            self.assertRaisesMessage(CommandError, "the role running migrations"),
            mock.patch.dict("os.environ", {"APP_DATABASE_PASSWORD": self.password}),
        ):
            call_command("create_app_role", "--role", owner, stdout=StringIO())
        with (
            self.assertRaisesMessage(CommandError, "password of 16 or more"),
            mock.patch.dict("os.environ", {"APP_DATABASE_PASSWORD": "short"}),
        ):
            call_command("create_app_role", "--role", self.role, stdout=StringIO())

    def test_on_sqlite_it_says_it_needs_postgresql(self) -> None:
        if connection.vendor != "sqlite":
            self.skipTest("the embedded default's message")
        with self.assertRaisesMessage(CommandError, "create_app_role needs PostgreSQL"):
            self.create_role()
