"""Triggers that reject UPDATE, DELETE (and on PostgreSQL TRUNCATE) on the audit tables."""

from django.db import migrations

from audit import triggers


def install(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    statements = triggers.postgres_install() if vendor == "postgresql" else triggers.sqlite_install()
    for statement in statements:
        # params=None: psycopg would otherwise read the % in the RAISE message as a placeholder.
        schema_editor.execute(statement, params=None)


def remove(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    statements = triggers.postgres_remove() if vendor == "postgresql" else triggers.sqlite_remove()
    for statement in statements:
        schema_editor.execute(statement, params=None)


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_auditentry_actor_links")]

    operations = [migrations.RunPython(install, remove)]
