"""The Alipay emulator 支付宝沙箱: the openapi gateway, its cashier, notifications and bills.

It knows apps (direct: an app and its seller; partner: an ISV app and the ``app_auth_token``
each merchant granted it), verifies each request's RSA2 signature with the app's public key,
and answers ``<method>_response`` signed with its own key, as Alipay does. Trades live in
memory. A test or the sandbox checkout page pays or cancels a trade, which posts the signed
notification to the trade's ``notify_url`` over real HTTP. Refund notifications and retries
are sent only when asked (:meth:`AlipayEmulator.notify_refund`), so tests never wait on one.
"""

from __future__ import annotations

import itertools
import json
import secrets
import threading
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

import attrs

from entrypoints.sandbox import alipay_keys as keys
from entrypoints.sandbox.alipay_bill import bill_archive
from entrypoints.sandbox.alipay_methods import GatewayMethods
from entrypoints.sandbox.alipay_state import (
    BEIJING,
    STAMP,
    TRADE_CLOSED,
    TRADE_SUCCESS,
    WAIT_BUYER_PAY,
    AlipayError,
    App,
    Caller,
    Trade,
    beijing,
    invalid,
    yuan_of,
)
from estate_core.payments.credentials import AlipayCredentials, from_document

if TYPE_CHECKING:
    from litestar import Litestar

NOTIFY_LEAVES_OUT = frozenset({"sign", "sign_type"})
REQUEST_LEAVES_OUT = frozenset({"sign"})


@attrs.frozen
class Delivery:
    """One notification posted, and what the receiver answered (None: nobody answered)."""

    out_trade_no: str
    trade_status: str
    status_code: int | None
    body: bytes

    @property
    def acknowledged(self) -> bool:
        """Alipay stops sending only on a body of exactly ``success``."""
        return self.body == b"success"


DEMO_APP, DEMO_SELLER = "2021000122600001", "2088102177846880"


class AlipayEmulator(GatewayMethods):
    """Alipay's gateway with keys of its own (``private_key_pem`` to reuse given ones)."""

    def __init__(
        self,
        private_key_pem: str | None = None,
        *,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self._key = (
            keys.load_private(private_key_pem) if private_key_pem else keys.generate_private_key()
        )
        self.public_key_pem = keys.public_pem(self._key)
        self.clock = clock or (lambda: datetime.now(UTC))
        self.lock = threading.RLock()
        self.trades: dict[tuple[str, str], Trade] = {}
        self.bills: dict[str, tuple[str, date]] = {}
        self.deliveries: list[Delivery] = []
        self._apps: dict[str, App] = {}
        self._grants: dict[str, tuple[str, Caller]] = {}
        self.serial = itertools.count(1)
        self._demo: list[AlipayCredentials] = []

    gateway_path = "/gateway.do"
    """The gateway URL staff enter is the emulator's URL and this path (``estate sandbox``)."""

    def demo_credentials(self) -> list[AlipayCredentials]:
        """A merchant app for the demo, as a tenant would enter it: ``estate sandbox`` saves it
        (with :meth:`state`, so the next start knows the same keys)."""
        with self.lock:
            if not self._demo:
                app_key = keys.private_pem(keys.generate_private_key())
                self._demo.append(
                    AlipayCredentials(
                        app_id=DEMO_APP,
                        app_private_key=app_key,
                        alipay_public_key=self.public_key_pem,
                        seller_id=DEMO_SELLER,
                    )
                )
                self.add_app(DEMO_APP, keys.public_pem(keys.load_private(app_key)), DEMO_SELLER)
            return list(self._demo)

    def state(self) -> dict[str, Any]:
        """The keys to start again with (:meth:`from_state`): tenants' stored keys stay valid."""
        return {
            "private_key": keys.private_pem(self._key),
            "apps": [credentials.to_document() for credentials in self._demo],
        }

    @classmethod
    def from_state(cls, state: dict[str, Any]) -> AlipayEmulator:
        emulator = cls(state["private_key"])
        for document in state["apps"]:
            credentials = from_document(document)
            if isinstance(credentials, AlipayCredentials):
                emulator._demo.append(credentials)
                public = keys.public_pem(keys.load_private(credentials.app_private_key))
                emulator.add_app(credentials.app_id, public, credentials.seller_id)
        return emulator

    def add_app(self, app_id: str, public_key_pem: str, seller_id: str) -> None:
        """A merchant's own app (direct mode): it acts for its seller."""
        self._apps[app_id] = App(app_id, public_key_pem, seller_id)

    def add_isv(self, app_id: str, public_key_pem: str) -> None:
        """A service provider's app (partner mode): it acts only with an ``app_auth_token``."""
        self._apps[app_id] = App(app_id, public_key_pem, None)

    def authorize(
        self, isv_app_id: str, auth_app_id: str, seller_id: str, app_auth_token: str = ""
    ) -> str:
        """A merchant (its app and seller) authorises the ISV app; returns the token."""
        token = app_auth_token or f"202612BB{secrets.token_hex(16)}"
        self._grants[token] = (isv_app_id, Caller(isv_app_id, auth_app_id, seller_id))
        return token

    def app(self) -> Litestar:
        from entrypoints.sandbox.alipay_api import gateway_app

        return gateway_app(self)

    def authenticate(self, fields: Mapping[str, str]) -> Caller:
        """The caller of a request whose signature, app and token check out."""
        app = self._apps.get(fields.get("app_id", ""))
        if app is None:
            raise invalid("isv.invalid-app-id", "无效的AppID参数")
        if fields.get("sign_type") != "RSA2":
            raise invalid("isv.invalid-signature-type", "无效的签名类型")
        if fields.get("charset", "utf-8").lower() != "utf-8":
            raise invalid("isv.invalid-charset", "字符集错误")
        try:
            datetime.strptime(fields.get("timestamp", ""), STAMP).replace(tzinfo=BEIJING)
        except ValueError:
            raise invalid("isv.invalid-timestamp", "非法的时间戳参数") from None
        text = keys.signing_text(fields, leave_out=REQUEST_LEAVES_OUT)
        if not keys.verify(app.public_key_pem, text, fields.get("sign", "")):
            raise invalid("isv.invalid-signature", "验签出错，请确认应用私钥与应用公钥匹配")
        token = fields.get("app_auth_token")
        if token:
            grant = self._grants.get(token)
            if grant is None or grant[0] != app.app_id:
                raise AlipayError(
                    "aop.invalid-app-auth-token",
                    "无效的应用授权令牌",
                    code="20001",
                    msg="Insufficient Token Permissions",
                )
            return grant[1]
        if app.seller_id is None:
            raise AlipayError(
                "isv.insufficient-isv-permissions",
                "ISV权限不足，请代商户传入app_auth_token",
                code="40006",
                msg="Insufficient Permissions",
            )
        return Caller(app.app_id, app.app_id, app.seller_id)

    def signed_answer(self, method: str, content: Mapping[str, Any]) -> str:
        """``{"<method>_response":{…},"sign":"…"}``, signed over the exact inner JSON text."""
        inner = json.dumps(content, ensure_ascii=False, separators=(",", ":"))
        key = method.replace(".", "_") + "_response"
        signature = keys.sign(self._key, inner)
        return f'{{"{key}":{inner},"sign":"{signature}"}}'

    def find(self, out_trade_no: str) -> Trade:
        """The trade of that number, whoever's (numbers are unique in tests and the sandbox)."""
        with self.lock:
            found = [t for (_, number), t in self.trades.items() if number == out_trade_no]
        if len(found) != 1:
            raise KeyError(f"{len(found)} trades have number {out_trade_no}")
        return found[0]

    def pay(self, out_trade_no: str, *, deliver: bool = True) -> int | None:
        """The buyer pays: the trade succeeds and its notification is posted (unless
        ``deliver`` is off: a notification lost on the way, for the query to find)."""
        trade = self.find(out_trade_no)
        with self.lock:
            trade.expire(self.clock())
            if trade.status != WAIT_BUYER_PAY:
                raise AlipayError("ACQ.TRADE_STATUS_ERROR", f"交易状态不合法: {trade.status}")
            trade.opened, trade.status, trade.paid_at = True, TRADE_SUCCESS, self.clock()
        if not deliver:
            return None
        return self.deliver(out_trade_no, self.notification_for(out_trade_no))

    def cancel(self, out_trade_no: str) -> int | None:
        """The buyer gives up and the trade closes unpaid, with a ``TRADE_CLOSED`` notification."""
        trade = self.find(out_trade_no)
        with self.lock:
            if trade.status != WAIT_BUYER_PAY:
                raise AlipayError("ACQ.TRADE_STATUS_ERROR", f"交易状态不合法: {trade.status}")
            trade.opened, trade.status, trade.closed_at = True, TRADE_CLOSED, self.clock()
        return self.deliver(out_trade_no, self.notification_for(out_trade_no))

    def notify_refund(self, out_trade_no: str, out_request_no: str) -> int | None:
        """Post the notification Alipay sends after a refund."""
        form = self.notification_for(out_trade_no, out_request_no)
        return self.deliver(out_trade_no, form)

    def notification_fields(self, out_trade_no: str, out_request_no: str = "") -> dict[str, str]:
        """The unsigned fields of the trade's notification (of a refund, given its number)."""
        trade = self.find(out_trade_no)
        now = self.clock()
        fields = {
            "notify_time": beijing(now),
            "notify_type": "trade_status_sync",
            "notify_id": secrets.token_hex(16),
            "charset": "utf-8",
            "version": "1.0",
            "app_id": trade.caller.app_id,
            "auth_app_id": trade.caller.auth_app_id,
            "seller_id": trade.caller.seller_id,
            "seller_email": "seller***@sandbox.com",
            "trade_no": trade.trade_no,
            "out_trade_no": trade.out_trade_no,
            "trade_status": trade.status,
            "total_amount": yuan_of(trade.fen),
            "subject": trade.subject,
            "gmt_create": beijing(trade.created_at),
        }
        if trade.paid_at is not None:
            paid = yuan_of(trade.fen)
            fields |= {
                "buyer_id": trade.buyer_id,
                "buyer_logon_id": trade.buyer_logon_id,
                "gmt_payment": beijing(trade.paid_at),
                "receipt_amount": paid,
                "invoice_amount": paid,
                "buyer_pay_amount": paid,
                "point_amount": "0.00",
                "fund_bill_list": json.dumps(
                    [{"amount": paid, "fundChannel": "ALIPAYACCOUNT"}], separators=(",", ":")
                ),
            }
        if trade.closed_at is not None:
            fields["gmt_close"] = beijing(trade.closed_at)
        if out_request_no:
            refund = trade.refunds[out_request_no]
            fields |= {
                "out_biz_no": out_request_no,
                "refund_fee": yuan_of(trade.refunded_fen),
                "gmt_refund": f"{beijing(refund.at)}.000",
            }
        return fields

    def signed_form(self, fields: Mapping[str, str]) -> bytes:
        """``fields`` signed as Alipay signs a notification, form-encoded (tests alter fields)."""
        text = keys.signing_text(fields, leave_out=NOTIFY_LEAVES_OUT)
        signed = {**fields, "sign_type": "RSA2", "sign": keys.sign(self._key, text)}
        return urlencode(signed).encode("ascii")

    def notification_for(self, out_trade_no: str, out_request_no: str = "") -> bytes:
        return self.signed_form(self.notification_fields(out_trade_no, out_request_no))

    def return_query(self, trade: Trade) -> str:
        """The signed parameters the payer's browser brings back to ``return_url``."""
        fields = {
            "charset": "utf-8",
            "method": f"{trade.method}.return",
            "app_id": trade.caller.app_id,
            "auth_app_id": trade.caller.auth_app_id,
            "seller_id": trade.caller.seller_id,
            "out_trade_no": trade.out_trade_no,
            "trade_no": trade.trade_no,
            "total_amount": yuan_of(trade.fen),
            "timestamp": beijing(self.clock()),
            "version": "1.0",
        }
        return self.signed_form(fields).decode("ascii")

    def deliver(self, out_trade_no: str, form: bytes) -> int | None:
        """POST a notification to the trade's ``notify_url``; returns the receiver's status
        (None when the order named no URL or nobody answered)."""
        trade = self.find(out_trade_no)
        if not trade.notify_url.startswith(("http://", "https://")):
            return None
        request = urllib.request.Request(
            trade.notify_url,
            data=form,
            method="POST",
            headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"},
        )
        status: int | None
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                status, body = response.status, response.read()
        except urllib.error.HTTPError as error:
            status, body = error.code, error.read()
        except OSError:
            status, body = None, b""
        with self.lock:
            self.deliveries.append(Delivery(out_trade_no, trade.status, status, body))
        return status

    def statement(self, seller_id: str, day: date) -> bytes:
        """The zipped trade bill of ``seller_id`` for a Beijing ``day``."""
        lines = self.bill_lines(seller_id, day)
        return bill_archive(seller_id, day, lines, self.clock().astimezone(BEIJING))
