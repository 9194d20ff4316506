"""The benchmarks' gunicorn configuration: empty on purpose. A benchmark sets its server on the command line
(workers, worker class, bind, timeout), and must not pick up the project's production gunicorn.conf.py (threads,
worker recycling) by starting in the project's directory. provider_hang.py, which measures the production
configuration itself, starts a bare `gunicorn elsom_portal.wsgi` instead."""
