"""A loopback WeChat Pay API v2: what ``estate sandbox`` and the v2 adapter's tests talk to.

It speaks v2 for real: XML requests whose ``sign`` (MD5 or HMAC-SHA256, by ``sign_type``) it
checks with the merchant's API key, answers signed the same way, payment notifications signed
and refund notifications encrypted (``req_info``) as the gateway makes them, posted over HTTP to
the order's ``notify_url``, and the daily statement in the gateway's text format. It does not
check the API client certificate of ``/secapi/pay/refund`` (served over plain HTTP).
"""

from __future__ import annotations

import secrets
import threading
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime
from typing import Any

import attrs
from litestar import Litestar, Request, Response, post
from litestar.handlers import HTTPRouteHandler

from entrypoints.sandbox.wechat_v2_book import V2Merchant, bill
from entrypoints.sandbox.wechat_v2_ledger import GatewayError, Ledger
from entrypoints.sandbox.wechat_v2_protocol import (
    SIGN_TYPES,
    bill_day,
    from_xml,
    signature,
    signed,
    to_xml,
)
from estate_core.payments.credentials import WechatV2Credentials, from_document

__all__ = ["Delivery", "V2Merchant", "WeChatV2Emulator"]


class _Fail(Exception):
    """A request refused before any business (``return_code`` FAIL, unsigned)."""


@attrs.frozen
class Delivery:
    """One notification posted to a receiver, and what it answered."""

    url: str
    status: int
    reply: bytes

    @property
    def acknowledged(self) -> bool:
        """Whether the receiver said SUCCESS, so the gateway stops sending."""
        try:
            return self.status == 200 and from_xml(self.reply).get("return_code") == "SUCCESS"
        except ValueError:
            return False


DEMO_MCH, DEMO_APP = "1900000119", "wx2421b1c4370ec43c"


class WeChatV2Emulator:
    """The gateway's side: merchants and their keys, orders and refunds in memory."""

    def __init__(
        self,
        merchants: Iterable[V2Merchant] = (),
        *,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._merchants = {(m.mch_id, m.sub_mch_id): m for m in merchants}
        self._ledger = Ledger(clock)
        self._lock = threading.Lock()
        self.deliveries: list[Delivery] = []
        self._demo: list[WechatV2Credentials] = []

    def demo_credentials(self) -> list[WechatV2Credentials]:
        """A merchant for the demo, as a tenant would enter it: ``estate sandbox`` saves it
        (with :meth:`state`, so the next start knows the same API key)."""
        with self._lock:
            if not self._demo:
                demo = V2Merchant(mch_id=DEMO_MCH, api_key=secrets.token_hex(16), app_id=DEMO_APP)
                self._demo.append(
                    WechatV2Credentials(
                        app_id=demo.app_id, mch_id=demo.mch_id, api_key=demo.api_key
                    )
                )
                self._merchants[(demo.mch_id, None)] = demo
            return list(self._demo)

    def state(self) -> dict[str, Any]:
        """The API keys to start again with (:meth:`from_state`)."""
        return {"merchants": [credentials.to_document() for credentials in self._demo]}

    @classmethod
    def from_state(cls, state: dict[str, Any]) -> WeChatV2Emulator:
        emulator = cls()
        for document in state["merchants"]:
            credentials = from_document(document)
            if isinstance(credentials, WechatV2Credentials):
                emulator._demo.append(credentials)
                emulator.add_merchant(
                    V2Merchant(
                        mch_id=credentials.mch_id,
                        api_key=credentials.api_key,
                        app_id=credentials.app_id,
                    )
                )
        return emulator

    def add_merchant(self, merchant: V2Merchant) -> None:
        with self._lock:
            self._merchants[(merchant.mch_id, merchant.sub_mch_id)] = merchant

    # --- what a checkout page or a test does -------------------------------------------------

    def pay(self, out_trade_no: str, *, deliver: bool = True) -> int | None:
        """The payer pays: mark the order paid and post its notification; the receiver's status
        (None when ``deliver`` is off: a notification lost on the way, for the query to find).

        An order already paid has its notification posted again, as the gateway retries.
        """
        with self._lock:
            order = self._ledger.find(out_trade_no)
            if order.state == "NOTPAY":
                order.state, order.paid_at = "SUCCESS", self._ledger.clock()
                order.transaction_id = f"42000{self._ledger.serial():023d}"
            elif order.state not in ("SUCCESS", "REFUND"):
                raise ValueError(f"order {out_trade_no} is {order.state}, it cannot be paid")
            url, message = order.notify_url, order.notification()
        return self._post(url, message) if deliver else None

    def cancel(self, out_trade_no: str) -> None:
        """The payer gives up: the order is closed unpaid (no notification, as at the gateway)."""
        with self._lock:
            order = self._ledger.find(out_trade_no)
            if order.state != "NOTPAY":
                raise ValueError(f"order {out_trade_no} is {order.state}")
            order.state = "CLOSED"

    def notification_for(self, out_trade_no: str, /, **changes: str) -> bytes:
        """The signed notification of a paid order; ``changes`` are signed as the gateway's."""
        with self._lock:
            return self._ledger.find(out_trade_no).notification(**changes)

    def check_jsapi(self, params: dict[str, str]) -> str:
        """What WeChat checks when a page calls ``getBrandWCPayRequest``; the out_trade_no."""
        with self._lock:
            prepay_id = params.get("package", "").removeprefix("prepay_id=")
            orders = self._ledger.orders.values()
            order = next((o for o in orders if o.prepay_id == prepay_id), None)
            if order is None:
                raise ValueError("unknown prepay_id")
            merchant = order.merchant
            sign_type = params.get("signType", "MD5")
            fields = {k: v for k, v in params.items() if k != "paySign"}
            if params.get("appId") != (merchant.sub_app_id or merchant.app_id):
                raise ValueError("appId is not the order's")
            if params.get("paySign") != signature(fields, merchant.api_key, sign_type):
                raise ValueError("paySign is not the merchant's signature")
            return order.out_trade_no

    def finish_refund(self, out_refund_no: str, *, succeed: bool = True) -> int | None:
        """The refund completes (or fails, ``CHANGE``); the receiver's status, if notified."""
        with self._lock:
            order, refund = self._ledger.find_refund(out_refund_no)
            refund.status = "SUCCESS" if succeed else "CHANGE"
            refund.finished_at = self._ledger.clock()
            url, message = refund.notify_url, order.refund_notification(refund)
        return None if url is None else self._post(url, message)

    def refund_notification_for(self, out_refund_no: str, /, **changes: str) -> bytes:
        with self._lock:
            order, refund = self._ledger.find_refund(out_refund_no)
            return order.refund_notification(refund, **changes)

    def statement(self, day: date, mch_id: str, sub_mch_id: str | None = None) -> str | None:
        """The statement text of one day for one account; None if nothing happened then."""
        with self._lock:
            return bill(self._ledger.orders_of(mch_id, sub_mch_id), day)

    # --- the protocol ------------------------------------------------------------------------

    def app(self) -> Litestar:
        actions: dict[str, Callable[[V2Merchant, dict[str, str]], dict[str, str]]] = {
            "/pay/unifiedorder": self._ledger.unified_order,
            "/pay/orderquery": self._ledger.order_query,
            "/pay/closeorder": self._ledger.close_order,
            "/secapi/pay/refund": self._ledger.refund,
            "/pay/refundquery": self._ledger.refund_query,
        }
        handlers = [self._route(path, action) for path, action in actions.items()]
        return Litestar(route_handlers=[*handlers, self._bill_route()], openapi_config=None)

    def _route(
        self, path: str, action: Callable[[V2Merchant, dict[str, str]], dict[str, str]]
    ) -> HTTPRouteHandler:
        async def endpoint(request: Request[Any, Any, Any]) -> Response[bytes]:
            return _xml(self._serve(action, await request.body()))

        return post(path, status_code=200, include_in_schema=False)(endpoint)

    def _bill_route(self) -> HTTPRouteHandler:
        async def download_bill(request: Request[Any, Any, Any]) -> Response[bytes]:
            body = await request.body()
            try:
                with self._lock:
                    merchant, fields = self._authenticate(body)
                    text = bill(
                        self._ledger.orders_of(merchant.mch_id, merchant.sub_mch_id),
                        bill_day(fields.get("bill_date", "")),
                    )
            except (_Fail, ValueError) as exc:
                return _xml(to_xml({"return_code": "FAIL", "return_msg": str(exc)}))
            if text is None:
                failure = {"return_code": "FAIL", "return_msg": "No Bill Exist"}
                return _xml(to_xml({**failure, "error_code": "20002"}))
            return Response(text.encode(), media_type="text/plain; charset=utf-8", status_code=200)

        return post("/pay/downloadbill", status_code=200, include_in_schema=False)(download_bill)

    def _serve(
        self, action: Callable[[V2Merchant, dict[str, str]], dict[str, str]], body: bytes
    ) -> bytes:
        with self._lock:
            try:
                merchant, fields = self._authenticate(body)
            except _Fail as exc:
                return to_xml({"return_code": "FAIL", "return_msg": str(exc)})
            try:
                result = {"result_code": "SUCCESS", **action(merchant, fields)}
            except GatewayError as exc:
                result = {
                    "result_code": "FAIL",
                    "err_code": exc.code,
                    "err_code_des": exc.description,
                }
            answer = {
                "return_code": "SUCCESS",
                "return_msg": "OK",
                **merchant.names(),
                "nonce_str": secrets.token_hex(16),
                **result,
            }
            sign_type = fields.get("sign_type", "MD5")
            return to_xml(signed(answer, merchant.api_key, sign_type))

    def _authenticate(self, body: bytes) -> tuple[V2Merchant, dict[str, str]]:
        try:
            fields = from_xml(body)
        except ValueError as exc:
            raise _Fail(str(exc)) from exc
        merchant = self._merchants.get((fields.get("mch_id", ""), fields.get("sub_mch_id") or None))
        if merchant is None:
            raise _Fail("mch_id或sub_mch_id不存在")
        sign_type = fields.get("sign_type", "MD5")
        if sign_type not in SIGN_TYPES:
            raise _Fail("sign_type参数错误")
        if fields.get("sign") != signature(fields, merchant.api_key, sign_type):
            raise _Fail("签名错误")
        if fields.get("appid") != merchant.app_id:
            raise _Fail("appid和mch_id不匹配")
        if fields.get("sub_appid") not in (None, "", merchant.sub_app_id):
            raise _Fail("sub_appid和sub_mch_id不匹配")
        if not fields.get("nonce_str"):
            raise _Fail("缺少参数 nonce_str")
        return merchant, fields

    def _post(self, url: str, message: bytes) -> int:
        request = urllib.request.Request(
            url, data=message, headers={"Content-Type": "text/xml"}, method="POST"
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                status, reply = response.status, response.read()
        except urllib.error.HTTPError as exc:
            status, reply = exc.code, exc.read()
        self.deliveries.append(Delivery(url=url, status=int(status), reply=reply))
        return int(status)


def _xml(body: bytes) -> Response[bytes]:
    return Response(body, media_type="text/xml", status_code=200)
