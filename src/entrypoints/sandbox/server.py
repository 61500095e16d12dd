"""Serve an ASGI app on a loopback port from a background thread (uvicorn).

The payment sandbox's gateway emulators and the tests' real servers run this way. The socket is
bound and listening before the thread starts, so a client may connect at once: the kernel queues
the connection until uvicorn accepts it, and nobody waits for a "started" flag.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import uvicorn

LOOPBACK = "127.0.0.1"


def listening_socket(host: str = LOOPBACK, port: int = 0) -> socket.socket:
    """A bound, listening TCP socket; port 0 picks a free one."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(128)
    return sock


@contextmanager
def serving(app: Any, *, host: str = LOOPBACK, port: int = 0, **options: Any) -> Iterator[str]:
    """Serve ``app`` while the block runs; yields its base URL (``http://127.0.0.1:PORT``).

    ``options`` go to ``uvicorn.Config``; with ``ssl_certfile`` the URL is ``https://``.
    """
    sock = listening_socket(host, port)
    config = uvicorn.Config(app, log_level="warning", lifespan="on", **options)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        scheme = "https" if options.get("ssl_certfile") else "http"
        yield f"{scheme}://{host}:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join()
        sock.close()
