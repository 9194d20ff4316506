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
