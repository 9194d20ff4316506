"""Django's PostgreSQL backend, with the connection pool filled before it hands out its first connection.

settings.py selects it (ENGINE ``core.db.postgresql``) whenever DATABASE_URL names PostgreSQL; everything else is
Django's own backend."""

import threading

from django.db.backends.postgresql import base


class DatabaseWrapper(base.DatabaseWrapper):
    _pool_opening = threading.Lock()

    def get_new_connection(self, conn_params):
        # Django opens the pool on first use without waiting and asks for a connection at once. With none ready yet
        # the pool grows by one for the waiting client, and the extra connection stays: the pool hands its idle
        # connections out in turn (first in, first out), so one worker's consecutive transactions (a payment's
        # reserve and commit) run on different server processes, measurably slower (bench/README.md). Waiting the
        # first time for the pool's min_size connections leaves a sync worker exactly the connection it needs.
        pool = self.pool  # type: ignore[attr-defined]  # Django 5.1+: psycopg's pool, None without one
        if pool is not None and pool.closed:
            with self._pool_opening:
                if pool.closed:
                    pool.open(wait=True, timeout=pool.timeout)
        return super().get_new_connection(conn_params)
