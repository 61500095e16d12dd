"""A loopback WeChat Pay API v3 (public-key mode) for the sandbox and the tests.

:class:`WechatPayV3Emulator` holds its own WeChat Pay key pair and the merchants it knows (each
opened with keys it generates: :meth:`open_merchant`), keeps orders and refunds in memory, and
serves (``app()``) the v3 endpoints the adapter uses: JSAPI / Native / H5 orders, query, close,
refund, refund query, trade bill and its download, in direct and partner mode. It verifies the
SDK's request signatures, signs every answer, and posts notifications with the v3 headers and
the AES-256-GCM resource: the SDK's own signing and verification code runs in every test.

A person (``estate sandbox``) or a test drives the payer's side: :meth:`pay`, :meth:`cancel`,
:meth:`complete_refund`, :meth:`notification_for` (to replay or tamper with).
"""

from __future__ import annotations

import gzip
import json
import threading
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

import httpx
from litestar import Litestar, Response

from adapters.payment.wechat_v3_bill import HEADER
from entrypoints.sandbox.wechat_v3_pages import checkout_routes
from entrypoints.sandbox.wechat_v3_protocol import (
    KeyPair,
    encrypt_resource,
    public_pem_of,
    random_text,
    signed_headers,
)
from entrypoints.sandbox.wechat_v3_routes import api_routes
from entrypoints.sandbox.wechat_v3_state import (
    EmulatorError,
    Merchant,
    Order,
    Refund,
    bill_lines,
    refund_amount,
    stamp,
)
from estate_core.payments.credentials import WechatV3Credentials, from_document

NOTIFY_TIMEOUT = 10.0


class WechatPayV3Emulator:
    """WeChat Pay v3 in memory, speaking the real protocol over loopback HTTP."""

    def __init__(
        self,
        *,
        platform_key: KeyPair | None = None,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self.lock = threading.RLock()
        self._now = clock or (lambda: datetime.now(UTC))
        self.platform_keys: dict[str, KeyPair] = {}
        self.platform_key_id = ""
        self.rotate_platform_key(platform_key)
        self.merchants: dict[str, Merchant] = {}
        self.orders: dict[str, Order] = {}
        self.bills: dict[str, bytes] = {}
        self._demo: list[WechatV3Credentials] = []

    def now(self) -> datetime:
        return self._now()

    # ---- keys and merchants -------------------------------------------------------------

    def rotate_platform_key(self, key: KeyPair | None = None) -> tuple[str, str]:
        """A new WeChat Pay key pair; older ones keep signing the orders opened under them."""
        with self.lock:
            key_id = f"PUB_KEY_ID_{len(self.platform_keys) + 1:02d}{random_text(20).upper()}"
            self.platform_keys[key_id] = key or KeyPair.generate()
            self.platform_key_id = key_id
            return key_id, self.platform_keys[key_id].public_pem

    def open_merchant(self, mch_id: str, app_id: str) -> WechatV3Credentials:
        """A merchant (or service provider) with fresh keys: the credentials a tenant enters."""
        with self.lock:
            merchant = Merchant(mch_id=mch_id, app_id=app_id, api_v3_keys=[], request_keys={})
            self.merchants[mch_id] = merchant
            return self.rotate_merchant_keys(mch_id)

    def rotate_merchant_keys(self, mch_id: str) -> WechatV3Credentials:
        """New API v3 key and API certificate; the old certificate keeps signing requests."""
        with self.lock:
            merchant = self.merchants[mch_id]
            request_key, serial = KeyPair.generate(), random_text(40).upper()
            merchant.request_keys[serial] = request_key.public_pem
            merchant.api_v3_keys.append(random_text(32))
            return WechatV3Credentials(
                app_id=merchant.app_id,
                mch_id=mch_id,
                api_v3_key=merchant.api_v3_keys[-1],
                private_key=request_key.private_pem,
                cert_serial=serial,
                wechatpay_public_key=self.platform_keys[self.platform_key_id].public_pem,
                wechatpay_public_key_id=self.platform_key_id,
            )

    name = "wechat_v3"
    checkout_path = "/sandbox/wechat-v3/orders"
    """The page where a person pays or cancels an order (``estate sandbox`` links it)."""

    def demo_credentials(self) -> list[WechatV3Credentials]:
        """A merchant for the demo, as a tenant would enter it: ``estate sandbox`` saves it
        (with :meth:`state`, so the next start knows the same keys)."""
        with self.lock:
            if not self._demo:
                self._demo.append(self.open_merchant("1900000109", "wx2421b1c4370ec43b"))
            return list(self._demo)

    def state(self) -> dict[str, Any]:
        """The keys to start again with (:meth:`from_state`): tenants' stored keys stay valid."""
        with self.lock:
            key = self.platform_keys[self.platform_key_id]
            return {
                "platform_key_id": self.platform_key_id,
                "platform_private_key": key.private_pem,
                "platform_public_key": key.public_pem,
                "merchants": [credentials.to_document() for credentials in self._demo],
            }

    @classmethod
    def from_state(cls, state: dict[str, Any]) -> WechatPayV3Emulator:
        emulator = cls(
            platform_key=KeyPair(state["platform_private_key"], state["platform_public_key"])
        )
        emulator.platform_keys = {state["platform_key_id"]: emulator.platform_keys.popitem()[1]}
        emulator.platform_key_id = state["platform_key_id"]
        for document in state["merchants"]:
            credentials = from_document(document)
            if isinstance(credentials, WechatV3Credentials):
                emulator.register_merchant(credentials)
                emulator._demo.append(credentials)
        return emulator

    def register_merchant(self, credentials: WechatV3Credentials) -> None:
        """A merchant with the keys it already has (a restart, or keys a test brings)."""
        with self.lock:
            merchant = self.merchants.setdefault(
                credentials.mch_id,
                Merchant(
                    mch_id=credentials.mch_id,
                    app_id=credentials.app_id,
                    api_v3_keys=[],
                    request_keys={},
                ),
            )
            merchant.request_keys[credentials.cert_serial] = public_pem_of(credentials.private_key)
            merchant.api_v3_keys.append(credentials.api_v3_key)

    def add_sub_merchant(
        self, sp_mch_id: str, sub_mch_id: str, sub_app_id: str | None = None
    ) -> None:
        with self.lock:
            self.merchants[sp_mch_id].sub_merchants[sub_mch_id] = sub_app_id

    # ---- the payer's side ---------------------------------------------------------------

    def order(self, out_trade_no: str) -> Order:
        with self.lock:
            order = self.orders.get(out_trade_no)
            if order is None:
                raise EmulatorError(404, "ORDER_NOT_EXIST", f"no order {out_trade_no}")
            return order

    def pay(self, out_trade_no: str, *, deliver: bool = True) -> int | None:
        """The payer pays: the order succeeds and (unless ``deliver`` is false: a lost
        notification) its notification is posted; the receiver's HTTP status, or None."""
        with self.lock:
            order = self.order(out_trade_no)
            if order.state != "NOTPAY":
                raise EmulatorError(400, "ORDERPAID", f"order is {order.state}")
            order.state = "SUCCESS"
            order.transaction_id = "42" + random_text(26).upper()
            order.success_time = self.now()
        if not deliver:
            return None
        return self.deliver(order.notify_url, *self.notification_for(out_trade_no))

    def cancel(self, out_trade_no: str) -> None:
        """The payer gives up and the order closes (WeChat sends no notification for it)."""
        with self.lock:
            order = self.order(out_trade_no)
            if order.state == "NOTPAY":
                order.state = "CLOSED"

    def notification_for(
        self,
        out_trade_no: str,
        *,
        timestamp: int | None = None,
        overrides: dict[str, Any] | None = None,
    ) -> tuple[dict[str, str], bytes]:
        """The signed ``TRANSACTION.SUCCESS`` notification of a paid order; ``overrides``
        replace fields of the resource before it is encrypted and signed, as a gateway that
        names another merchant or amount would (the checks no SDK makes)."""
        with self.lock:
            order = self.order(out_trade_no)
            plain = {**order.transaction(), **(overrides or {})}
            resource = json.dumps(plain, ensure_ascii=False)
            return self._notification(
                order, "TRANSACTION.SUCCESS", "transaction", resource, timestamp
            )

    def refund_notification_for(
        self, out_refund_no: str, *, timestamp: int | None = None
    ) -> tuple[dict[str, str], bytes]:
        with self.lock:
            order, refund = self.find_refund(out_refund_no)
            plain = {
                **order.ids(),
                "out_trade_no": order.out_trade_no,
                "transaction_id": order.transaction_id,
                "out_refund_no": refund.out_refund_no,
                "refund_id": refund.refund_id,
                "refund_status": refund.status,
                "success_time": stamp(refund.success_time),
                "user_received_account": "支付用户零钱",
                "amount": refund_amount(order, refund),
            }
            for name in ("appid", "sp_appid", "sub_appid"):
                plain.pop(name, None)
            event = "REFUND.SUCCESS" if refund.status == "SUCCESS" else "REFUND.ABNORMAL"
            return self._notification(order, event, "refund", json.dumps(plain), timestamp)

    def _notification(
        self, order: Order, event: str, kind: str, plaintext: str, timestamp: int | None
    ) -> tuple[dict[str, str], bytes]:
        sent_at = self.now()
        body = json.dumps(
            {
                "id": random_text(36),
                "create_time": stamp(sent_at),
                "resource_type": "encrypt-resource",
                "event_type": event,
                "summary": "支付成功" if kind == "transaction" else "退款状态变更",
                "resource": encrypt_resource(order.api_v3_key, plaintext, kind),
            },
            ensure_ascii=False,
        )
        sent = int(sent_at.timestamp()) if timestamp is None else timestamp
        key_id = order.platform_key_id
        headers = signed_headers(self.platform_keys[key_id], key_id, body, sent)
        headers["Content-Type"] = "application/json"
        return headers, body.encode()

    def signed(self, body: str, *, timestamp: int | None = None) -> tuple[dict[str, str], bytes]:
        """Any body signed with the current WeChat Pay key (a malformed one, in tests)."""
        sent = int(self.now().timestamp()) if timestamp is None else timestamp
        key = self.platform_keys[self.platform_key_id]
        headers = signed_headers(key, self.platform_key_id, body, sent)
        return headers, body.encode()

    @staticmethod
    def deliver(url: str, headers: dict[str, str], body: bytes) -> int:
        """POST a notification as WeChat Pay does; the receiver's HTTP status."""
        return httpx.post(url, headers=headers, content=body, timeout=NOTIFY_TIMEOUT).status_code

    def find_refund(self, out_refund_no: str) -> tuple[Order, Refund]:
        with self.lock:
            for order in self.orders.values():
                for refund in order.refunds:
                    if refund.out_refund_no == out_refund_no:
                        return order, refund
        raise EmulatorError(404, "RESOURCE_NOT_EXISTS", f"no refund {out_refund_no}")

    def complete_refund(
        self, out_refund_no: str, *, succeed: bool = True, notify: bool = True
    ) -> int | None:
        """The refund reaches the payer (or fails); its notification is posted when the refund
        named a notify_url and ``notify``; the receiver's HTTP status, or None."""
        with self.lock:
            order, refund = self.find_refund(out_refund_no)
            refund.status = "SUCCESS" if succeed else "ABNORMAL"
            refund.success_time = self.now() if succeed else None
            if succeed:
                order.state = "REFUND"
        if not (notify and refund.notify_url):
            return None
        return self.deliver(refund.notify_url, *self.refund_notification_for(out_refund_no))

    def statement(self, mch_id: str, day: date, sub_mch_id: str | None = None) -> str:
        """The trade bill of one Beijing day of a merchant (of one sub-merchant if given)."""
        lines = [HEADER]
        with self.lock:
            for order in self.orders.values():
                if order.mch_id != mch_id or (sub_mch_id and order.sub_mch_id != sub_mch_id):
                    continue
                lines.extend(bill_lines(order, day))
        lines.append(f"总交易单数,应结订单总金额\n`{len(lines) - 1},`0.00")
        return "\n".join(lines) + "\n"

    def save_bill(self, text: str, gzipped: bool) -> tuple[str, bytes]:
        data = gzip.compress(text.encode()) if gzipped else text.encode()
        token = random_text(24)
        with self.lock:
            self.bills[token] = data
        return token, data

    # ---- the HTTP side ------------------------------------------------------------------

    def sign_answer(self, status: int, payload: dict[str, Any] | None) -> Response[bytes]:
        body = "" if payload is None else json.dumps(payload)
        headers = signed_headers(
            self.platform_keys[self.platform_key_id], self.platform_key_id, body
        )
        media = "application/json" if payload is not None else None
        return Response(body.encode(), status_code=status, headers=headers, media_type=media)

    def app(self) -> Litestar:
        return Litestar(route_handlers=[*api_routes(self), *checkout_routes(self)], debug=False)
