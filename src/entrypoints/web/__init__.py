"""The web pages (DESIGN.md §6): server-rendered Jinja2 with htmx, on the API's Litestar app.

:func:`web_config` gives ``create_app`` what the pages add: their routers and the static files
(all answering with a Content-Security-Policy that allows only this origin's scripts, styles
and images), the template engine, and CSRF protection on every form. The API's bearer-token
routes and the gateways' signed webhooks (``/notify``) carry no cookies: CSRF skips them.
"""

from __future__ import annotations

from pathlib import Path

import attrs
from litestar import Router
from litestar.config.csrf import CSRFConfig
from litestar.datastructures import ResponseHeader
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.static_files import create_static_files_router
from litestar.template.config import TemplateConfig

from entrypoints.web.pages import console, resident

HERE = Path(__file__).parent
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)


@attrs.frozen
class WebConfig:
    routers: list[Router]
    templates: TemplateConfig[JinjaTemplateEngine]
    csrf: CSRFConfig


def web_config(secret_key: str, api_prefix: str) -> WebConfig:
    headers = [ResponseHeader(name="Content-Security-Policy", value=CSP)]
    static = create_static_files_router(
        path="/static", directories=[HERE / "static"], include_in_schema=False
    )
    pages = Router(
        path="/",
        route_handlers=[resident.router, console.router, static],
        response_headers=headers,
    )
    return WebConfig(
        routers=[pages],
        templates=TemplateConfig(directory=HERE / "templates", engine=JinjaTemplateEngine),
        csrf=CSRFConfig(
            secret=secret_key + " csrf",
            cookie_httponly=True,
            exclude=[f"^{api_prefix}/", "^/notify/", "^/schema", "^/healthz$", "^/readyz$"],
        ),
    )
