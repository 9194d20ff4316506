"""Settings of СОЧИ, DosTek group's e-reporting system, run as a service of its own beside the wallet.

Its own database, secret key, cookies and translations; the wallet reaches it only over HTTP (the OSMP provider
protocol at /osmp/). Every value that differs between machines comes from the environment (sochi_site/env.py).
"""

from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from sochi_site.env import env_bool, env_int, env_list, env_str, parse_networks

BASE_DIR = Path(__file__).resolve().parent.parent

# DEBUG and DEMO_MODE are the same switches as the wallet's (the developer's .env sets both for manage.py).
DEBUG = env_bool("DEBUG", False)
DEMO_MODE = env_bool("DEMO_MODE", False)

SECRET_KEY = env_str("SOCHI_SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SOCHI_SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "sochi-insecure-development-only-key-never-use-in-production-9876543210"

ALLOWED_HOSTS = env_list("SOCHI_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("SOCHI_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "crispy_forms",
    "crispy_bootstrap5",
    "sochi",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
]

ROOT_URLCONF = "sochi_site.urls"
WSGI_APPLICATION = "sochi_site.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# --- Database -----------------------------------------------------------------------------------------------
# SQLite by default (var/sochi.sqlite3), PostgreSQL through SOCHI_DATABASE_URL. As in the wallet: every SQLite
# transaction is BEGIN IMMEDIATE, so two credits of one company never both read the old balance; WAL lets the
# company page read while a payment is written.
SQLITE_BUSY_TIMEOUT_SECONDS = 30
DEFAULT_SQLITE_PATH = BASE_DIR / "var" / "sochi.sqlite3"
DATABASES = {
    "default": dj_database_url.parse(
        env_str("SOCHI_DATABASE_URL", f"sqlite:///{DEFAULT_SQLITE_PATH}"),
        conn_max_age=600,
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": SQLITE_BUSY_TIMEOUT_SECONDS,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    if Path(DATABASES["default"]["NAME"]) == DEFAULT_SQLITE_PATH:
        # var/ is git-ignored, so a fresh checkout has none and SQLite cannot create the file in it.
        DEFAULT_SQLITE_PATH.parent.mkdir(exist_ok=True)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# PINs of the company users are hashed like passwords (Argon2; PBKDF2 still reads older hashes).
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]

# --- Sessions and cookies --------------------------------------------------------------------------------------
# The wallet runs on the same host (127.0.0.1:8000 beside :8001) and cookies ignore the port: own cookie names
# keep the two sign-ins from overwriting each other.
SESSION_COOKIE_NAME = "sochi_sessionid"
CSRF_COOKIE_NAME = "sochi_csrftoken"
LANGUAGE_COOKIE_NAME = "sochi_language"
SESSION_COOKIE_AGE = 30 * 60  # idle limit: the expiry moves on with every request
SESSION_SAVE_EVERY_REQUEST = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if not DEBUG:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("SOCHI_SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = env_int("SOCHI_SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
        "base-uri": [SELF],
        "object-src": [NONE],
    },
}

# --- Languages ------------------------------------------------------------------------------------------------
LANGUAGE_CODE = "ru"
LANGUAGES = [("ru", _("Русский")), ("ky", _("Кыргызча"))]
LOCALE_PATHS = [BASE_DIR / "sochi" / "locale"]
USE_I18N = True
TIME_ZONE = "Asia/Bishkek"
USE_TZ = True

# --- Static files -----------------------------------------------------------------------------------------------
# Bootstrap is the project's own copy (no CDN: the demo works offline); only that folder is published.
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "var" / "sochi-static"
STATICFILES_DIRS = [("vendor/bootstrap", BASE_DIR / "static" / "vendor" / "bootstrap")]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# --- The OSMP provider protocol (/osmp/) --------------------------------------------------------------------------
# HTTP Basic credentials the aggregator (ELSOM) sends. The development pair is used only with DEBUG on and
# nothing set; without DEBUG both must be set, or nobody could pay and nobody would notice until the first payment.
SOCHI_OSMP_USER = env_str("DOSTEK_OSMP_USER")
SOCHI_OSMP_PASSWORD = env_str("DOSTEK_OSMP_PASSWORD")
if not SOCHI_OSMP_USER and not SOCHI_OSMP_PASSWORD and DEBUG:
    SOCHI_OSMP_USER, SOCHI_OSMP_PASSWORD = "elsom", "elsom-demo-osmp"
if not SOCHI_OSMP_USER or not SOCHI_OSMP_PASSWORD:
    raise ImproperlyConfigured("DOSTEK_OSMP_USER and DOSTEK_OSMP_PASSWORD must both be set (DEBUG is off).")
if ":" in SOCHI_OSMP_USER:
    raise ImproperlyConfigured("DOSTEK_OSMP_USER must not contain ':' (HTTP Basic splits user and password there).")
# Optional: the aggregator's addresses; everyone else gets HTTP 403 even with the right password.
SOCHI_OSMP_ALLOWED_NETWORKS = parse_networks("SOCHI_OSMP_ALLOWED_NETWORKS", env_list("SOCHI_OSMP_ALLOWED_NETWORKS", []))
# Injected faults for call-centre training (POST /osmp/faults/, `sochi_fault`): never on by accident in production.
SOCHI_FAULTS_ENABLED = env_bool("SOCHI_FAULTS_ENABLED", DEBUG or DEMO_MODE)

# Company users: 5 wrong PINs lock the sign-in of that user for 15 minutes.
SOCHI_PIN_ATTEMPTS = 5
SOCHI_PIN_LOCK = timedelta(minutes=15)

DOSTEK_CALL_CENTRE_PHONE = "0312 960 888"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"no_secrets": {"()": "sochi.logging.RedactSecretsFilter"}},
    "formatters": {"plain": {"format": "{asctime} {levelname} {name}: {message}", "style": "{"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["no_secrets"], "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "django": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "django.db.backends": {"level": "WARNING"},
        "django.server": {"handlers": ["console"], "level": "INFO", "propagate": False},
    },
}
