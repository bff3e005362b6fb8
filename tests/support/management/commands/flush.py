"""Django's ``flush``, for the test suite only: it lifts the audit trail's
database guard for the test database while emptying it, then puts it back.

Transactional tests end with ``flush``, which empties every table (TRUNCATE
on PostgreSQL, DELETE on SQLite); the audit table's triggers rightly refuse
that anywhere else (msp/audit_guard.py). Installed by tests/settings.py.
"""

from django.core.management.commands import flush
from django.db import DEFAULT_DB_ALIAS, connections

from msp import audit_guard


class Command(flush.Command):
    def handle(self, **options):
        connection = connections[options.get("database") or DEFAULT_DB_ALIAS]
        table = audit_guard.TABLE
        if table not in connection.introspection.table_names():
            return super().handle(**options)
        if connection.vendor == "postgresql":
            # Inside a test's transaction (a round trip "into an empty
            # database"), rows written earlier still have their deferred
            # foreign-key checks pending, and PostgreSQL will not alter a
            # table with pending trigger events: run those checks now, and
            # defer them again afterwards.
            inside = connection.in_atomic_block
            with connection.cursor() as cursor:
                if inside:
                    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
            try:
                return super().handle(**options)
            finally:
                with connection.cursor() as cursor:
                    cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER USER")
                    if inside:
                        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        with connection.cursor() as cursor:
            for sql in audit_guard.drop_sql(connection.vendor):
                cursor.execute(sql)
        try:
            return super().handle(**options)
        finally:
            with connection.cursor() as cursor:
                for sql in audit_guard.create_sql(connection.vendor):
                    cursor.execute(sql)
