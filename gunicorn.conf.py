"""The production server's configuration, read by a bare `gunicorn elsom_portal.wsgi` started in this directory.

Threads, not one request per process: a request waiting on a provider (at most DOSTEK_OSMP_REQUEST_TIMEOUT, at most
DOSTEK_OSMP_CONCURRENCY of them per process: services/bulkhead.py) holds one thread, and the other threads of the
same process go on serving /healthz, USSD screens and other providers' payments. Python's threads are enough here:
a request's time is spent waiting on the database or a provider, with the GIL released.

Every value can be set from the environment (GUNICORN_* or gunicorn's own GUNICORN_CMD_ARGS)."""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
worker_class = "gthread"
# Two per CPU: one can run Python while the other's threads wait on the database.
workers = int(os.environ.get("GUNICORN_WORKERS", str(2 * multiprocessing.cpu_count())))
# Threads per worker: more than DOSTEK_OSMP_CONCURRENCY, so a hanging provider never takes a whole process.
threads = int(os.environ.get("GUNICORN_THREADS", "8"))
# A request never lasts this long (a provider call is bounded by its budget); a stuck worker is restarted.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "20"))
keepalive = 5
# Workers are replaced now and then, so that a slow leak never reaches production's memory limit.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "5000"))
max_requests_jitter = 500
# The proxy in front adds X-Forwarded-For; the portal reads it only with TRUSTED_PROXY_COUNT (settings).
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")
accesslog = os.environ.get("GUNICORN_ACCESSLOG") or None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOGLEVEL", "info")
