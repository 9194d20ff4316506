"""Serve СОЧИ with a threaded wsgiref server that can drop a connection on purpose (the injected faults).

Used by `make run` and by the tests (sochi/testing.py). Unlike runserver: no autoreloader, request lines of up to
256 KiB reach the protocol (which answers them), and a resetting callable is handed to the fault wrapper."""

import re
import signal
import sys
import threading

from django.core.management.base import BaseCommand, CommandError
from django.core.servers.basehttp import ServerHandler, ThreadedWSGIServer, WSGIRequestHandler
from django.core.wsgi import get_wsgi_application

from sochi.faults import ABORT_KEY, FaultInjectingApplication, reset_socket

ADDRPORT_RE = re.compile(r"(?P<host>[0-9.]+|localhost|\[[0-9a-fA-F:]+\]):(?P<port>[0-9]{1,5})")
MAX_REQUEST_LINE = 256 * 1024
LOGGED_LINE_LENGTH = 300
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


class SochiRequestHandler(WSGIRequestHandler):
    """Django's handler with a longer request line, a socket reset for the fault wrapper, and log lines cut short
    (a 100 KB query string must not become a 100 KB log line). Headers are never logged."""

    _dropped = False

    def get_environ(self):
        environ = super().get_environ()
        environ[ABORT_KEY] = self._abort
        return environ

    def _abort(self) -> None:
        self._dropped = True
        self.close_connection = True
        # The reader created by socketserver holds a reference: close it too, or the socket stays open.
        try:
            self.rfile.close()
        except OSError:  # pragma: no cover - already closed
            pass
        try:
            reset_socket(self.connection)
        except OSError:  # pragma: no cover - the client left first
            pass

    def handle_one_request(self):
        if self._dropped:
            self.close_connection = True
            return
        self.raw_requestline = self.rfile.readline(MAX_REQUEST_LINE + 1)
        if len(self.raw_requestline) > MAX_REQUEST_LINE:
            self.requestline = ""
            self.request_version = ""
            self.command = ""
            self.send_error(414)
            return
        if not self.raw_requestline:
            self.close_connection = True
            return
        if not self.parse_request():
            return
        handler = ServerHandler(self.rfile, self.wfile, self.get_stderr(), self.get_environ())
        handler.request_handler = self
        handler.run(self.server.get_app())

    def finish(self):
        if self._dropped:
            return  # the socket is gone already; flushing it would only raise
        super().finish()

    def log_message(self, format, *args):
        cleaned = [
            _CONTROL.sub("?", arg[:LOGGED_LINE_LENGTH] + ("..." if len(arg) > LOGGED_LINE_LENGTH else ""))
            if isinstance(arg, str)
            else arg
            for arg in args
        ]
        super().log_message(format, *cleaned)


class Command(BaseCommand):
    help = (
        "Serve СОЧИ (threaded, no autoreload) on ADDR:PORT, default 127.0.0.1:8001; port 0 picks a free one. "
        "Prints 'sochi_serve: listening on http://HOST:PORT/' once ready; SIGTERM or Ctrl+C stops it."
    )
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("addrport", nargs="?", default="127.0.0.1:8001", help="e.g. 127.0.0.1:8001")

    def handle(self, *args, addrport, **options):
        match = ADDRPORT_RE.fullmatch(addrport)
        if match is None or int(match["port"]) > 65535:
            raise CommandError(f"{addrport!r} is not ADDR:PORT (e.g. 127.0.0.1:8001)")
        host, port = match["host"], int(match["port"])
        ipv6 = host.startswith("[")
        host = host.strip("[]")
        application = FaultInjectingApplication(get_wsgi_application())
        try:
            server = ThreadedWSGIServer((host, port), SochiRequestHandler, ipv6=ipv6)
        except OSError as exc:
            raise CommandError(f"cannot listen on {addrport}: {exc.strerror or exc}") from exc
        server.set_app(application)
        stop = threading.Event()

        def request_stop(signum, frame):
            stop.set()

        signal.signal(signal.SIGTERM, request_stop)
        signal.signal(signal.SIGINT, request_stop)
        # serve_forever in a thread of its own: shutdown() must be called from another thread than the loop's.
        loop = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, name="sochi-serve")
        loop.start()
        bound_host, bound_port = server.server_address[:2]
        shown = f"[{bound_host}]" if ipv6 else bound_host
        self.stdout.write(f"sochi_serve: listening on http://{shown}:{bound_port}/")
        self.stdout.flush()
        sys.stdout.flush()
        try:
            while not stop.wait(0.5):
                if not loop.is_alive():  # pragma: no cover - the loop died on its own
                    raise CommandError("the server loop stopped unexpectedly")
        finally:
            server.shutdown()
            server.server_close()
            loop.join(timeout=5)
        self.stdout.write("sochi_serve: stopped")
