"""WeChat Pay API v2 through ``wechatpy``: the gateway of tenants still on v2 (DESIGN.md §9).

Direct mode and partner mode (服务商: ``sub_mch_id``, optional ``sub_appid``) differ only in the
account's values. wechatpy signs the requests; the adapter verifies every answer's signature and
translates errors (``wechat_v2_client``), verifies notifications in both sign types and checks
the account (``wechat_v2_notify``), and reads the statement (``wechat_v2_bill``). Whether the
amount is the payment's is settlement's check (``settle_payment``), in one place.
"""

from __future__ import annotations

import time
from datetime import date, datetime
from typing import Any
from urllib.parse import quote

from wechatpy.utils import random_string

from adapters.payment.accounts import GatewayFactory, GatewaySetup
from adapters.payment.generations import KeyGenerations
from adapters.payment.wechat_v2_bill import NO_BILL, parse_statement
from adapters.payment.wechat_v2_client import (
    SignType,
    V2Client,
    WeChatV2Account,
    answer_fields,
    fen,
    gateway_errors,
    gateway_time,
    merchant_named,
    sign,
)
from adapters.payment.wechat_v2_notify import REFUND_STATES, verify_notification
from estate_core.payments.credentials import AccountMode, WechatV2Credentials
from estate_core.payments.gateway import (
    Checkout,
    CheckoutKind,
    GatewayOrder,
    GatewayRefused,
    GatewayReply,
    GatewayUnavailable,
    Notice,
    NotificationRequest,
    PaymentGateway,
    RefundOrder,
    RefundReport,
    RefundState,
    StatementEntry,
    TradeReport,
    TradeStatus,
)
from estate_core.payments.values import MerchantAccount, PaymentChannel
from estate_core.shared.clock import CHINA
from estate_core.shared.errors import InvalidInput
from estate_core.shared.money import Money

TRADE_TYPES = {
    PaymentChannel.WECHAT_JSAPI: "JSAPI",
    PaymentChannel.WECHAT_NATIVE: "NATIVE",
    PaymentChannel.WECHAT_H5: "MWEB",
}

TRADE_STATES = {
    "SUCCESS": TradeStatus.PAID,
    "REFUND": TradeStatus.REFUNDED,
    "NOTPAY": TradeStatus.NOT_PAID,
    "USERPAYING": TradeStatus.NOT_PAID,
    "PAYERROR": TradeStatus.NOT_PAID,
    "CLOSED": TradeStatus.CLOSED,
    "REVOKED": TradeStatus.CLOSED,
}


def _reply(return_code: str, return_msg: str) -> GatewayReply:
    body = (
        f"<xml><return_code><![CDATA[{return_code}]]></return_code>"
        f"<return_msg><![CDATA[{return_msg}]]></return_msg></xml>"
    )
    return GatewayReply(status_code=200, content_type="text/xml", body=body.encode())


def _body(description: str) -> str:
    """``body`` takes at most 128 bytes of UTF-8: cut there, never inside a character."""
    return description.encode()[:128].decode(errors="ignore")


class WeChatPayV2Gateway:
    """A :class:`~estate_core.payments.gateway.PaymentGateway` over one v2 account."""

    def __init__(self, account: WeChatV2Account) -> None:
        self._account = account
        self._client = V2Client(account)

    @property
    def merchant(self) -> MerchantAccount:
        """The account payments opened here record, and their reports name."""
        return self._account.merchant

    def close_connections(self) -> None:
        """Release the pooled HTTP connections (an adapter kept for the process needs not)."""
        self._client._http.close()

    def create(self, order: GatewayOrder) -> Checkout:
        trade_type = TRADE_TYPES.get(order.channel)
        if trade_type is None:
            raise InvalidInput("payment.invalid_channel", f"{order.channel} is not WeChat Pay")
        with gateway_errors():
            answer = answer_fields(
                self._client.order.create(
                    trade_type=trade_type,
                    body=_body(order.description),
                    total_fee=order.amount.fen,
                    notify_url=order.notify_url,
                    client_ip=order.client_ip or self._account.server_ip,
                    out_trade_no=order.out_trade_no,
                    time_expire=order.expires_at.astimezone(CHINA),
                    **self._channel_fields(order, trade_type),
                )
            )
        try:
            if trade_type == "JSAPI":
                return Checkout(kind=CheckoutKind.JSAPI, params=self._jsapi(answer["prepay_id"]))
            if trade_type == "NATIVE":
                return Checkout(kind=CheckoutKind.QR_CODE, url=answer["code_url"])
            url = answer["mweb_url"]
        except KeyError as exc:
            raise GatewayUnavailable(f"the unified order answer has no {exc}") from exc
        if order.return_url:
            url = f"{url}&redirect_url={quote(order.return_url, safe='')}"
        return Checkout(kind=CheckoutKind.REDIRECT, url=url)

    def _channel_fields(self, order: GatewayOrder, trade_type: str) -> dict[str, Any]:
        if trade_type == "NATIVE":
            return {"product_id": order.out_trade_no}
        if trade_type == "MWEB":
            if not order.client_ip:
                raise InvalidInput("payment.client_ip_required", "H5 pay needs the payer's IP")
            h5 = {"type": "Wap", "wap_name": order.description[:32]}
            if order.return_url:
                h5["wap_url"] = order.return_url
            return {"scene_info": {"h5_info": h5}}
        if not order.payer_id:
            raise InvalidInput("payment.payer_required", "JSAPI pay needs the payer's openid")
        # An openid under the company's own app (sub_appid) is a sub_openid in partner mode.
        return {"sub_user_id" if self._account.sub_app_id else "user_id": order.payer_id}

    def _jsapi(self, prepay_id: str) -> dict[str, str]:
        """The parameters of ``getBrandWCPayRequest``, signed in the order's sign type."""
        params = {
            "appId": self._account.sub_app_id or self._account.app_id,
            "timeStamp": str(int(time.time())),
            "nonceStr": random_string(32),
            "package": f"prepay_id={prepay_id}",
            "signType": self._account.sign_type.value,
        }
        params["paySign"] = sign(params, self._account.api_key, self._account.sign_type)
        return params

    def verify_notification(self, request: NotificationRequest, now: datetime) -> Notice:
        """v2 notifications carry no timestamp: ``now`` judges nothing (see wechat_v2_notify)."""
        return verify_notification(self._account, request.body)

    def acknowledgement(self) -> GatewayReply:
        return _reply("SUCCESS", "OK")

    def refusal(self) -> GatewayReply:
        return _reply("FAIL", "not handled")

    def query(self, out_trade_no: str) -> TradeReport:
        try:
            with gateway_errors():
                answer = answer_fields(self._client.order.query(out_trade_no=out_trade_no))
        except GatewayRefused as exc:
            if exc.details.get("gateway_code") != "ORDERNOTEXIST":
                raise
            unknown = TradeStatus.UNKNOWN
            return TradeReport(
                out_trade_no=out_trade_no, status=unknown, paid_amount=None, merchant=None
            )
        try:
            status = TRADE_STATES[answer["trade_state"]]
            paid = status in (TradeStatus.PAID, TradeStatus.REFUNDED)
            if answer["out_trade_no"] != out_trade_no:
                raise ValueError("the answer is about another order")
            return TradeReport(
                out_trade_no=out_trade_no,
                status=status,
                paid_amount=Money(fen(answer.get("total_fee"))) if paid else None,
                merchant=merchant_named(answer),
                transaction_id=answer.get("transaction_id"),
                paid_at=gateway_time(answer.get("time_end")) if paid else None,
            )
        except (KeyError, ValueError) as exc:
            raise GatewayUnavailable(f"unreadable order query answer: {exc}") from exc

    def close(self, out_trade_no: str) -> None:
        try:
            with gateway_errors():
                self._client.order.close(out_trade_no)
        except GatewayRefused as exc:
            if exc.details.get("gateway_code") != "ORDERCLOSED":
                raise

    def refund(self, order: RefundOrder) -> RefundReport:
        """Submit a refund; in production this call needs the API client certificate."""
        with gateway_errors():
            answer = answer_fields(
                self._client.refund.apply(
                    total_fee=order.payment_amount.fen,
                    refund_fee=order.amount.fen,
                    out_refund_no=order.out_refund_no,
                    out_trade_no=order.out_trade_no,
                    refund_desc=order.reason,
                    notify_url=order.notify_url,
                )
            )
        try:
            return RefundReport(
                out_trade_no=order.out_trade_no,
                out_refund_no=answer["out_refund_no"],
                state=RefundState.PROCESSING,
                amount=Money(fen(answer.get("refund_fee"))),
                refund_id=answer.get("refund_id"),
            )
        except (KeyError, ValueError) as exc:
            raise GatewayUnavailable(f"unreadable refund answer: {exc}") from exc

    def query_refund(self, out_trade_no: str, out_refund_no: str) -> RefundReport:
        with gateway_errors():
            answer = answer_fields(
                self._client.refund.query(out_refund_no=out_refund_no, out_trade_no=out_trade_no)
            )
        try:
            if answer["out_trade_no"] != out_trade_no:
                raise ValueError("the answer is about another order")
            count = int(answer["refund_count"])
            index = next(i for i in range(count) if answer[f"out_refund_no_{i}"] == out_refund_no)
            return RefundReport(
                out_trade_no=out_trade_no,
                out_refund_no=out_refund_no,
                state=REFUND_STATES[answer[f"refund_status_{index}"]],
                amount=Money(fen(answer.get(f"refund_fee_{index}"))),
                refund_id=answer.get(f"refund_id_{index}"),
            )
        except (KeyError, ValueError, StopIteration) as exc:
            raise GatewayUnavailable(f"unreadable refund query answer: {exc}") from exc

    def statement(self, day: date) -> list[StatementEntry]:
        try:
            with gateway_errors():
                text = self._client.tools.download_bill(day, bill_type="ALL")
        except GatewayRefused as exc:
            if exc.details.get("gateway_message") == NO_BILL:
                return []
            raise
        if not isinstance(text, str):
            raise GatewayUnavailable("the statement came as XML, not as text")
        return parse_statement(text, self._account.mch_id, self._account.sub_mch_id)


def _v2_account(credentials: WechatV2Credentials, gateway_url: str) -> WeChatV2Account:
    return WeChatV2Account(
        app_id=credentials.app_id,
        mch_id=credentials.mch_id,
        api_key=credentials.api_key,
        sign_type=SignType(credentials.sign_type.value),
        base_url=gateway_url.rstrip("/") + "/",
    )


def wechat_v2_gateway(setup: GatewaySetup) -> PaymentGateway:
    """The factory ``StoredPaymentGateways`` calls for ``wechat_v2``: the newest API key does
    the work, the previous ones still verify the notifications of payments opened under them."""
    return KeyGenerations(
        [
            WeChatPayV2Gateway(_v2_account(credentials, setup.gateway_url))
            for credentials in setup.generations
            if isinstance(credentials, WechatV2Credentials)
        ]
    )


WECHAT_V2_FACTORIES: dict[AccountMode, GatewayFactory] = {AccountMode.WECHAT_V2: wechat_v2_gateway}
"""WeChat partner mode has no v2 flavour in the stored configuration: the service provider is
a v3 merchant (``Platform.wechat_service_provider``), so ``wechat_partner`` is the v3 adapter's."""
