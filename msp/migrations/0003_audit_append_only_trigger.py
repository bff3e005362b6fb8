"""On PostgreSQL, the database itself refuses UPDATE and DELETE on the audit
trail, so not even raw SQL or a bulk ORM call can rewrite history.

SQLite gets its own triggers in 0005 (msp/audit_guard.py), with a
TRUNCATE trigger for PostgreSQL.
"""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION msp_auditevent_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'msp_auditevent is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;

DROP TRIGGER IF EXISTS msp_auditevent_append_only ON msp_auditevent;
CREATE TRIGGER msp_auditevent_append_only
    BEFORE UPDATE OR DELETE ON msp_auditevent
    FOR EACH ROW EXECUTE FUNCTION msp_auditevent_append_only();
"""

DROP = """
DROP TRIGGER IF EXISTS msp_auditevent_append_only ON msp_auditevent;
DROP FUNCTION IF EXISTS msp_auditevent_append_only();
"""


def create_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def drop_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("msp", "0002_roles")]

    operations = [migrations.RunPython(create_trigger, drop_trigger)]
