"""Settings of the django-hordak peer (bench/peer_hordak/peer.py): the smallest Django project hordak runs in.

It serves nothing: no URLs, no middleware, no templates. The database is the throw-away PostgreSQL database that
bench/ledger_peer_hordak.py creates, named by HORDAK_DATABASE_URL. Money is Kyrgyz som (KGS) everywhere, so that
hordak's Balance never needs an exchange rate.
"""

import os

import dj_database_url

SECRET_KEY = os.environ.get("HORDAK_SECRET_KEY", "bench-only: this project serves no requests")
DEBUG = False  # DEBUG on would record every query (CPU per payment the project's bench does not pay either)
ALLOWED_HOSTS: list[str] = []

INSTALLED_APPS = [
    "django.contrib.contenttypes",  # a hordak migration depends on it
    "django.contrib.auth",
    "mptt",  # hordak's account tree (docs: "must be listed in INSTALLED_APPS")
    "hordak",
]

_url = os.environ.get("HORDAK_DATABASE_URL")
if not _url:
    raise RuntimeError("HORDAK_DATABASE_URL is not set (postgres://user@host:port/database)")
# Django's defaults otherwise: one connection per process, kept for the process's life (no request cycle closes
# it), parameters bound on the client. That is what a hordak user's worker gets out of the box.
DATABASES = {"default": dj_database_url.parse(_url)}

USE_TZ = True
TIME_ZONE = "Asia/Bishkek"
USE_I18N = False
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# hordak (docs/settings.rst) and django-money. HORDAK_MAX_DIGITS / HORDAK_DECIMAL_PLACES stay at hordak's defaults
# (13, 2): its migrations are written for them, and 2 places are the tyiyn.
DEFAULT_CURRENCY = "KGS"  # new accounts' currency
# HORDAK_INTERNAL_CURRENCY stays at its default (EUR): hordak builds a fixer.io exchange-rate converter for it when
# it is imported and refuses a currency that service does not list (KGS is not). It is only used to convert
# between currencies; every amount here is Money(..., "KGS") and every account holds KGS only, so nothing converts.
CURRENCIES = ["KGS"]
HORDAK_CURRENCIES = ["KGS"]
