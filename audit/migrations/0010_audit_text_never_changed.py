"""A trigger that refuses UPDATE on the typed text kept beside the log; only the purge deletes from it."""

from django.db import migrations

from audit import triggers


def install(apps, schema_editor):
    for statement in triggers.text_install(schema_editor.connection.vendor):
        schema_editor.execute(statement, params=None)


def remove(apps, schema_editor):
    for statement in triggers.text_remove(schema_editor.connection.vendor):
        schema_editor.execute(statement, params=None)


class Migration(migrations.Migration):
    dependencies = [("audit", "0009_audit_text")]

    operations = [migrations.RunPython(install, remove)]
