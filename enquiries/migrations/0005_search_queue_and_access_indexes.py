# Indexes for the person search (trigram), the work queues and the access
# check on restricted people.

import django.contrib.postgres.indexes
import django.db.models.functions.text
from django.conf import settings
from django.db import migrations, models


class PostgresOnlyAddIndex(migrations.AddIndex):
    """A trigram (GIN) index exists only on PostgreSQL; elsewhere the name
    search scans the table, which is fine at development sizes."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)


class Migration(migrations.Migration):
    dependencies = [
        ("enquiries", "0004_pg_trigram_extension"),
        ("msp", "0003_audit_append_only_trigger"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddIndex(
            model_name="concern",
            index=models.Index(
                condition=models.Q(
                    ("status__in", ["received", "information_gathering"])
                ),
                fields=["team", "received_on", "id"],
                name="enq_concern_undecided",
            ),
        ),
        migrations.AddIndex(
            model_name="enquiry",
            index=models.Index(
                condition=models.Q(("status", "closed"), _negated=True),
                fields=["team", "-started_on", "-id"],
                name="enq_enquiry_open_team",
            ),
        ),
        migrations.AddIndex(
            model_name="enquiry",
            index=models.Index(
                condition=models.Q(("status", "closed"), _negated=True),
                fields=["allocated_to", "-started_on", "-id"],
                name="enq_enquiry_open_worker",
            ),
        ),
        migrations.AddIndex(
            model_name="person",
            index=models.Index(
                condition=models.Q(("is_restricted", True)),
                fields=["id"],
                name="enq_person_restricted",
            ),
        ),
        PostgresOnlyAddIndex(
            model_name="person",
            index=django.contrib.postgres.indexes.GinIndex(
                django.contrib.postgres.indexes.OpClass(
                    django.db.models.functions.text.Upper("given_name"),
                    name="gin_trgm_ops",
                ),
                django.contrib.postgres.indexes.OpClass(
                    django.db.models.functions.text.Upper("family_name"),
                    name="gin_trgm_ops",
                ),
                django.contrib.postgres.indexes.OpClass(
                    django.db.models.functions.text.Upper("preferred_name"),
                    name="gin_trgm_ops",
                ),
                name="enq_person_name_trgm",
            ),
        ),
    ]
