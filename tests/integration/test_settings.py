"""Settings: the SQLite safety check, production settings from the environment and the env helpers.

Settings are module-level code run once per process, so the environment-dependent cases run in a fresh
Python process each (a copy of this environment without the variables the settings read)."""

import json
import os
import secrets
import string
import subprocess
import sys

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, connections
from django.db.backends.sqlite3.base import DatabaseWrapper

import core.checks
from core.checks import sqlite_settings_errors
from elsom_portal.env import env_bool, env_int, env_list, env_mapping

PROJECT_DIR = settings.BASE_DIR
SETTINGS_VARIABLES = (
    "DJANGO_SETTINGS_MODULE",
    "DEBUG",
    "DEMO_MODE",
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "CSRF_TRUSTED_ORIGINS",
    "DATABASE_URL",
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
    "SMS_BACKEND",
    "LOG_LEVEL",
    "PIN_HASH_KEY",
    "PIN_HASH_KEY_ID",
    "PIN_HASH_OLD_KEYS",
    "CACHE_URL",
    "SQLITE_SYNCHRONOUS",
    "TRUSTED_PROXY_COUNT",
    "USSD_GATEWAY_SECRET",
    "USSD_GATEWAY_ALLOWED_NETWORKS",
)
SUBPROCESS_TIMEOUT_SECONDS = 120


def clean_env(**variables: str) -> dict[str, str]:
    """This process's environment without anything the settings read (the test settings set DEBUG and
    DEMO_MODE in os.environ), plus `variables`."""
    env = {key: value for key, value in os.environ.items() if key not in SETTINGS_VARIABLES}
    env.update(variables)
    return env


def python(*args: str, **variables: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, *args],
        cwd=PROJECT_DIR,
        env=clean_env(**variables),
        capture_output=True,
        text=True,
        timeout=SUBPROCESS_TIMEOUT_SECONDS,
    )


def production_env(tmp_path) -> dict[str, str]:
    alphabet = string.ascii_letters + string.digits + "!@#%^&*(-_=+)"
    return {
        "DEBUG": "0",
        "DEMO_MODE": "0",  # manage.py would take DEMO_MODE=1 from the development .env otherwise
        "SECRET_KEY": "".join(secrets.choice(alphabet) for _ in range(60)),
        "PIN_HASH_KEY": secrets.token_urlsafe(48),
        "ALLOWED_HOSTS": "elsom.example.kg",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'prod.sqlite3'}",
    }


def print_databases(**variables: str) -> dict:
    result = python(
        "-c",
        "import json; from elsom_portal import settings; print(json.dumps(settings.DATABASES['default']))",
        **variables,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


# --- the SQLite check ---------------------------------------------------------------------------------------------


@pytest.fixture
def scratch_sqlite(tmp_path, monkeypatch, django_db_blocker):
    """Open a SQLite database on a temporary file with the given OPTIONS as connection alias 'scratch', the
    way Django would from settings.DATABASES, and point the check at it."""
    opened = []

    def make(options: dict) -> str:
        # configure_settings fills in every key Django's defaults add (it insists on a 'default' alias).
        config = connections.configure_settings(
            {
                "default": {
                    "ENGINE": "django.db.backends.sqlite3",
                    "NAME": str(tmp_path / "scratch.sqlite3"),
                    "OPTIONS": options,
                }
            }
        )["default"]
        wrapper = DatabaseWrapper(config, alias="scratch")
        opened.append(wrapper)
        monkeypatch.setattr(core.checks, "connections", {"scratch": wrapper})
        return "scratch"

    with django_db_blocker.unblock():
        yield make
        for wrapper in opened:
            wrapper.close()


def error_ids(errors) -> set[str]:
    return {error.id for error in errors}


@pytest.mark.django_db
def test_sqlite_check_passes_for_the_test_database():
    """The test database runs as production does: WAL, a busy timeout and IMMEDIATE transactions."""
    # given
    if connection.vendor != "sqlite":
        pytest.skip(f"the default database is {connection.vendor}, not SQLite")

    # when
    errors = sqlite_settings_errors()

    # then
    assert errors == []
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        assert cursor.fetchone()[0].lower() == "wal"
        cursor.execute("PRAGMA busy_timeout")
        assert cursor.fetchone()[0] == settings.SQLITE_BUSY_TIMEOUT_SECONDS * 1000
    assert connection.transaction_mode == "IMMEDIATE"


def test_sqlite_check_passes_for_the_project_options(scratch_sqlite):
    """The OPTIONS settings.py gives SQLite, applied to a fresh file, satisfy the check (on any test backend)."""
    # given
    alias = scratch_sqlite(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": settings.SQLITE_BUSY_TIMEOUT_SECONDS,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )

    # when
    errors = sqlite_settings_errors(alias)

    # then
    assert errors == []


def test_sqlite_check_reports_rollback_journal_and_deferred_transactions(scratch_sqlite):
    """A SQLite file opened with Django's defaults (journal_mode=delete, DEFERRED) fails the check twice."""
    # given
    alias = scratch_sqlite({})

    # when
    errors = sqlite_settings_errors(alias)

    # then
    assert error_ids(errors) == {"core.E001", "core.E003"}
    assert "journal_mode is 'delete', expected 'wal'" in next(e.msg for e in errors if e.id == "core.E001")


def test_sqlite_check_reports_a_journal_mode_switched_back(scratch_sqlite):
    """Even with the project options, a connection whose journal was switched back from WAL is reported."""
    # given
    alias = scratch_sqlite({"transaction_mode": "IMMEDIATE", "timeout": 30})
    wrapper = core.checks.connections[alias]
    with wrapper.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA journal_mode=TRUNCATE")

    # when
    errors = sqlite_settings_errors(alias)

    # then
    assert error_ids(errors) == {"core.E001"}
    assert "'truncate'" in errors[0].msg


def test_sqlite_check_reports_a_zero_busy_timeout(scratch_sqlite):
    """Without a busy timeout a second writer fails at once instead of waiting its turn."""
    # given
    alias = scratch_sqlite({"transaction_mode": "IMMEDIATE", "timeout": 0, "init_command": "PRAGMA journal_mode=WAL;"})

    # when
    errors = sqlite_settings_errors(alias)

    # then
    assert error_ids(errors) == {"core.E002"}


def test_sqlite_check_is_registered_as_a_database_check(scratch_sqlite):
    """`manage.py check --database` runs the SQLite check for each database it is given."""
    # given
    alias = scratch_sqlite({})

    # when
    errors = core.checks.check_sqlite_settings(databases=[alias])

    # then
    assert error_ids(errors) == {"core.E001", "core.E003"}
    assert core.checks.check_sqlite_settings(databases=None) == []


# --- settings from the environment ------------------------------------------------------------------------------


def test_settings_refuse_to_load_without_secret_key_when_debug_is_unset():
    """DEBUG defaults to off, and then a missing SECRET_KEY stops the process at import."""
    # when
    result = python("-c", "import elsom_portal.settings")

    # then
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "SECRET_KEY must be set" in result.stderr


def test_settings_refuse_an_unclear_debug_value():
    """DEBUG=maybe is an error at start-up, not a silent False or True."""
    # when
    result = python("-c", "import elsom_portal.settings", DEBUG="maybe", SECRET_KEY="x" * 60)

    # then
    assert result.returncode != 0
    assert "DEBUG must be one of" in result.stderr and "'maybe'" in result.stderr


def test_deploy_check_passes_with_production_environment(tmp_path):
    """With DEBUG off, a long random SECRET_KEY and a real host name, `check --deploy` has nothing to say,
    not even a warning."""
    # when
    result = python("manage.py", "check", "--deploy", "--fail-level", "WARNING", **production_env(tmp_path))

    # then
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout
    assert "WARNING" not in result.stdout + result.stderr
    assert "?:" not in result.stdout + result.stderr


def test_deploy_check_with_database_checks_passes_on_a_fresh_sqlite_file(tmp_path):
    """The database checks (the project's SQLite check among them) pass for a new production SQLite file:
    settings.py turns on WAL, the busy timeout and IMMEDIATE transactions by itself."""
    # when
    result = python(
        "manage.py", "check", "--deploy", "--database", "default", "--fail-level", "WARNING", **production_env(tmp_path)
    )

    # then
    assert result.returncode == 0, result.stdout + result.stderr
    assert "core.E00" not in result.stdout + result.stderr


def test_deploy_check_warns_when_debug_is_on(tmp_path):
    """The deploy check does speak up: DEBUG=1 in production is reported (security.W018)."""
    # given
    env = production_env(tmp_path) | {"DEBUG": "1"}

    # when
    result = python("manage.py", "check", "--deploy", "--fail-level", "WARNING", **env)

    # then
    assert result.returncode != 0
    assert "security.W018" in result.stdout + result.stderr


def test_production_settings_turn_on_https_protections():
    """With DEBUG off: secure cookies, HTTPS redirect, a year of HSTS and manifest static files."""
    # when
    result = python(
        "-c",
        "import json; from elsom_portal import settings as s; print(json.dumps([s.DEBUG, s.SESSION_COOKIE_SECURE, "
        "s.CSRF_COOKIE_SECURE, s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS, s.ALLOWED_HOSTS, "
        "s.STORAGES['staticfiles']['BACKEND']]))",
        DEBUG="0",
        SECRET_KEY="k" * 60,
        PIN_HASH_KEY="p" * 48,
        ALLOWED_HOSTS="elsom.example.kg, www.elsom.example.kg",
    )

    # then
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == [
        False,
        True,
        True,
        True,
        31536000,
        ["elsom.example.kg", "www.elsom.example.kg"],
        "whitenoise.storage.CompressedManifestStaticFilesStorage",
    ]


def test_production_refuses_to_start_without_a_pin_hash_key():
    """The PIN key is not optional in production: without it the settings do not load at all."""
    result = python("-c", "import elsom_portal.settings", DEBUG="0", SECRET_KEY="k" * 60)
    assert result.returncode != 0 and "PIN_HASH_KEY must be set" in result.stderr


@pytest.mark.parametrize(
    ("change", "error"),
    [
        ({"DEMO_MODE": "1"}, "elsom.E001"),
        ({"PIN_HASH_KEY": "same-as-secret"}, "elsom.E002"),
        ({"PIN_HASH_KEY": "short"}, "elsom.E003"),
    ],
)
def test_deploy_check_refuses_demo_mode_and_weak_pin_keys(tmp_path, change, error):
    env = production_env(tmp_path) | change
    if change.get("PIN_HASH_KEY") == "same-as-secret":
        env["PIN_HASH_KEY"] = env["SECRET_KEY"]
    result = python("manage.py", "check", "--deploy", **env)
    assert result.returncode != 0 and error in result.stdout + result.stderr


def test_production_cookies_carry_the_host_prefix():
    """__Host-: sent over HTTPS only, for this host and path / (ASVS 3.3.1); development keeps Django's names."""
    code = (
        "import json; from elsom_portal import settings as s; "
        "print(json.dumps([s.SESSION_COOKIE_NAME, s.CSRF_COOKIE_NAME]))"
    )
    result = python("-c", code, DEBUG="0", SECRET_KEY="k" * 60, PIN_HASH_KEY="p" * 48)
    assert json.loads(result.stdout) == ["__Host-sessionid", "__Host-csrftoken"], result.stderr
    result = python("-c", code, DEBUG="1")
    assert json.loads(result.stdout) == ["sessionid", "csrftoken"], result.stderr


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        ({"USSD_GATEWAY_ALLOWED_NETWORKS": "10.0.0.0/8, not-a-network"}, "'not-a-network' is not a network"),
        ({"SQLITE_SYNCHRONOUS": "OFF"}, "SQLITE_SYNCHRONOUS must be one of"),
        ({"CACHE_URL": "memcached://x"}, "CACHE_URL must be"),
        ({"PIN_HASH_OLD_KEYS": "no-separator"}, "PIN_HASH_OLD_KEYS: each entry is 'id:secret'"),
    ],
)
def test_bad_settings_stop_the_start_not_every_request(variables, message):
    result = python("-c", "import elsom_portal.settings", DEBUG="1", **variables)
    assert result.returncode != 0 and message in result.stderr


def test_sqlite_is_fully_synchronous_unless_relaxed_for_a_benchmark(tmp_path):
    """A payment acknowledged to the holder survives a power loss: synchronous=FULL by default."""
    url = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    assert "synchronous=FULL" in print_databases(DEBUG="1", DATABASE_URL=url)["OPTIONS"]["init_command"]
    relaxed = print_databases(DEBUG="1", DATABASE_URL=url, SQLITE_SYNCHRONOUS="normal")
    assert "synchronous=NORMAL" in relaxed["OPTIONS"]["init_command"]


def test_cache_url_selects_redis():
    code = "import json; from elsom_portal import settings as s; print(json.dumps(s.CACHES['default']))"
    result = python("-c", code, DEBUG="1", CACHE_URL="redis://127.0.0.1:6379/3")
    cache = json.loads(result.stdout)
    assert cache == {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:6379/3"}


def test_postgresql_settings_use_a_connection_pool():
    """With DATABASE_URL on PostgreSQL, connections come from a pool (and go back to it when closed)."""
    # when
    database = print_databases(DEBUG="1", DATABASE_URL="postgres://elsom:secret@db.example.kg:5432/elsom")

    # then
    assert database["ENGINE"] == "core.db.postgresql"  # Django's, pool filled before its first use
    assert (database["HOST"], database["PORT"], database["NAME"], database["USER"]) == (
        "db.example.kg",
        5432,
        "elsom",
        "elsom",
    )
    assert database["CONN_MAX_AGE"] == 0  # Django's rule with a pool
    assert database["OPTIONS"]["pool"]["max_size"] >= database["OPTIONS"]["pool"]["min_size"] > 0
    assert "transaction_mode" not in database.get("OPTIONS", {})


def test_sqlite_settings_keep_connections_and_set_the_safety_options(tmp_path):
    """SQLite connections are kept (reopening costs the PRAGMAs and a WAL checkpoint) and get WAL, a busy timeout
    and IMMEDIATE."""
    # when
    database = print_databases(DEBUG="1", DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}")

    # then
    assert database["ENGINE"] == "django.db.backends.sqlite3"
    assert database["NAME"] == str(tmp_path / "db.sqlite3")
    assert database["CONN_MAX_AGE"] > 0 and database["CONN_HEALTH_CHECKS"] is True
    assert database["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    assert database["OPTIONS"]["timeout"] > 0
    assert "journal_mode=WAL" in database["OPTIONS"]["init_command"]


# --- env helpers --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("raw", ["maybe", "2", "ja", "tru e", "enabled"])
def test_env_bool_rejects_unclear_values(monkeypatch, raw):
    """A value that is neither a yes-word nor a no-word is an ImproperlyConfigured naming the variable."""
    # given
    monkeypatch.setenv("ELSOM_TEST_FLAG", raw)

    # when
    with pytest.raises(ImproperlyConfigured) as excinfo:
        env_bool("ELSOM_TEST_FLAG", True)

    # then
    assert "ELSOM_TEST_FLAG" in str(excinfo.value) and repr(raw) in str(excinfo.value)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1", True),
        ("true", True),
        (" Yes ", True),
        ("ON", True),
        ("0", False),
        ("false", False),
        ("No", False),
        ("off", False),
        ("", False),
    ],
)
def test_env_bool_reads_the_usual_words(monkeypatch, raw, expected):
    """The usual spellings of yes and no, in any case and with spaces around."""
    monkeypatch.setenv("ELSOM_TEST_FLAG", raw)
    assert env_bool("ELSOM_TEST_FLAG", not expected) is expected


@pytest.mark.parametrize("default", [True, False])
def test_env_bool_falls_back_to_the_default_when_unset(monkeypatch, default):
    """An unset variable gives the default."""
    monkeypatch.delenv("ELSOM_TEST_FLAG", raising=False)
    assert env_bool("ELSOM_TEST_FLAG", default) is default


def test_env_int_and_env_list(monkeypatch):
    """Whole numbers are parsed or refused; lists are split on commas with blanks dropped."""
    monkeypatch.setenv("ELSOM_TEST_INT", "3600")
    monkeypatch.setenv("ELSOM_TEST_LIST", " a.kg, ,b.kg ,")
    assert env_int("ELSOM_TEST_INT", 0) == 3600
    assert env_list("ELSOM_TEST_LIST", []) == ["a.kg", "b.kg"]
    monkeypatch.setenv("ELSOM_TEST_INT", "1h")
    with pytest.raises(ImproperlyConfigured, match="ELSOM_TEST_INT must be a whole number"):
        env_int("ELSOM_TEST_INT", 0)


PRODUCTION_REQUEST = """
import django, json
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
from django.test import Client, override_settings
client = Client()
# Manifest static files need collectstatic; the headers are the same with plain storage.
plain = {"staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
         "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"}}
with override_settings(STORAGES=plain):
    entry = client.get("/", secure=True, HTTP_HOST="elsom.example.kg")
print(json.dumps({
    "status": entry.status_code,
    "cache": entry.get("Cache-Control", ""),
    "cookies": {name: {"secure": bool(c["secure"]), "path": c["path"], "domain": c["domain"],
                       "httponly": bool(c["httponly"]), "samesite": c["samesite"]}
                for name, c in entry.cookies.items()},
    "hsts": entry.get("Strict-Transport-Security", ""),
    "frame": entry.get("X-Frame-Options", ""),
    "csp": entry.get("Content-Security-Policy", ""),
    "redirect": Client().get("/", HTTP_HOST="elsom.example.kg").status_code,
}))
"""


def test_production_pages_set_host_prefixed_secure_cookies_and_no_store(tmp_path):
    """A real request under production settings: __Host-csrftoken, Secure, path /, no domain; no-store; HSTS;
    plain HTTP is redirected."""
    env = production_env(tmp_path) | {"DJANGO_SETTINGS_MODULE": "elsom_portal.settings"}
    result = python("-c", PRODUCTION_REQUEST, **env)
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout.strip().splitlines()[-1])
    assert answer["status"] == 200 and "no-store" in answer["cache"]
    csrf = answer["cookies"]["__Host-csrftoken"]
    assert csrf["secure"] and csrf["path"] == "/" and csrf["domain"] == "" and csrf["samesite"] == "Lax"
    assert "max-age=31536000" in answer["hsts"] and answer["frame"] == "DENY"
    assert "script-src 'self'" in answer["csp"]
    assert answer["redirect"] == 301


def test_provider_adapters_from_the_environment_are_parsed_and_checked(monkeypatch, settings):
    monkeypatch.setenv("PROVIDER_ADAPTERS", "dostek=services.providers.AcceptAllProvider, other = a.b")
    assert env_mapping("PROVIDER_ADAPTERS") == {"dostek": "services.providers.AcceptAllProvider", "other": "a.b"}
    monkeypatch.setenv("PROVIDER_ADAPTERS", "dostek")
    with pytest.raises(ImproperlyConfigured, match="key=value"):
        env_mapping("PROVIDER_ADAPTERS")
    settings.PROVIDER_ADAPTERS = {"dostek": "services.providers.NoSuchProvider"}
    assert error_ids(core.checks.check_provider_adapters()) == {"elsom.E004"}
    settings.PROVIDER_ADAPTERS = {"dostek": "services.providers.AcceptAllProvider"}
    assert core.checks.check_provider_adapters() == []


@pytest.mark.django_db
def test_an_sqlite_without_returning_stops_start_up(monkeypatch):
    """Every posting and payment INSERT uses RETURNING (SQLite 3.35): an older library is refused at start-up."""
    from django.db import connection

    if connection.vendor != "sqlite":
        assert core.checks.sqlite_settings_errors() == []
        return
    assert "core.E004" not in error_ids(core.checks.sqlite_settings_errors())
    monkeypatch.setattr(core.checks, "sqlite_library_version", lambda: (3, 34, 1))
    assert "core.E004" in error_ids(core.checks.sqlite_settings_errors())
