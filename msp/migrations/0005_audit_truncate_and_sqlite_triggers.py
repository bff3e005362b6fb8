"""The database refuses to empty or rewrite the audit trail on both engines:
a TRUNCATE trigger on PostgreSQL (beside 0003's row triggers), and UPDATE and
DELETE triggers on SQLite. See msp/audit_guard.py."""

from django.db import migrations

from msp import audit_guard


def create(apps, schema_editor):
    audit_guard.create_triggers(schema_editor)


def drop(apps, schema_editor):
    audit_guard.drop_triggers(schema_editor)


class Migration(migrations.Migration):
    dependencies = [("msp", "0004_audit_refused_action")]

    operations = [migrations.RunPython(create, drop)]
