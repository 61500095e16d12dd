"""The emulator's checkout page 收银台: where a person presses "pay" or "cancel" for an order.

Native ``code_url`` and H5 ``h5_url`` point here, so the demo completes a payment on one machine:
"pay" marks the order paid and posts its signed notification to the service's webhook.
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

import httpx
from litestar import MediaType, Response, get, post
from litestar.handlers import HTTPRouteHandler
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect

from estate_core.shared.money import Money

ORDERS = "/sandbox/wechat-v3/orders"
"""The checkout page: every order, newest first, with its buttons."""

if TYPE_CHECKING:
    from entrypoints.sandbox.wechat_v3 import WechatPayV3Emulator
    from entrypoints.sandbox.wechat_v3_state import Order

PAGE = """<!doctype html><html lang="zh"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>微信支付 sandbox</title><style>body{{font-family:sans-serif;max-width:40em;margin:auto}}
form{{display:inline}}</style></head><body>
<h1>微信支付 v3 sandbox</h1>{message}{rows}</body></html>"""


def _row(order: Order) -> str:
    no = html.escape(order.out_trade_no)
    buttons = ""
    if order.state == "NOTPAY":
        buttons = (
            f'<form method="post" action="{ORDERS}/{no}/pay"><button>pay 支付</button></form> '
            f'<form method="post" action="{ORDERS}/{no}/cancel"><button>cancel 取消</button></form>'
        )
    return (
        f"<p><b>{no}</b> {html.escape(order.description)} "
        f"{Money(order.total)} — {order.state} {buttons}</p>"
    )


def checkout_routes(emulator: WechatPayV3Emulator) -> list[HTTPRouteHandler]:
    from entrypoints.sandbox.wechat_v3_state import EmulatorError

    def page(orders: list[Order], message: str = "") -> Response[str]:
        shown = f"<p><i>{html.escape(message)}</i></p>" if message else ""
        rows = "".join(_row(order) for order in orders) or "<p>No order yet.</p>"
        return Response(PAGE.format(message=shown, rows=rows), media_type=MediaType.HTML)

    @get("/sandbox/wechat-v3/orders", sync_to_thread=False)
    def orders(message: FromQuery[str] = "") -> Response[str]:
        with emulator.lock:
            listed = sorted(emulator.orders.values(), key=lambda o: o.created_at, reverse=True)
        return page(listed, message)

    @get("/sandbox/wechat-v3/orders/{no:str}", sync_to_thread=False)
    def one(no: FromPath[str]) -> Response[str]:
        try:
            return page([emulator.order(no)])
        except EmulatorError as error:
            return page([], error.message)

    @post("/sandbox/wechat-v3/orders/{no:str}/pay", sync_to_thread=True)
    def pay(no: FromPath[str]) -> Redirect:
        try:
            status = emulator.pay(no)
            message = f"paid; the service answered the notification with HTTP {status}"
        except EmulatorError as error:
            message = error.message
        except httpx.HTTPError as error:
            message = f"paid; the notification could not be delivered: {error}"
        return Redirect(path="/sandbox/wechat-v3/orders", query_params={"message": message})

    @post("/sandbox/wechat-v3/orders/{no:str}/cancel", sync_to_thread=False)
    def cancel(no: FromPath[str]) -> Redirect:
        try:
            emulator.cancel(no)
            message = "cancelled"
        except EmulatorError as error:
            message = error.message
        return Redirect(path="/sandbox/wechat-v3/orders", query_params={"message": message})

    return [orders, one, pay, cancel]
