"""Trigram similarity for the duplicate-person check, on PostgreSQL only.

SQLite (development and CI) has no extensions: the operation does nothing
there and the check falls back to a simpler name match.

Also: a desired outcome's withdrawal reason, kept apart from its revision reason.
"""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations, models


class PostgresOnlyTrigramExtension(TrigramExtension):
    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)


class Migration(migrations.Migration):
    dependencies = [("enquiries", "0003_enquiry_status_before_closure_request")]

    operations = [
        PostgresOnlyTrigramExtension(),
        migrations.AddField(
            model_name="desiredoutcome",
            name="withdrawal_reason",
            field=models.CharField(blank=True, max_length=255),
        ),
    ]
