"""WeChat Pay API v3 through ``wechatpayv3``, in public-key mode, direct and partner mode.

The SDK signs requests, verifies the signatures of answers and notifications and decrypts the
AES-256-GCM resource. What it does not do, this adapter does (DESIGN.md §9): it refuses a
``Wechatpay-Timestamp`` more than 5 minutes from now, checks that a notification names this
account (``appid``/``mchid``; in partner mode ``sp_appid``/``sp_mchid`` and ``sub_mchid``),
maps ``trade_state``, and turns the SDK's HTTP answers (returned, not raised) into
:class:`GatewayUnavailable` / :class:`GatewayRefused`.

Key rotation: the gateway holds every generation of the account's keys, newest first; a
notification signed or encrypted under an older generation (a payment opened before the
rotation) verifies with that generation and is checked against its identity.
"""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import Callable, Sequence
from datetime import date, datetime, timedelta
from typing import Any

import requests
from wechatpayv3 import WeChatPayType  # type: ignore[import-untyped]

from adapters.payment.accounts import GatewaySetup
from adapters.payment.wechat_v3_account import WechatV3Account, account_from
from adapters.payment.wechat_v3_bill import parse_trade_bill, unpack_bill
from adapters.payment.wechat_v3_reports import answer_body, refund_report, trade_report
from estate_core.payments.credentials import (
    AccountMode,
    WechatPartnerCredentials,
    WechatV3Credentials,
)
from estate_core.payments.gateway import (
    Checkout,
    CheckoutKind,
    GatewayOrder,
    GatewayRefused,
    GatewayReply,
    GatewayUnavailable,
    Notice,
    NotificationRefused,
    NotificationRequest,
    PaymentGateway,
    RefundOrder,
    RefundReport,
    StatementEntry,
    TradeReport,
    TradeStatus,
)
from estate_core.payments.values import PaymentChannel
from estate_core.shared.clock import CHINA

MAX_AGE = timedelta(minutes=5)
"""A notification whose ``Wechatpay-Timestamp`` is further from now is refused (replays)."""

DESCRIPTION_MAX = 127

_PAY_TYPES = {
    PaymentChannel.WECHAT_JSAPI: WeChatPayType.JSAPI,
    PaymentChannel.WECHAT_NATIVE: WeChatPayType.NATIVE,
    PaymentChannel.WECHAT_H5: WeChatPayType.H5,
}
_ACK = GatewayReply(status_code=204, content_type="application/json", body=b"")
_FAIL = GatewayReply(
    status_code=500,
    content_type="application/json",
    body=json.dumps({"code": "FAIL", "message": "失败"}).encode(),
)


def wechat_v3_gateway(setup: GatewaySetup) -> PaymentGateway:
    """The factory ``StoredPaymentGateways`` calls for ``wechat_v3`` and ``wechat_partner``:
    every generation of the same mode becomes a key set the notifications may use."""
    accounts = []
    for credentials in setup.generations:
        if credentials.mode is not setup.current.mode:
            continue
        if isinstance(credentials, WechatV3Credentials):
            accounts.append(account_from(credentials))
        elif isinstance(credentials, WechatPartnerCredentials):
            sp = setup.platform.service_provider()
            accounts.append(account_from(sp, credentials))
    return WechatPayV3Gateway(accounts, setup.gateway_url)


WECHAT_V3_FACTORIES: dict[AccountMode, Callable[[GatewaySetup], PaymentGateway]] = {
    AccountMode.WECHAT_V3: wechat_v3_gateway,
    AccountMode.WECHAT_PARTNER: wechat_v3_gateway,
}


class WechatPayV3Gateway:
    """:class:`~estate_core.payments.gateway.PaymentGateway` of one WeChat Pay v3 account."""

    def __init__(self, accounts: Sequence[WechatV3Account], gateway_url: str) -> None:
        if not accounts:
            raise ValueError("a WeChat Pay v3 gateway needs at least one key generation")
        self._accounts = list(accounts)
        self._clients = [account.client(gateway_url) for account in self._accounts]
        self._account, self._pay = self._accounts[0], self._clients[0]

    def __repr__(self) -> str:
        return f"WechatPayV3Gateway({self._account.merchant})"

    def _call(self, call: Callable[[], tuple[int, Any]], *, allow: Sequence[str] = ()) -> Any:
        """The answer of a 2xx; GatewayRefused for a 4xx (unless its code is in ``allow``,
        then None), GatewayUnavailable for anything else or no answer at all."""
        try:
            status, text = call()
        except requests.RequestException as error:
            raise GatewayUnavailable(f"WeChat Pay did not answer: {type(error).__name__}") from None
        except Exception as error:  # the SDK raises bare Exception, e.g. on a bad signature
            raise GatewayUnavailable(f"WeChat Pay's answer was refused: {error}") from None
        if 200 <= status < 300:
            return text
        code = answer_body(text).get("code", "") if text else ""
        if code in allow:
            return None
        if status == 429 or status >= 500:
            raise GatewayUnavailable(f"WeChat Pay answered {status} {code}")
        raise GatewayRefused("payment.gateway_refused", f"WeChat Pay answered {status} {code}")

    def _sub(self) -> dict[str, str]:
        return {"sub_mchid": self._account.sub_mch_id} if self._account.sub_mch_id else {}

    def create(self, order: GatewayOrder) -> Checkout:
        pay_type = _PAY_TYPES.get(order.channel)
        if pay_type is None:
            raise GatewayRefused("payment.invalid_channel", f"{order.channel} is not WeChat Pay")
        account = self._account
        extra: dict[str, Any] = {}
        if pay_type is WeChatPayType.JSAPI:
            if not order.payer_id:
                raise GatewayRefused("payment.payer_required", "JSAPI needs the payer's openid")
            key = (
                ("sub_openid" if account.sub_app_id else "sp_openid")
                if account.partner
                else "openid"
            )
            extra["payer"] = {key: order.payer_id}
        if pay_type is WeChatPayType.H5:
            extra["scene_info"] = {
                "payer_client_ip": order.client_ip or "127.0.0.1",
                "h5_info": {"type": "Wap"},
            }
        if account.partner:
            extra["sub_appid"] = account.sub_app_id
            extra["sub_mchid"] = account.sub_mch_id
        text = self._call(
            lambda: self._pay.pay(
                description=order.description[:DESCRIPTION_MAX],
                out_trade_no=order.out_trade_no,
                amount={"total": order.amount.fen, "currency": "CNY"},
                time_expire=order.expires_at.astimezone(CHINA).isoformat(timespec="seconds"),
                notify_url=order.notify_url,
                pay_type=pay_type,
                **extra,
            )
        )
        answer = answer_body(text)
        if pay_type is WeChatPayType.NATIVE:
            return Checkout(kind=CheckoutKind.QR_CODE, url=answer["code_url"])
        if pay_type is WeChatPayType.H5:
            return Checkout(kind=CheckoutKind.REDIRECT, url=answer["h5_url"])
        return Checkout(kind=CheckoutKind.JSAPI, params=self._jsapi_params(answer["prepay_id"]))

    def _jsapi_params(self, prepay_id: str) -> dict[str, str]:
        """What ``WeixinJSBridge.invoke('getBrandWCPayRequest', …)`` takes, signed RSA."""
        app_id = self._account.sub_app_id or self._account.app_id
        stamp, nonce = str(int(time.time())), secrets.token_hex(16)
        package = f"prepay_id={prepay_id}"
        return {
            "appId": app_id,
            "timeStamp": stamp,
            "nonceStr": nonce,
            "package": package,
            "signType": "RSA",
            "paySign": self._pay.sign([app_id, stamp, nonce, package]),
        }

    def verify_notification(self, request: NotificationRequest, now: datetime) -> Notice:
        headers = {name.lower(): value for name, value in request.headers.items()}
        try:
            sent_at = datetime.fromtimestamp(
                int(headers.get("wechatpay-timestamp", "")), now.tzinfo
            )
        except (ValueError, OverflowError, OSError):
            raise NotificationRefused(
                "payment.notification_malformed", "no valid timestamp"
            ) from None
        if abs(now - sent_at) > MAX_AGE:
            raise NotificationRefused("payment.notification_stale", f"sent at {sent_at}")
        for account, client in zip(self._accounts, self._clients, strict=True):
            try:
                verified = client.callback(headers, request.body)
            except ValueError:  # signed, but not the JSON of a notification
                raise NotificationRefused("payment.notification_malformed", "not JSON") from None
            except Exception:  # the SDK raises bare Exception on unknown algorithms
                verified = None
            if verified:
                return self._notice(account, verified)
        raise NotificationRefused(
            "payment.notification_forged", "no key of this account verifies the notification"
        )

    def _notice(self, account: WechatV3Account, verified: dict[str, Any]) -> Notice:
        resource = verified.get("resource")
        if not isinstance(resource, dict):
            raise NotificationRefused("payment.notification_malformed", "no resource")
        self._check_account(account, resource)
        try:
            if str(verified.get("event_type", "")).startswith("REFUND."):
                return refund_report(resource)
            return trade_report(resource, partner=account.partner)
        except (KeyError, TypeError, ValueError) as error:
            raise NotificationRefused(
                "payment.notification_malformed", f"missing or bad field {error}"
            ) from None

    @staticmethod
    def _check_account(account: WechatV3Account, resource: dict[str, Any]) -> None:
        """The notification must name this tenant's account (the SDK never compares)."""
        prefix = "sp_" if account.partner else ""
        named = {"mchid": resource.get(f"{prefix}mchid")}
        expected: dict[str, str | None] = {"mchid": account.mch_id}
        if f"{prefix}appid" in resource:
            named["appid"] = resource.get(f"{prefix}appid")
            expected["appid"] = account.app_id
        if account.partner:
            named["sub_mchid"] = resource.get("sub_mchid")
            expected["sub_mchid"] = account.sub_mch_id
        if named != expected:
            wrong = ", ".join(sorted(k for k in expected if named.get(k) != expected[k]))
            raise NotificationRefused(
                "payment.notification_other_merchant", f"the notification names another {wrong}"
            )

    def acknowledgement(self) -> GatewayReply:
        return _ACK

    def refusal(self) -> GatewayReply:
        return _FAIL

    def query(self, out_trade_no: str) -> TradeReport:
        text = self._call(
            lambda: self._pay.query(out_trade_no=out_trade_no, **self._sub()),
            allow=("ORDER_NOT_EXIST", "ORDERNOTEXIST"),
        )
        if text is None:
            return TradeReport(
                out_trade_no=out_trade_no,
                status=TradeStatus.UNKNOWN,
                paid_amount=None,
                merchant=None,
            )
        answer = answer_body(text)
        self._check_answer(answer)
        return trade_report(answer, partner=self._account.partner)

    def _check_answer(self, answer: dict[str, Any]) -> None:
        try:
            self._check_account(self._account, answer)
        except NotificationRefused as refused:
            raise GatewayRefused("payment.merchant_mismatch", refused.message) from None

    def close(self, out_trade_no: str) -> None:
        self._call(
            lambda: self._pay.close(out_trade_no=out_trade_no, **self._sub()),
            allow=("ORDER_CLOSED", "ORDERCLOSED"),
        )

    def refund(self, order: RefundOrder) -> RefundReport:
        text = self._call(
            lambda: self._pay.refund(
                out_refund_no=order.out_refund_no,
                amount={
                    "refund": order.amount.fen,
                    "total": order.payment_amount.fen,
                    "currency": "CNY",
                },
                out_trade_no=order.out_trade_no,
                reason=order.reason[:80],
                notify_url=order.notify_url,
                **self._sub(),
            )
        )
        return refund_report(answer_body(text), out_trade_no=order.out_trade_no)

    def query_refund(self, out_trade_no: str, out_refund_no: str) -> RefundReport:
        text = self._call(
            lambda: self._pay.query_refund(out_refund_no=out_refund_no, **self._sub())
        )
        return refund_report(answer_body(text), out_trade_no=out_trade_no)

    def statement(self, day: date) -> list[StatementEntry]:
        """The trade bill of ``day`` (交易账单, ALL), downloaded and checked against its hash."""
        text = self._call(
            lambda: self._pay.trade_bill(bill_date=day.isoformat(), bill_type="ALL", **self._sub())
        )
        answer = answer_body(text)
        content = self._call(lambda: self._pay.download_bill(answer["download_url"]))
        raw = content if isinstance(content, bytes) else str(content).encode()
        return parse_trade_bill(unpack_bill(raw, answer.get("hash_type"), answer.get("hash_value")))
