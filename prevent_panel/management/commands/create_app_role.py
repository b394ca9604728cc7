"""Create or update the limited PostgreSQL role the application runs as (issue 14, finding 13).

Migrations run as the database owner; the web server, the Celery worker and beat connect as this role.
It may read and write the application's tables, but on the append-only audit tables (audit.triggers.TABLES)
it has SELECT and INSERT only: no UPDATE, DELETE or TRUNCATE, and since it owns nothing it cannot ALTER
a table to disable the triggers, replace the trigger function or create objects of its own. Privileges
are reset and granted again on every run, so running it after every `migrate` (as deploys do) is
idempotent and narrows any table a later migration added.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from psycopg import sql

from audit.triggers import TABLES as APPEND_ONLY_TABLES

# Read-only for the app: only migrations (as the owner) write here.
READ_ONLY_TABLES = ("django_migrations",)
# Typed text kept beside the sealed log: added and, by the retention purge, erased; never changed.
NEVER_CHANGED_TABLES = ("audit_audittext",)
ROLE_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")
PASSWORD_VARIABLE = "APP_DATABASE_PASSWORD"  # noqa: S105 (the variable's name)


class Command(BaseCommand):
    help = (
        "Create or update the PostgreSQL role the app runs as: SELECT, INSERT, UPDATE, DELETE on the app's "
        "tables, but only SELECT and INSERT on the audit tables, and ownership of nothing. Run it as the "
        "database owner after every migrate. The password comes from --password-file or APP_DATABASE_PASSWORD."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--role", default="prevent_panel_app", help="The role's name (default prevent_panel_app).")
        parser.add_argument(
            "--password-file", type=Path, help=f"A file holding the password (else {PASSWORD_VARIABLE})."
        )
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS, help="The Django database alias.")

    def handle(self, *args: Any, **options: Any) -> None:
        connection = connections[options["database"]]
        if connection.vendor != "postgresql":
            raise CommandError(
                "create_app_role needs PostgreSQL: the embedded SQLite database has no roles or privileges. "
                "There, the append-only triggers are the only guard of the audit tables."
            )
        role = options["role"]
        if not ROLE_NAME.match(role):
            raise CommandError("The role name must be lower-case letters, digits and underscores.")
        password = read_password(options["password_file"])
        with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
            cursor.execute("SELECT current_user, current_database(), current_schema()")
            owner, database, schema = cursor.fetchone()
            if role == owner:
                raise CommandError(f"{role} is the role running migrations; the app needs a role of its own.")
            refuse_a_powerful_role(cursor, role=role, owner=owner, schema=schema)
            statements = role_statements(
                cursor, role=role, password=password, owner=owner, database=database, schema=schema
            )
            for statement in statements:
                cursor.execute(statement.as_string(connection.connection))
        self.stdout.write(
            f"Role {role} may connect to {database} and use {schema}: read and write the app's tables, "
            f"only read and add to {', '.join(APPEND_ONLY_TABLES)}."
        )


def read_password(path: Path | None) -> str:
    if path is not None:
        try:
            password = path.read_text().strip()
        except OSError as error:
            raise CommandError(f"Cannot read the password file {path}: {error.strerror}.") from error
    else:
        password = os.environ.get(PASSWORD_VARIABLE, "")
    if len(password) < 16:
        raise CommandError(
            f"Give the role a password of 16 or more characters (--password-file or {PASSWORD_VARIABLE})."
        )
    return password


def refuse_a_powerful_role(cursor: Any, *, role: str, owner: str, schema: str) -> None:
    """An existing role of this name must not be able to do more than the grants below give it."""
    cursor.execute(
        "SELECT rolsuper OR rolbypassrls OR rolreplication, pg_has_role(%s, %s, 'MEMBER') "
        "FROM pg_roles WHERE rolname = %s",
        [role, owner, role],
    )
    found = cursor.fetchone()
    if found is None:
        return
    superuser, member_of_owner = found
    if superuser:
        raise CommandError(f"{role} is a superuser (or bypasses row security, or replicates); choose another name.")
    if member_of_owner:
        raise CommandError(f"{role} is a member of {owner}, so it could act as the owner; choose another name.")
    cursor.execute(
        "SELECT count(*) FROM pg_class WHERE relowner = (SELECT oid FROM pg_roles WHERE rolname = %s) "
        "AND relnamespace = %s::regnamespace",
        [role, schema],
    )
    if cursor.fetchone()[0]:
        raise CommandError(f"{role} owns tables in {schema}, so it could alter them; choose another name.")


def role_statements(
    cursor: Any, *, role: str, password: str, owner: str, database: str, schema: str
) -> list[sql.Composed]:
    who, where = sql.Identifier(role), sql.Identifier(schema)
    cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role])
    verb = sql.SQL("ALTER") if cursor.fetchone() else sql.SQL("CREATE")
    cursor.execute(
        "SELECT tablename FROM pg_tables WHERE schemaname = %s AND tablename = ANY(%s)",
        [schema, [*APPEND_ONLY_TABLES, *READ_ONLY_TABLES, *NEVER_CHANGED_TABLES]],
    )
    present = {name for (name,) in cursor.fetchall()}
    append_only = [sql.Identifier(schema, t) for t in APPEND_ONLY_TABLES if t in present]
    read_only = [sql.Identifier(schema, t) for t in READ_ONLY_TABLES if t in present]
    never_changed = [sql.Identifier(schema, t) for t in NEVER_CHANGED_TABLES if t in present]
    statements = [
        sql.SQL(
            "{} ROLE {} WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS NOINHERIT "
            "CONNECTION LIMIT -1 PASSWORD {}"
        ).format(verb, who, sql.Literal(password)),
        sql.SQL("GRANT CONNECT ON DATABASE {} TO {}").format(sql.Identifier(database), who),
        sql.SQL("GRANT USAGE ON SCHEMA {} TO {}").format(where, who),
        # Only the owner creates objects in the schema (PostgreSQL 15's default; older servers let anyone).
        sql.SQL("REVOKE CREATE ON SCHEMA {} FROM PUBLIC, {}").format(where, who),
        # Start again from nothing, so a run after a migration narrows what an earlier grant left wide.
        sql.SQL("REVOKE ALL ON ALL TABLES IN SCHEMA {} FROM {}").format(where, who),
        sql.SQL("REVOKE ALL ON ALL SEQUENCES IN SCHEMA {} FROM {}").format(where, who),
        sql.SQL("GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {} TO {}").format(where, who),
        # nextval() for inserts; not UPDATE, which would allow setval().
        sql.SQL("GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {} TO {}").format(where, who),
    ]
    if append_only:
        statements.append(sql.SQL("REVOKE UPDATE, DELETE ON {} FROM {}").format(sql.SQL(", ").join(append_only), who))
    if never_changed:
        statements.append(sql.SQL("REVOKE UPDATE ON {} FROM {}").format(sql.SQL(", ").join(never_changed), who))
    if read_only:
        statements.append(
            sql.SQL("REVOKE INSERT, UPDATE, DELETE ON {} FROM {}").format(sql.SQL(", ").join(read_only), who)
        )
    # Tables a later migration creates work at once; the next run (after that migrate) narrows them.
    for grant in (sql.SQL("SELECT, INSERT, UPDATE, DELETE ON TABLES"), sql.SQL("USAGE, SELECT ON SEQUENCES")):
        statements.append(
            sql.SQL("ALTER DEFAULT PRIVILEGES FOR ROLE {} IN SCHEMA {} GRANT {} TO {}").format(
                sql.Identifier(owner), where, grant, who
            )
        )
    return statements
