"""WSGI entry of СОЧИ: `gunicorn sochi_site.wsgi` in production, `manage.py sochi_serve` in development and tests.

The fault wrapper sits outside Django because dropping a connection needs the client socket, which only the
server has (gunicorn puts it in the environ; sochi_serve hands over a callable that resets it)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sochi_site.settings")
django_application = get_wsgi_application()  # sets Django up: the wrapper's module imports models

from sochi.faults import FaultInjectingApplication  # noqa: E402

application = FaultInjectingApplication(django_application)
