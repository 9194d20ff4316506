"""System checks that read the live database: SQLite must really run in WAL with IMMEDIATE transactions."""

from django.core.checks import Error, Tags, register
from django.db import connections


def sqlite_settings_errors(alias: str = "default") -> list[Error]:
    connection = connections[alias]
    if connection.vendor != "sqlite":
        return []
    errors = []
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        journal_mode = cursor.fetchone()[0]
        cursor.execute("PRAGMA busy_timeout")
        busy_timeout_ms = cursor.fetchone()[0]
    in_memory = connection.is_in_memory_db()
    if not in_memory and journal_mode.lower() != "wal":
        errors.append(Error(f"SQLite journal_mode is {journal_mode!r}, expected 'wal'", id="core.E001"))
    if busy_timeout_ms <= 0:
        errors.append(Error("SQLite busy_timeout is 0: concurrent writers would fail at once", id="core.E002"))
    if getattr(connection, "transaction_mode", None) != "IMMEDIATE":
        errors.append(
            Error("SQLite transactions are not IMMEDIATE: two payments could read one balance", id="core.E003")
        )
    return errors


@register(Tags.database)
def check_sqlite_settings(app_configs=None, databases=None, **kwargs):
    errors = []
    for alias in databases or []:
        errors.extend(sqlite_settings_errors(alias))
    return errors
