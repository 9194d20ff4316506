"""WSGI config for the reference project (as `django-admin startproject` writes it)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "reference.settings")

application = get_wsgi_application()
