"""sochi_site.settings and manage.py --settings=sochi_site.settings, each in a fresh Python process (settings are
read once per process); СОЧИ's independence from the wallet's code; the commands' real exit codes."""

import json
import os
import subprocess
import sys

import pytest
from django.conf import settings

PROJECT_DIR = settings.BASE_DIR
# What the settings read; removed from this process's environment (the wallet's test settings set DEBUG/DEMO_MODE).
VARIABLES = (
    "DJANGO_SETTINGS_MODULE",
    "DEBUG",
    "DEMO_MODE",
    "SOCHI_SECRET_KEY",
    "SOCHI_ALLOWED_HOSTS",
    "SOCHI_DATABASE_URL",
    "DOSTEK_OSMP_USER",
    "DOSTEK_OSMP_PASSWORD",
    "SOCHI_OSMP_ALLOWED_NETWORKS",
    "SOCHI_FAULTS_ENABLED",
    "DATABASE_URL",
)
WALLET_PACKAGES = ("accounts", "cabinet", "core", "ledger", "services", "sms", "ussd", "wallet", "elsom_portal")
SECRET = "s" * 20 + "-a-long-random-production-secret-for-sochi-0123456789"


def python(*args: str, **variables: str) -> subprocess.CompletedProcess:
    env = {key: value for key, value in os.environ.items() if key not in VARIABLES}
    env.update(variables)
    return subprocess.run(
        [sys.executable, *args], cwd=PROJECT_DIR, env=env, capture_output=True, text=True, timeout=120
    )


def sochi_settings(expression: str, **variables: str):
    """Evaluate `expression` over sochi_site.settings in a fresh process (JSON out)."""
    result = python(
        "-c",
        f"import json; from sochi_site import settings as s; print(json.dumps({expression}, default=str))",
        **variables,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def production(tmp_path, **more: str) -> dict[str, str]:
    # DEMO_MODE spelled out: manage.py would otherwise take DEMO_MODE=1 from the developer's .env.
    return {
        "DEBUG": "0",
        "DEMO_MODE": "0",
        "SOCHI_SECRET_KEY": SECRET,
        "SOCHI_ALLOWED_HOSTS": "sochi.example.kg",
        "SOCHI_DATABASE_URL": f"sqlite:///{tmp_path / 'sochi.sqlite3'}",
        "DOSTEK_OSMP_USER": "elsom",
        "DOSTEK_OSMP_PASSWORD": "a-long-shared-password",
        **more,
    }


def manage(*args: str, **variables: str) -> subprocess.CompletedProcess:
    return python("manage.py", *args, "--settings=sochi_site.settings", **variables)


def test_manage_py_runs_sochi_commands_with_the_developers_env_file(tmp_path):
    """With nothing in the environment, manage.py's .env (DEBUG=1, DEMO_MODE=1) is enough for sochi's settings."""
    # given
    assert (PROJECT_DIR / ".env").exists(), "make install writes .env; this test needs it"
    # when
    result = manage("check", SOCHI_DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}")
    # then
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_development_defaults():
    """With DEBUG on and nothing set: the documented OSMP credentials, faults on, SQLite in var/ with WAL,
    IMMEDIATE transactions and a busy timeout, Russian first, Bishkek time, СОЧИ's own cookies and locale."""
    # when
    values = sochi_settings(
        "[s.SOCHI_OSMP_USER, s.SOCHI_OSMP_PASSWORD, s.SOCHI_FAULTS_ENABLED, s.DATABASES['default'], s.LANGUAGE_CODE,"
        " [code for code, _ in s.LANGUAGES], s.TIME_ZONE, s.SESSION_COOKIE_NAME, s.CSRF_COOKIE_NAME,"
        " [str(p) for p in s.LOCALE_PATHS], s.INSTALLED_APPS]",
        DEBUG="1",
    )
    user, password, faults, database, language, languages, zone, session_cookie, csrf_cookie, locale, apps = values
    # then
    assert (user, password, faults) == ("elsom", "elsom-demo-osmp", True)
    assert database["NAME"] == str(PROJECT_DIR / "var" / "sochi.sqlite3")
    assert database["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    assert database["OPTIONS"]["timeout"] > 0
    assert "journal_mode=WAL" in database["OPTIONS"]["init_command"]
    assert (language, languages, zone) == ("ru", ["ru", "ky"], "Asia/Bishkek")
    assert session_cookie != "sessionid" and csrf_cookie != "csrftoken"
    assert locale == [str(PROJECT_DIR / "sochi" / "locale")]
    assert not set(apps) & set(WALLET_PACKAGES)


def test_sochi_database_url_selects_postgresql():
    # when
    database = sochi_settings(
        "s.DATABASES['default']", DEBUG="1", SOCHI_DATABASE_URL="postgres://u:p@db.example:5432/sochi"
    )
    # then
    assert database["ENGINE"] == "django.db.backends.postgresql"
    assert database["NAME"] == "sochi"


def test_without_debug_a_secret_key_is_required(tmp_path):
    # given
    env = production(tmp_path)
    del env["SOCHI_SECRET_KEY"]
    # when
    result = python("-c", "import sochi_site.settings", **env)
    # then
    assert result.returncode != 0
    assert "SOCHI_SECRET_KEY must be set" in result.stderr


@pytest.mark.parametrize("missing", ["DOSTEK_OSMP_USER", "DOSTEK_OSMP_PASSWORD"])
def test_without_debug_the_osmp_credentials_are_required(tmp_path, missing):
    # given
    env = production(tmp_path)
    del env[missing]
    # when
    result = python("-c", "import sochi_site.settings", **env)
    # then
    assert result.returncode != 0
    assert "DOSTEK_OSMP_USER and DOSTEK_OSMP_PASSWORD must both be set" in result.stderr


def test_production_defaults_turn_faults_off_and_https_on(tmp_path):
    # when
    faults, redirect, secure_cookie = sochi_settings(
        "[s.SOCHI_FAULTS_ENABLED, s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_SECURE]", **production(tmp_path)
    )
    # then
    assert faults is False
    assert redirect is True
    assert secure_cookie is True


@pytest.mark.parametrize("networks", ["10.0.0.0/33", "not-a-network", "10.0.0.0/8,,bogus"])
def test_a_bad_allowed_network_stops_start_up(tmp_path, networks):
    """A bad CIDR is an ImproperlyConfigured at start-up, naming the variable, not a 500 per request."""
    # when
    result = python("-c", "import sochi_site.settings", **production(tmp_path, SOCHI_OSMP_ALLOWED_NETWORKS=networks))
    # then
    assert result.returncode != 0
    assert "ImproperlyConfigured: SOCHI_OSMP_ALLOWED_NETWORKS" in result.stderr


def test_allowed_networks_are_parsed(tmp_path):
    # when
    networks = sochi_settings(
        "s.SOCHI_OSMP_ALLOWED_NETWORKS", **production(tmp_path, SOCHI_OSMP_ALLOWED_NETWORKS="10.0.0.0/8, 192.0.2.7")
    )
    # then
    assert networks == ["10.0.0.0/8", "192.0.2.7/32"]


def test_deploy_check_passes_with_a_production_environment(tmp_path):
    # when
    result = manage("check", "--deploy", "--fail-level", "WARNING", **production(tmp_path))
    # then
    assert result.returncode == 0, result.stderr + result.stdout


def test_the_wallets_real_settings_do_not_install_sochi():
    """СОЧИ's tables exist only in its own database (and in the wallet's test database, for the in-process tests)."""
    # when
    result = python("-c", "from elsom_portal import settings; print('sochi' in settings.INSTALLED_APPS)", DEBUG="1")
    # then
    assert result.stdout.strip() == "False"


def test_sochi_never_loads_the_wallets_code():
    """Everything of СОЧИ (settings, every module, URLs, WSGI app) loads without one wallet package: the two meet only
    over HTTP."""
    # given
    program = (
        "import os, sys, pkgutil, importlib, django\n"
        "os.environ['DJANGO_SETTINGS_MODULE'] = 'sochi_site.settings'\n"
        "django.setup()\n"
        "import sochi, sochi_site.wsgi, sochi_site.urls\n"
        "for module in pkgutil.walk_packages(sochi.__path__, 'sochi.'):\n"
        "    importlib.import_module(module.name)\n"
        "from django.urls import reverse; reverse('osmp:protocol'); reverse('sochi:company')\n"
        f"print(sorted(name for name in sys.modules if name.split('.')[0] in {WALLET_PACKAGES!r}))\n"
    )
    # when
    result = python("-c", program, DEBUG="1")
    # then
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_the_wsgi_module_loads_on_its_own():
    """What gunicorn does: import sochi_site.wsgi in a fresh process, nothing set up before."""
    # when
    result = python("-c", "from sochi_site.wsgi import application; print(type(application).__name__)", DEBUG="1")
    # then
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "FaultInjectingApplication"


# --- exit codes -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "command", ["sochi_seed", "sochi_company", "sochi_balance", "sochi_fault", "sochi_serve", "sochi_check"]
)
def test_every_command_has_help(command):
    # when
    result = manage(command, "--help", DEBUG="1")
    # then
    assert result.returncode == 0, result.stderr
    assert "usage:" in result.stdout


def test_commands_exit_non_zero_with_a_clear_message_on_bad_input(tmp_path):
    """Through manage.py: bad INN, unknown company, bad fault -> exit 1 and the reason on stderr; seeding and a good
    company exit 0."""
    # given
    env = {"DEBUG": "1", "SOCHI_DATABASE_URL": f"sqlite:///{tmp_path / 'sochi.sqlite3'}"}
    assert manage("migrate", "-v", "0", **env).returncode == 0
    # when
    bad_inn = manage("sochi_company", "12345", "--name", "X", **env)
    unknown = manage("sochi_balance", "01111201111111", **env)
    bad_fault = manage("sochi_fault", "slow", "--delay", "forever", **env)
    bad_addr = manage("sochi_serve", "127.0.0.1", **env)
    good = manage("sochi_company", "01906202400017", "--name", "ОсОО «Жаңы»", **env)
    shown = manage("sochi_balance", "01906202400017", "--json", **env)
    # then
    assert (bad_inn.returncode, unknown.returncode, bad_fault.returncode, bad_addr.returncode) == (1, 1, 1, 1)
    assert "ИНН состоит ровно из 14 цифр." in bad_inn.stderr
    assert "Организация с ИНН 01111201111111 не найдена." in unknown.stderr
    assert "delay must be a number" in bad_fault.stderr
    assert "is not ADDR:PORT" in bad_addr.stderr
    assert good.returncode == 0, good.stderr
    assert json.loads(shown.stdout)["balance"] == "0.00"


def test_sochi_seed_is_refused_in_production(tmp_path):
    # given
    env = production(tmp_path)
    assert manage("migrate", "-v", "0", **env).returncode == 0
    # when
    result = manage("sochi_seed", **env)
    # then
    assert result.returncode == 1
    assert "DEBUG or DEMO_MODE" in result.stderr
