"""Database triggers that make the audit tables append-only (installed by migration 0003), and refuse
changes to the typed text kept beside them (migration 0010).

PostgreSQL rejects UPDATE, DELETE and TRUNCATE; SQLite rejects UPDATE and DELETE. The only bypass is
for the test suite's flush between transactional tests: on PostgreSQL a session setting honoured only
in databases named test_*, on SQLite a flag in this module that only the test fixture sets. In
production the real control is privileges: the app's role gets SELECT and INSERT on these tables only.
"""

from __future__ import annotations

from typing import Any

TABLES = ("audit_auditentry", "audit_seal")
# Typed text kept beside the log (audit.AuditText) is never changed, but the purge deletes it: UPDATE only
# (installed by migration 0010).
TEXT_TABLE = "audit_audittext"

# Set only by the test suite's fixture around pytest-django's flush (tests/conftest.py).
PURGE_ALLOWED = False

POSTGRES_FUNCTION = r"""
CREATE OR REPLACE FUNCTION audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF current_database() LIKE 'test\_%' AND coalesce(current_setting('audit.allow_purge', true), '') = 'on' THEN
    RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
  END IF;
  RAISE EXCEPTION 'audit table % is append-only (% refused)', TG_TABLE_NAME, TG_OP
    USING ERRCODE = 'insufficient_privilege';
END $$;
"""


def postgres_install() -> list[str]:
    statements = [POSTGRES_FUNCTION]
    for table in TABLES:
        statements += [
            f"CREATE TRIGGER {table}_no_update_delete BEFORE UPDATE OR DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION audit_append_only();",
            f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only();",
        ]
    return statements


def postgres_remove() -> list[str]:
    statements = []
    for table in TABLES:
        statements += [
            f"DROP TRIGGER IF EXISTS {table}_no_update_delete ON {table};",
            f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table};",
        ]
    return [*statements, "DROP FUNCTION IF EXISTS audit_append_only();"]


def sqlite_install() -> list[str]:
    statements = []
    for table in TABLES:
        for operation in ("UPDATE", "DELETE"):
            statements.append(
                f"CREATE TRIGGER {table}_no_{operation.lower()} BEFORE {operation} ON {table} "
                f"WHEN NOT audit_purge_allowed() "
                f"BEGIN SELECT RAISE(ABORT, '{table} is append-only ({operation} refused)'); END;"
            )
    return statements


def sqlite_remove() -> list[str]:
    return [f"DROP TRIGGER IF EXISTS {t}_no_{op} ;" for t in TABLES for op in ("update", "delete")]


def register_sqlite_functions(sender: Any, connection: Any, **kwargs: Any) -> None:
    """Every SQLite connection needs audit_purge_allowed(); without it the triggers fail closed."""
    if connection.vendor == "sqlite":
        connection.connection.create_function(
            "audit_purge_allowed", 0, lambda: 1 if PURGE_ALLOWED else 0, deterministic=False
        )


def text_install(vendor: str) -> list[str]:
    """Refuse UPDATE on the kept texts (the purge's DELETE stays allowed)."""
    if vendor == "postgresql":
        return [
            POSTGRES_FUNCTION,
            f"CREATE TRIGGER {TEXT_TABLE}_no_update BEFORE UPDATE ON {TEXT_TABLE} "
            f"FOR EACH ROW EXECUTE FUNCTION audit_append_only();",
        ]
    return [
        f"CREATE TRIGGER {TEXT_TABLE}_no_update BEFORE UPDATE ON {TEXT_TABLE} WHEN NOT audit_purge_allowed() "
        f"BEGIN SELECT RAISE(ABORT, '{TEXT_TABLE} is never changed (UPDATE refused)'); END;"
    ]


def text_remove(vendor: str) -> list[str]:
    on = f" ON {TEXT_TABLE}" if vendor == "postgresql" else ""
    return [f"DROP TRIGGER IF EXISTS {TEXT_TABLE}_no_update{on};"]
