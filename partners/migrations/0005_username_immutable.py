"""A username never changes once the account exists: audit entries name people by it, so a rename would
move someone's history to the new name. A trigger refuses any UPDATE that changes partners_user.username
(a rename is a new account). On SQLite, an operation that rebuilds partners_user drops the trigger: such a
migration must install it again (see TRIGGERS below)."""

from django.db import migrations

MESSAGE = "partners_user.username never changes once used: a rename is a new account"

POSTGRES_INSTALL = [
    f"""
    CREATE OR REPLACE FUNCTION partners_username_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF NEW.username IS DISTINCT FROM OLD.username THEN
        RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'integrity_constraint_violation';
      END IF;
      RETURN NEW;
    END $$;
    """,
    "CREATE TRIGGER partners_user_username_immutable BEFORE UPDATE OF username ON partners_user "
    "FOR EACH ROW EXECUTE FUNCTION partners_username_immutable();",
]
POSTGRES_REMOVE = [
    "DROP TRIGGER IF EXISTS partners_user_username_immutable ON partners_user;",
    "DROP FUNCTION IF EXISTS partners_username_immutable();",
]
SQLITE_INSTALL = [
    "CREATE TRIGGER partners_user_username_immutable BEFORE UPDATE OF username ON partners_user "
    f"WHEN NEW.username IS NOT OLD.username BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END;"
]
SQLITE_REMOVE = ["DROP TRIGGER IF EXISTS partners_user_username_immutable;"]


def install(apps, schema_editor):
    statements = POSTGRES_INSTALL if schema_editor.connection.vendor == "postgresql" else SQLITE_INSTALL
    for statement in statements:
        schema_editor.execute(statement, params=None)


def remove(apps, schema_editor):
    statements = POSTGRES_REMOVE if schema_editor.connection.vendor == "postgresql" else SQLITE_REMOVE
    for statement in statements:
        schema_editor.execute(statement, params=None)


class Migration(migrations.Migration):
    dependencies = [("partners", "0004_access_change_requests")]

    operations = [migrations.RunPython(install, remove)]
