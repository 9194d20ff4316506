"""Settings for elsom-portal. Every value that differs between machines comes from the environment (env.py)."""

from datetime import timedelta
from pathlib import Path
from typing import Any

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from elsom_portal.env import (
    env_bool,
    env_choice,
    env_cidrs,
    env_float,
    env_int,
    env_keyring,
    env_list,
    env_mapping,
    env_str,
)

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DEBUG", False)
DEMO_MODE = env_bool("DEMO_MODE", False)
if DEMO_MODE and not DEBUG:
    # Refused at start-up, not only by `check --deploy` (core/checks.py, elsom.E001), which nobody has to run: the
    # phone simulator's inbox would serve live PINs and one-time codes from a production server.
    raise ImproperlyConfigured(
        "DEMO_MODE is on while DEBUG is off (elsom.E001): the phone simulator's inbox would show real PINs and "
        "one-time codes. Unset DEMO_MODE in production; it is for `make run` and training rooms (with DEBUG=1)."
    )

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off (see README.md, 'Production').")
    SECRET_KEY = "django-insecure-development-only-key-never-use-in-production-0123456789"

# PINs are HMACs under this key (wallet/pin.py), kept apart from SECRET_KEY and from the database: a stolen
# database alone does not give away 4-digit PINs. PIN_HASH_OLD_KEYS ("id:secret,id:secret") keeps retired keys
# for verifying until each PIN is rewritten under the current one at its next use.
PIN_HASH_KEY_ID = env_str("PIN_HASH_KEY_ID", "1")
PIN_HASH_KEY = env_str("PIN_HASH_KEY")
if not PIN_HASH_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("PIN_HASH_KEY must be set when DEBUG is off (see README.md, 'Production').")
    PIN_HASH_KEY = "development-only-pin-hash-key-never-use-in-production"
PIN_HASH_KEYS = env_keyring("PIN_HASH_OLD_KEYS")
PIN_HASH_KEYS[PIN_HASH_KEY_ID] = PIN_HASH_KEY.encode()

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "crispy_forms",
    "crispy_bootstrap5",
    "axes",
    "csp",
    "simple_history",
    "core",
    "accounts",
    "ledger",
    "sms",
    "wallet",
    "services",
    "audit",
    "casework",
    "cabinet",
    "ussd",
    "staff",
    "cashdesk",
    "training",
    "demo",
    "ninja",  # its templates and static files: the API's Swagger UI is served from here (no CDN)
    "api",
    "django_tasks",
    "django_tasks_db",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "core.middleware.NoStoreMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # Django's LocaleMiddleware with elsom.kg's rule: Russian, Kyrgyz if the browser prefers it, English if chosen.
    "core.locale.PortalLocaleMiddleware",
    "api.middleware.ApiMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "cabinet.middleware.SessionTimeoutMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # django-axes wants to be last: it turns a lockout raised during authentication into a response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "elsom_portal.urls"
WSGI_APPLICATION = "elsom_portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "core.context_processors.portal",
            ],
        },
    },
]

# --- Database -----------------------------------------------------------------------------------------------
# SQLite by default; PostgreSQL through DATABASE_URL. SQLite runs every transaction as BEGIN IMMEDIATE, so two
# writers never both read a balance and then both write it; WAL lets readers go on while one writer writes.
SQLITE_BUSY_TIMEOUT_SECONDS = 30
SQLITE_SYNCHRONOUS = env_choice("SQLITE_SYNCHRONOUS", "FULL", ["FULL", "NORMAL", "EXTRA"])
DATABASES = {"default": dj_database_url.parse(env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"))}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"]["ENGINE"] = "core.db.postgresql"  # Django's, with the pool filled before its first use
    # A pool (psycopg_pool) instead of one kept connection per process: a connection goes back to the pool the
    # moment it is closed, so a payment waiting for the provider holds none (services/payments.py closes it
    # before the call) and the next query takes one from the pool without a new connect.
    # One connection kept by default: a sync worker runs one request at a time, and the pool hands out its idle
    # connections in turn (first in, first out), so with two kept every payment's reserve and commit ran on two
    # different server processes, measurably slower (bench/README.md). A process with more threads (the task
    # worker, a test's racing threads) grows the pool on demand up to max_size.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": env_int("DATABASE_POOL_MIN", 1),
        "max_size": env_int("DATABASE_POOL_MAX", 20),
        "timeout": 10,
    }
    # Server-side binding: psycopg sends the parameters apart from the statement, and a statement a connection has
    # run DATABASE_PREPARE_THRESHOLD times is prepared on the server (parsed and planned once). The pool keeps its
    # connections, so a payment's statements stay prepared: about a fifth less time per payment (bench/README.md).
    # Off (DATABASE_SERVER_SIDE_BINDING=0) behind a pooler that cannot keep prepared statements (PgBouncer in
    # transaction mode before 1.21).
    if env_bool("DATABASE_SERVER_SIDE_BINDING", True):
        DATABASES["default"]["OPTIONS"]["server_side_binding"] = True
        DATABASES["default"]["OPTIONS"]["prepare_threshold"] = env_int("DATABASE_PREPARE_THRESHOLD", 5)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Kept open: opening costs the file, the PRAGMAs, and closing the last connection a WAL checkpoint.
    DATABASES["default"]["CONN_MAX_AGE"] = 600
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": SQLITE_BUSY_TIMEOUT_SECONDS,
        # FULL: a payment acknowledged to the holder survives a power loss. NORMAL may lose the last commits
        # (never corrupts); it is allowed for benchmarks only, by SQLITE_SYNCHRONOUS=NORMAL.
        "init_command": f"PRAGMA journal_mode=WAL; PRAGMA synchronous={SQLITE_SYNCHRONOUS};",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Auth ---------------------------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "cabinet:entry"

# The client's address: REMOTE_ADDR, or, behind TRUSTED_PROXY_COUNT reverse proxies (the TLS terminator), the
# address the outermost trusted proxy saw, from X-Forwarded-For (core/net.py). Never the whole header: a client
# can put anything in front.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)

# Nobody may lock someone else out (issue 18). Wallet holders' passwords are counted by the cabinet itself,
# atomically in the database, per number AND client address (cabinet/throttles.py says why not per number alone);
# django-axes records them too, keyed the same way.
SIGN_IN_FAILURES_PER_NUMBER = 5  # per 15 minutes, per number from one client address
# Per 15 minutes from one client address, over all numbers, right or wrong: a scan stops, a busy NAT does not.
SIGN_IN_ATTEMPTS_PER_ADDRESS = env_int("SIGN_IN_ATTEMPTS_PER_ADDRESS", 100)
LOOKUPS_PER_SESSION = 10  # «Войти» look-ups per 10 minutes
LOOKUPS_PER_ADDRESS = env_int("LOOKUPS_PER_ADDRESS", 100)
# The app API's payments per device token a minute (a wallet gets twice that over all its devices); api/throttles.py
API_PAY_PER_MINUTE = env_int("API_PAY_PER_MINUTE", 30)
# Web registrations an hour (each valid form costs an Argon2 hash, 120-170 ms of a core), counted before the hash:
# per client address, and per number from one address (per number alone, a stranger could stop the holder).
REGISTRATIONS_PER_ADDRESS = env_int("REGISTRATIONS_PER_ADDRESS", 20)
REGISTRATIONS_PER_NUMBER_AND_ADDRESS = 10
# Staff and admin sign-in: django-axes locks a username for 15 minutes after 5 failures from one address (by
# username alone, anyone anywhere locked `agent` or `supervisor` out), and the forms count failures per address over
# all usernames (staff/forms.py). Their usernames are kept apart from the holders' (cabinet.views.auth.axes_username):
# a wallet number typed at /staff/login/ never counts against that holder's web sign-in.
STAFF_SIGN_IN_FAILURES_PER_ADDRESS = env_int("STAFF_SIGN_IN_FAILURES_PER_ADDRESS", 20)  # per 15 minutes
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_CALLABLE = "cabinet.views.auth.axes_username"
AXES_CLIENT_IP_CALLABLE = "core.net.client_ip"
AXES_RESET_ON_SUCCESS = True
AXES_SENSITIVE_PARAMETERS = ["password", "pin", "code"]
AXES_VERBOSE = False
AXES_LOCKOUT_CALLABLE = "cabinet.views.lockout_response"

# --- Sessions and cookies --------------------------------------------------------------------------------------
SESSION_COOKIE_AGE = 12 * 60 * 60  # absolute limit; the idle limit is enforced per request
SESSION_IDLE_TIMEOUT_SECONDS = 15 * 60
SESSION_COOKIE_NAME = "sessionid"
CSRF_COOKIE_NAME = "csrftoken"
# Messages live in the session, not in a cookie of their own: a message names a number, an amount or a receipt, and
# the default cookie storage sends them signed but readable, without __Host- (issue 18).
MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if not DEBUG:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    # __Host-: the browser accepts these only over HTTPS, for this host, path / (no subdomain can plant one).
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
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
LANGUAGES = [("ru", _("Русский")), ("ky", _("Кыргызча")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Asia/Bishkek"
USE_TZ = True

# --- Static files -----------------------------------------------------------------------------------------------
STATIC_URL = "static/"
# Where collectstatic writes and whitenoise serves from. The benches give each of their servers its own (a suite in two
# processes must not have one test's collectstatic rewrite the files another's server is serving).
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
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

# --- Cache -------------------------------------------------------------------------------------------------------
# What every request reads and admins rarely change (the catalog, system accounts) and the look-up throttles.
# Local memory by default (per process); CACHE_URL=redis://host:6379/0 shares it between processes.
CACHE_URL = env_str("CACHE_URL")
if CACHE_URL:
    if not CACHE_URL.startswith(("redis://", "rediss://", "unix://")):
        raise ImproperlyConfigured("CACHE_URL must be a redis:// , rediss:// or unix:// URL")
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "elsom"}}

# How long a process trusts its copy of the catalog when the cache is local memory (no cross-process invalidation).
MEMO_LOCAL_CACHE_SECONDS = env_int("MEMO_LOCAL_CACHE_SECONDS", 30)

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# --- SMS ----------------------------------------------------------------------------------------------------------
# In demo mode the virtual phone sits behind a gateway that the trainer can make fail for chosen numbers
# (scenario «Не пришло SMS»); every other number is delivered to SMS_FAULTS_DELEGATE as before.
SMS_BACKEND = env_str(
    "SMS_BACKEND",
    "sms.backends.failing.FailingNumbersBackend" if DEMO_MODE else "sms.backends.console.ConsoleBackend",
)
SMS_FAULTS_DELEGATE = env_str("SMS_FAULTS_DELEGATE", "sms.backends.virtual.VirtualPhoneBackend")
SMS_MAX_ATTEMPTS = 5
SMS_RETRY_BASE_SECONDS = 30
SMS_SENDING_STALE_SECONDS = 300

# --- Money limits of the cash-in channels (som per operation) ----------------------------------------------------
CASH_IN_LIMITS = {
    "kicb-branch": "500000.00",
    "kicb-terminal": "50000.00",
    "mobilnik": "15000.00",
    "qiwi": "15000.00",
}

CALL_CENTRE_PHONE = "0312 986 000"
DOSTEK_CALL_CENTRE_PHONE = "0312 960 888"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"no_secrets": {"()": "core.logging.RedactSecretsFilter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["no_secrets"]}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# --- USSD *900# gateway ----------------------------------------------------------------------------------------------
USSD_SERVICE_CODE = "*900#"
# Production: the gateway must send this secret in the X-USSD-Secret header, or call from these networks.
USSD_GATEWAY_SECRET = env_str("USSD_GATEWAY_SECRET")
USSD_GATEWAY_ALLOWED_NETWORKS = env_cidrs("USSD_GATEWAY_ALLOWED_NETWORKS")

# --- Providers ------------------------------------------------------------------------------------------------------
# DosTek group's СОЧИ, reached over the OSMP protocol (services/osmp.py). `make run` starts СОЧИ on :8001.
DOSTEK_OSMP_URL = env_str("DOSTEK_OSMP_URL", "http://127.0.0.1:8001/osmp/")
DOSTEK_OSMP_USER = env_str("DOSTEK_OSMP_USER", "elsom" if DEBUG else "")
DOSTEK_OSMP_PASSWORD = env_str("DOSTEK_OSMP_PASSWORD", "elsom-demo-osmp" if DEBUG else "")
DOSTEK_OSMP_TIMEOUT = env_float("DOSTEK_OSMP_TIMEOUT", 8.0)  # seconds the worker waits for an answer
DOSTEK_OSMP_CONNECT_TIMEOUT = env_float("DOSTEK_OSMP_CONNECT_TIMEOUT", 2.0)
# The bulkheads (services/bulkhead.py): a request waits at most REQUEST_TIMEOUT (then the payment is «в обработке»
# and the worker asks again with the full timeout); at most CONCURRENCY calls per process wait on DosTek at once;
# BREAKER_FAILURES timeouts in a row stop the calls for BREAKER_COOLDOWN seconds, then one trial call goes out.
DOSTEK_OSMP_REQUEST_TIMEOUT = env_float("DOSTEK_OSMP_REQUEST_TIMEOUT", 3.0)
DOSTEK_OSMP_CONCURRENCY = env_int("DOSTEK_OSMP_CONCURRENCY", 4)
DOSTEK_OSMP_BREAKER_FAILURES = env_int("DOSTEK_OSMP_BREAKER_FAILURES", 3)
DOSTEK_OSMP_BREAKER_COOLDOWN = env_float("DOSTEK_OSMP_BREAKER_COOLDOWN", 30.0)
DOSTEK_GIVE_UP_AFTER = env_int("DOSTEK_GIVE_UP_AFTER", 24 * 60 * 60)  # seconds; then refund
OSMP_ENDPOINTS: dict[str, dict[str, Any]] = {
    "dostek": {
        "URL": DOSTEK_OSMP_URL,
        "USER": DOSTEK_OSMP_USER,
        "PASSWORD": DOSTEK_OSMP_PASSWORD,
        "TIMEOUT": DOSTEK_OSMP_TIMEOUT,
        "CONNECT_TIMEOUT": DOSTEK_OSMP_CONNECT_TIMEOUT,
        "REQUEST_TIMEOUT": DOSTEK_OSMP_REQUEST_TIMEOUT,
        "CONCURRENCY": DOSTEK_OSMP_CONCURRENCY,
        "BREAKER_FAILURES": DOSTEK_OSMP_BREAKER_FAILURES,
        "BREAKER_COOLDOWN": DOSTEK_OSMP_BREAKER_COOLDOWN,
        "GIVE_UP_AFTER": DOSTEK_GIVE_UP_AFTER,
    }
}
# Per provider code, an adapter in place of the catalog's (tests without a СОЧИ server; demos without one; the speed
# benchmarks of our own side), e.g. PROVIDER_ADAPTERS=dostek=services.providers.AcceptAllProvider.
PROVIDER_ADAPTERS: dict[str, str] = env_mapping("PROVIDER_ADAPTERS")
# The worker's hold on a payment it is asking the provider about (then another worker may try).
PAYMENT_CLAIM_SECONDS = env_int("PAYMENT_CLAIM_SECONDS", 60)
PAYMENT_RETRY_BASE_SECONDS = env_int("PAYMENT_RETRY_BASE_SECONDS", 10)
PAYMENT_RETRY_MAX_SECONDS = 60 * 60

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
