"""Entries record the actor's username as it was (issue 14, finding 6): a rename no longer moves history.

The column is added with ALTER TABLE on both engines: Django's AddField with a default would rebuild the
table on SQLite and drop its append-only triggers. Existing entries keep an empty username (the audit
tables are never updated); the pages show those by the account's current name and say so."""

from django.db import migrations, models

ADD = "ALTER TABLE audit_auditentry ADD COLUMN actor_username varchar(150) NOT NULL DEFAULT ''"
DROP = "ALTER TABLE audit_auditentry DROP COLUMN actor_username"


class Migration(migrations.Migration):
    dependencies = [("audit", "0007_seal_covers_every_field")]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunSQL(ADD, DROP)],
            state_operations=[
                migrations.AddField(
                    model_name="auditentry",
                    name="actor_username",
                    field=models.CharField(blank=True, default="", max_length=150),
                ),
            ],
        ),
        migrations.AddIndex(
            model_name="auditentry",
            index=models.Index(fields=["actor_username", "timestamp"], name="audit_username_time"),
        ),
    ]
