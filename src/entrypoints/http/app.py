"""The Litestar application factory (DESIGN.md §6).

``create_app(container)`` gives every handler the container's providers through Litestar's
own dependencies, mounts the routers of :data:`entrypoints.http.api.ROUTERS` under
``/api/v1``, the gateway webhooks under ``/notify`` and the web pages of
:mod:`entrypoints.web`, answers errors as problem+json and publishes OpenAPI at
``/schema/openapi.json`` with browsable UIs under ``/schema``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from argon2 import PasswordHasher
from dependency_injector import providers
from litestar import Litestar, Router
from litestar.config.app import AppConfig
from litestar.di import Provide
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import ScalarRenderPlugin, SwaggerRenderPlugin
from litestar.openapi.spec import Components, SecurityScheme

from entrypoints.container import Container, build_container
from entrypoints.http.api import ROUTERS
from entrypoints.http.auth import LoginTickets, current_caller, resident_caller, staff_caller
from entrypoints.http.di import provide
from entrypoints.http.errors import EXCEPTION_HANDLERS
from entrypoints.http.health import healthz, readyz
from entrypoints.http.notify import notify_router
from entrypoints.web import web_config

API_PREFIX = "/api/v1"
BODY_OVERHEAD = 64 * 1024
"""Room for the multipart framing and the text fields around the largest allowed photo."""


def _dependencies(container: Container) -> dict[str, Provide | Callable[..., Any]]:
    tickets = LoginTickets(container.settings().secret_key)
    hasher = PasswordHasher()
    return {
        "settings": provide(container.settings),
        "estate": provide(container.estate),
        "engine": provide(container.engine),
        "files": provide(container.files),
        "login_sessions": provide(container.login_sessions),
        "staff_passwords": provide(container.staff_passwords),
        "accounts": provide(container.accounts),
        "login_tickets": provide(providers.Object(tickets)),
        "password_hasher": provide(providers.Object(hasher)),
        "caller": Provide(current_caller, sync_to_thread=True),
        "resident": Provide(resident_caller, sync_to_thread=False),
        "staff": Provide(staff_caller, sync_to_thread=False),
    }


def _composer(container: Container) -> Callable[[], None]:
    """Compose the core (mappers, personal-data key) when the server starts, before the first
    request, rather than when the app object is built (tests read its route table alone)."""

    def compose() -> None:
        container.estate()

    return compose


def create_app(container: Container | None = None) -> Litestar:
    """The web service on ``container`` (default: one built from ``ESTATE_*`` settings)."""
    container = container or build_container()
    api = Router(path=API_PREFIX, route_handlers=list(ROUTERS))
    openapi = OpenAPIConfig(
        title="estate",
        version="1",
        description="Property management (物业管理): resident and staff APIs.",
        path="/schema",
        render_plugins=[ScalarRenderPlugin(), SwaggerRenderPlugin(path="/swagger")],
        components=Components(
            security_schemes={
                "bearer": SecurityScheme(
                    type="http", scheme="bearer", description="the token of a login"
                )
            }
        ),
        security=[{"bearer": []}],
    )
    web = web_config(container.settings().secret_key, API_PREFIX)
    config = AppConfig(
        route_handlers=[healthz, readyz, api, notify_router(container.estate), *web.routers],
        template_config=web.templates,
        csrf_config=web.csrf,
        dependencies=_dependencies(container),
        exception_handlers=EXCEPTION_HANDLERS,
        openapi_config=openapi,
        on_startup=[_composer(container)],
        request_max_body_size=container.settings().upload_max_bytes + BODY_OVERHEAD,
    )
    app = Litestar.from_config(config)
    app.state.container = container
    return app
