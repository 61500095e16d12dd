"""The Alipay emulator over HTTP: ``/gateway.do``, the cashier pages, the bill download.

``/gateway.do`` takes a GET or a form POST, as Alipay does. A request that fails the common
checks (app, signature, token) gets an unsigned error answer, a business refusal a signed one;
the WAP and page payment methods are the payer's browser arriving at the cashier (收银台), which
offers "pay" and "cancel" and then sends the browser to the order's ``return_url``.
"""

from __future__ import annotations

import json
from html import escape
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl

from litestar import Litestar, Request, get, post, route
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Response

from entrypoints.sandbox.alipay_methods import PAGE_METHODS
from entrypoints.sandbox.alipay_state import AlipayError, Trade, yuan_of

if TYPE_CHECKING:
    from entrypoints.sandbox.alipay import AlipayEmulator

JSON = "application/json; charset=utf-8"
HTML = "text/html; charset=utf-8"


def _form(raw: bytes) -> dict[str, str]:
    return dict(parse_qsl(raw.decode("latin-1"), keep_blank_values=True, encoding="utf-8"))


def _page(title: str, body: str, status_code: int = 200) -> Response[str]:
    text = (
        '<!doctype html><html lang="zh"><head><meta charset="utf-8">'
        f"<title>{escape(title)}</title></head><body>{body}</body></html>"
    )
    return Response(text, status_code=status_code, media_type=HTML)


def _cashier(trade: Trade) -> Response[str]:
    number = escape(trade.trade_no)
    return _page(
        "支付宝收银台 (sandbox)",
        f"<h1>{escape(trade.subject)}</h1><p>¥{yuan_of(trade.fen)}</p>"
        f"<p>{escape(trade.out_trade_no)}</p>"
        f'<form method="post" action="/cashier/{number}/pay"><button>确认付款</button></form>'
        f'<form method="post" action="/cashier/{number}/cancel"><button>取消</button></form>',
    )


def _refused(error: AlipayError) -> Response[str]:
    answer = error.answer
    return _page("支付宝", f"<p>{escape(answer['sub_code'])}: {escape(answer['sub_msg'])}</p>", 400)


def gateway_app(emulator: AlipayEmulator) -> Litestar:
    def by_trade_no(trade_no: str) -> Trade:
        with emulator.lock:
            found = [t for t in emulator.trades.values() if t.trade_no == trade_no]
        if not found:
            raise AlipayError("ACQ.TRADE_NOT_EXIST", "交易不存在")
        return found[0]

    @route("/gateway.do", http_method=["GET", "POST"], status_code=200)
    async def gateway(request: Request[Any, Any, Any]) -> Response[str]:
        fields = _form(request.scope["query_string"])
        if request.method == "POST":
            fields |= _form(await request.body())
        method = fields.get("method", "")
        key = f"{method.replace('.', '_')}_response" if method else "error_response"
        base_url = str(request.base_url).rstrip("/")
        try:
            caller = emulator.authenticate(fields)
        except AlipayError as error:
            return Response(json.dumps({key: error.answer}, ensure_ascii=False), media_type=JSON)
        if method in PAGE_METHODS:
            try:
                return _cashier(emulator.open_trade(caller, fields, opened=True))
            except AlipayError as error:
                return _refused(error)
        try:
            content = emulator.answer(caller, method, fields, base_url)
        except AlipayError as error:
            content = error.answer
        return Response(emulator.signed_answer(method, content), media_type=JSON)

    @get("/qr/{token:str}", sync_to_thread=False)
    def scan(token: FromPath[str]) -> Response[str]:
        """The payer's Alipay app scanned the code: now the trade exists."""
        with emulator.lock:
            found = [t for t in emulator.trades.values() if t.qr_token == token]
            if not found:
                return _page("支付宝", "<p>二维码无效</p>", 404)
            found[0].opened = True
        return _cashier(found[0])

    @post("/cashier/{trade_no:str}/pay", sync_to_thread=True, status_code=200)
    def pay(trade_no: FromPath[str]) -> Response[str]:
        try:
            trade = by_trade_no(trade_no)
            emulator.pay(trade.out_trade_no)
        except AlipayError as error:
            return _refused(error)
        if trade.return_url:
            joiner = "&" if "?" in trade.return_url else "?"
            url = f"{trade.return_url}{joiner}{emulator.return_query(trade)}"
            return Redirect(url, status_code=303)
        return _page("支付宝", "<p>支付成功</p>")

    @post("/cashier/{trade_no:str}/cancel", sync_to_thread=True, status_code=200)
    def cancel(trade_no: FromPath[str]) -> Response[str]:
        try:
            emulator.cancel(by_trade_no(trade_no).out_trade_no)
        except AlipayError as error:
            return _refused(error)
        return _page("支付宝", "<p>交易已关闭</p>")

    @get("/downloadBillFile.resource", sync_to_thread=False)
    def download(token: FromQuery[str]) -> Response[bytes]:
        bill = emulator.bills.get(token)
        if bill is None:
            return Response(b"", status_code=404)
        seller_id, day = bill
        return Response(
            emulator.statement(seller_id, day),
            media_type="application/zip",
            headers={
                "Content-Disposition": f"attachment; filename={seller_id}_{day:%Y%m%d}.csv.zip"
            },
        )

    return Litestar(route_handlers=[gateway, scan, pay, cancel, download])
