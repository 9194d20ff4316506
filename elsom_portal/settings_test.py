"""Settings for the test suite: the real settings with fast hashing and an in-memory SMS backend."""

import os

os.environ.setdefault("DEBUG", "1")
os.environ.setdefault("DEMO_MODE", "1")

from elsom_portal.settings import *  # noqa: E402,F403
from elsom_portal.settings import BASE_DIR, DATABASES  # noqa: E402

# Argon2 is deliberately slow; tests hash thousands of PINs and passwords.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
SMS_BACKEND = "sms.backends.locmem.LocmemBackend"

# Concurrency tests need a real file so that several connections share one database.
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["TEST"] = {"NAME": str(BASE_DIR / "var" / f"test-{os.getpid()}.sqlite3")}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# DosTek in process unless a test brings a real СОЧИ server (tests/conftest.py: the `sochi` fixture).
PROVIDER_ADAPTERS = {"dostek": "services.providers.AcceptAllProvider"}
# Tasks are stored, not run: the tests run the worker (process_payments) themselves.
TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}

# СОЧИ (DosTek group's system, sochi/) is its own service with its own settings (sochi_site.settings). Its in-process
# tests (tests/sochi/) run in this same pytest process: its tables live in the test database only here, never in the
# wallet's real settings, and its views are reached through @pytest.mark.urls("sochi_site.urls").
INSTALLED_APPS = [*INSTALLED_APPS, "sochi"]  # noqa: F405
SOCHI_OSMP_USER = "elsom"
SOCHI_OSMP_PASSWORD = "elsom-test-osmp"
SOCHI_FAULTS_ENABLED = True
