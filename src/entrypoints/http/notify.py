"""The gateway webhooks: ``POST /notify/{channel}/{tenant}`` (DESIGN.md §10).

``channel`` is a :class:`~estate_core.payments.values.PaymentChannel` value (``wechat_jsapi``,
``wechat_native``, ``wechat_h5``, ``alipay_wap``, ``alipay_page``, ``alipay_qr``) and ``tenant``
the tenant's id: a payment's notify URL is built when it is opened at the gateway
(``Estate.notify_url``), so the tenant's account and adapter for that channel (v3 or v2,
direct or partner) verify what arrives. The reply is each gateway's own (WeChat v3: 204 with no
body, or 500 ``{"code":"FAIL"}`` to be sent again; v2: XML; Alipay: ``success``), given only
after the settlement committed (``handle_notification``).

:func:`notify_router` is self-contained: the HTTP app mounts it (``route_handlers=[...]``).
"""

from __future__ import annotations

import json
import logging
from typing import Any
from uuid import UUID

import anyio.to_thread
from litestar import Request, Response, Router, post
from litestar.params import FromPath

from entrypoints.bootstrap import Estate
from estate_core.payments.gateway import NotificationRequest
from estate_core.payments.services.notifications import NotificationHandled, handle_notification
from estate_core.payments.values import PaymentChannel
from estate_core.shared.errors import DomainError

_log = logging.getLogger("estate.http.notify")

MAX_BODY = 64 * 1024
"""Bytes of a notification at most: gateways send a few kilobytes."""

_FAIL = json.dumps({"code": "FAIL", "message": "not handled, send again"}).encode()


def _fail(status: int) -> Response[bytes]:
    return Response(_FAIL, status_code=status, media_type="application/json")


def notify_router(estate: Estate) -> Router:
    """The webhook router over the composed application."""

    def handle(
        channel: PaymentChannel, tenant: UUID, request: NotificationRequest
    ) -> NotificationHandled:
        return handle_notification(
            estate.uow(tenant),
            estate.clock,
            estate.gateways,
            channel,
            request,
            notify_url=estate.notify_url,
        )

    @post("/{channel:str}/{tenant:uuid}", status_code=200)
    async def receive(
        channel: FromPath[str], tenant: FromPath[UUID], request: Request[Any, Any, Any]
    ) -> Response[bytes]:
        try:
            the_channel = PaymentChannel(channel)
        except ValueError:
            return _fail(404)
        body = await request.body()
        if not the_channel.is_online or len(body) > MAX_BODY:
            return _fail(404 if not the_channel.is_online else 413)
        notification = NotificationRequest(
            headers={name.lower(): value for name, value in request.headers.items()}, body=body
        )
        try:
            handled = await anyio.to_thread.run_sync(handle, the_channel, tenant, notification)
        except DomainError as error:
            _log.warning("notification not handled: tenant=%s reason=%s", tenant, error.code)
            return _fail(404)
        except Exception as error:
            _log.error("notification failed: tenant=%s error=%s", tenant, type(error).__name__)
            return _fail(500)
        reply = handled.reply
        if not reply.body:
            return Response(b"", status_code=reply.status_code)
        return Response(reply.body, status_code=reply.status_code, media_type=reply.content_type)

    return Router(path="/notify", route_handlers=[receive])
