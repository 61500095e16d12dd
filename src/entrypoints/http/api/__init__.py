"""The API's routers, under ``/api/v1``: each context module adds its router to :data:`ROUTERS`
here, so a new context never edits ``app.py``."""

from __future__ import annotations

from litestar import Router

from entrypoints.http.api import auth, identity

ROUTERS: list[Router] = [auth.router, identity.router]
