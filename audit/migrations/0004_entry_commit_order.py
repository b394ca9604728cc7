"""PostgreSQL: each entry records the id of the transaction that wrote it, so the sealer can chain
entries in commit order without a lock on every insert (see audit/sealing.py)."""

from django.db import migrations


def install(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return  # SQLite has one writer at a time: id order is commit order.
    schema_editor.execute(
        "ALTER TABLE audit_auditentry ADD COLUMN txid xid8 NOT NULL DEFAULT pg_current_xact_id()", params=None
    )
    schema_editor.execute("CREATE INDEX audit_auditentry_txid_id ON audit_auditentry (txid, id)", params=None)


def remove(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX IF EXISTS audit_auditentry_txid_id", params=None)
    schema_editor.execute("ALTER TABLE audit_auditentry DROP COLUMN IF EXISTS txid", params=None)


class Migration(migrations.Migration):
    dependencies = [("audit", "0003_append_only_triggers")]

    operations = [migrations.RunPython(install, remove)]
