"""The ASGI application for servers started by import string (``estate serve --workers N``
starts each worker process from here): the service configured from ``ESTATE_*``."""

from __future__ import annotations

from entrypoints.http.app import create_app

app = create_app()
