"""System checks that read the live database: SQLite must really run in WAL with IMMEDIATE transactions."""

import sqlite3

from django.core.checks import Error, Tags, register
from django.db import connections

# INSERT ... RETURNING (3.35) is in every posting, payment, SMS and USSD-session INSERT; upserts came in 3.24.
MIN_SQLITE_VERSION = (3, 35, 0)


def sqlite_library_version() -> tuple[int, ...]:
    """The SQLite library Django's connections run on: the one Python's sqlite3 module is linked with."""
    return sqlite3.sqlite_version_info


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
    in_memory = connection.is_in_memory_db()  # type: ignore[attr-defined]  # the SQLite wrapper's own
    if not in_memory and journal_mode.lower() != "wal":
        errors.append(Error(f"SQLite journal_mode is {journal_mode!r}, expected 'wal'", id="core.E001"))
    if busy_timeout_ms <= 0:
        errors.append(Error("SQLite busy_timeout is 0: concurrent writers would fail at once", id="core.E002"))
    if (version := sqlite_library_version()) < MIN_SQLITE_VERSION:
        errors.append(
            Error(
                f"SQLite {'.'.join(map(str, version))} is older than "
                f"{'.'.join(map(str, MIN_SQLITE_VERSION))}: the ledger's and the payment's statements need "
                "INSERT ... RETURNING and upserts",
                hint="Use a Python built with a newer SQLite, or PostgreSQL (DATABASE_URL).",
                id="core.E004",
            )
        )
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


MIN_PIN_HASH_KEY_LENGTH = 32


@register(Tags.security, deploy=True)
def check_production_secrets(app_configs=None, **kwargs):
    """`check --deploy`: what production must not run with."""
    from django.conf import settings

    errors = []
    if settings.DEMO_MODE and not settings.DEBUG:
        errors.append(
            Error(
                "DEMO_MODE is on in production: the phone simulator's inbox shows real PINs and one-time codes",
                hint="Unset DEMO_MODE (it is for `make run` and training rooms only).",
                id="elsom.E001",
            )
        )
    key = settings.PIN_HASH_KEYS.get(settings.PIN_HASH_KEY_ID, b"")
    if key == settings.SECRET_KEY.encode():
        errors.append(
            Error(
                "PIN_HASH_KEY equals SECRET_KEY: a leak of one must not give away the other",
                hint="Set PIN_HASH_KEY to its own random value (e.g. python -c 'import secrets; "
                "print(secrets.token_urlsafe(48))').",
                id="elsom.E002",
            )
        )
    elif len(key) < MIN_PIN_HASH_KEY_LENGTH:
        errors.append(
            Error(
                f"PIN_HASH_KEY is shorter than {MIN_PIN_HASH_KEY_LENGTH} characters: it is all that protects "
                "4-digit PINs in a stolen database",
                id="elsom.E003",
            )
        )
    return errors


@register()
def check_provider_adapters(app_configs=None, **kwargs):
    """PROVIDER_ADAPTERS comes from the environment: a wrong path must stop start-up, not fail the first payment."""
    from django.conf import settings
    from django.utils.module_loading import import_string

    errors = []
    for code, path in settings.PROVIDER_ADAPTERS.items():
        try:
            import_string(path)
        except ImportError as exc:
            errors.append(Error(f"PROVIDER_ADAPTERS[{code!r}] = {path!r} cannot be imported: {exc}", id="elsom.E004"))
    return errors
