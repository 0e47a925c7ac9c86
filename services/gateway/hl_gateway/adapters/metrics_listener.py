"""The gateway's /metrics on an internal listener of its own (prometheus_client's WSGI server on
a daemon thread), apart from the public app.

Why a second port rather than a role on the public one: a scraper then needs no API credential
(an admin key in a Prometheus config could issue keys), and the public port, which an Ingress
exposes to the world, carries nothing about the process. Bound to 127.0.0.1 unless configured.
"""

from __future__ import annotations

import threading
from wsgiref.simple_server import WSGIServer

import structlog
from prometheus_client import start_wsgi_server

log = structlog.get_logger(__name__)


class MetricsListener:
    def __init__(self, host: str, port: int) -> None:
        self.host = host
        self.port = port
        self._running: tuple[WSGIServer, threading.Thread] | None = None

    @property
    def address(self) -> tuple[str, int] | None:
        """Where it listens (the bound port, if 0 was asked for), once started."""
        if self._running is None:
            return None
        host, port = self._running[0].server_address[:2]
        return str(host), int(port)

    def start(self) -> None:
        """Listen now; an address in use fails the start loudly (metrics were asked for)."""
        self._running = start_wsgi_server(self.port, addr=self.host)
        log.info("gateway.metrics_listening", address=self.address)

    def stop(self) -> None:
        if self._running is None:
            return
        server, thread = self._running
        self._running = None
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
