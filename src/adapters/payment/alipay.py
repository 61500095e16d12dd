"""Alipay 支付宝 behind the gateway port, through ``python-alipay-sdk`` (RSA2, public-key mode).

Direct mode signs as the tenant's own app (``AliPay``); partner mode (服务商 / ISV) signs as the
platform's app on the tenant's behalf with the tenant's ``app_auth_token`` (``ISVAliPay``), and
Alipay then names the tenant's app as ``auth_app_id``. The SDK signs requests and verifies
signatures; it checks nothing else. So this adapter checks what it does not (DESIGN.md §9): the
``code`` of every answer, and in a notification the app, the seller, the trade status and that
the amount is an amount. Whether the amount is *our* payment's is the settlement's decision.
"""

from __future__ import annotations

import urllib.request
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from alipay import AliPay, ISVAliPay

from adapters.payment.accounts import GatewayFactory, GatewaySetup
from adapters.payment.alipay_calls import call, field, pem
from adapters.payment.alipay_notice import parse_notification
from adapters.payment.alipay_statement import parse_statement
from adapters.payment.alipay_wire import (
    TRADE_STATUSES,
    beijing_text,
    fen_from_yuan,
    from_beijing,
    yuan_text,
)
from adapters.payment.generations import KeyGenerations
from estate_core.payments.credentials import AccountMode, AlipayCredentials, AlipayIsvCredentials
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
from estate_core.shared.errors import InvalidInput

PRODUCTION_GATEWAY = "https://openapi.alipay.com/gateway.do"
SANDBOX_GATEWAY = "https://openapi-sandbox.dl.alipaydev.com/gateway.do"
"""Alipay's own sandbox (沙箱环境); our emulator serves ``<base>/gateway.do``."""

TRADE_NOT_EXIST = "ACQ.TRADE_NOT_EXIST"
BILL_NOT_EXIST = "isp.bill_not_exist"


class AlipayGateway:
    """One tenant's Alipay account: a :class:`~estate_core.payments.gateway.PaymentGateway`.

    Built from plain values so the factory over the stored merchant configuration can call it.
    Partner mode is on when ``app_auth_token`` is given: ``app_id`` and the private key are then
    the platform's, ``auth_app_id`` the tenant's app. ``seller_id`` is the tenant's Alipay user
    id (2088…), the account the money goes to in either mode.
    """

    def __init__(
        self,
        *,
        app_id: str,
        seller_id: str,
        app_private_key: str,
        alipay_public_key: str,
        gateway_url: str = PRODUCTION_GATEWAY,
        app_auth_token: str | None = None,
        auth_app_id: str | None = None,
        timeout: float = 15.0,
    ) -> None:
        keys: dict[str, Any] = {
            "appid": app_id,
            "app_private_key_string": pem(app_private_key, "app private key"),
            "alipay_public_key_string": pem(alipay_public_key, "Alipay public key"),
            "sign_type": "RSA2",
        }
        self._client: AliPay | ISVAliPay
        if app_auth_token is None:
            if auth_app_id not in (None, app_id):
                raise InvalidInput("payment.invalid_account", "auth_app_id is for partner mode")
            self._client = AliPay(**keys)
        else:
            if not auth_app_id:
                raise InvalidInput("payment.invalid_account", "partner mode needs auth_app_id")
            self._client = ISVAliPay(**keys, app_auth_token=app_auth_token)
        # The SDK takes neither a gateway URL (it knows production and Alipay's sandbox; the
        # emulator has its own) nor, in partner mode, a timeout: both are set on the client.
        self._client._gateway = gateway_url
        self._client._config.timeout = timeout
        self._gateway_url = gateway_url
        self._timeout = timeout
        self._app_id = app_id
        self._seller_id = seller_id
        self._auth_app_id = auth_app_id if app_auth_token is not None else None

    @property
    def merchant(self) -> MerchantAccount:
        """The receiving account as payments record it (``receiving_account``): the app that
        signs (the tenant's, or the ISV's), the seller id, and in ISV mode the tenant's app."""
        return MerchantAccount(
            app_id=self._app_id, merchant_id=self._seller_id, sub_merchant_id=self._auth_app_id
        )

    def create(self, order: GatewayOrder) -> Checkout:
        try:
            amount = yuan_text(order.amount)
        except ValueError as error:
            raise InvalidInput("payment.invalid_amount", str(error)) from None
        fields: dict[str, Any] = {
            "subject": order.description,
            "out_trade_no": order.out_trade_no,
            "total_amount": amount,
            "notify_url": order.notify_url,
            "time_expire": beijing_text(order.expires_at),
        }
        if order.channel is PaymentChannel.ALIPAY_QR:
            answer = call(self._client.api_alipay_trade_precreate, **fields)
            return Checkout(kind=CheckoutKind.QR_CODE, url=field(answer, "qr_code"))
        pages = {
            PaymentChannel.ALIPAY_WAP: self._client.api_alipay_trade_wap_pay,
            PaymentChannel.ALIPAY_PAGE: self._client.api_alipay_trade_page_pay,
        }
        page = pages.get(order.channel)
        if page is None:
            raise InvalidInput("payment.invalid_channel", f"Alipay does not take {order.channel}")
        signed = page(return_url=order.return_url, **fields)
        return Checkout(kind=CheckoutKind.REDIRECT, url=f"{self._gateway_url}?{signed}")

    def verify_notification(self, request: NotificationRequest, now: datetime) -> Notice:
        """Alipay's notifications carry no freshness to check: it retries for 25 hours."""
        return parse_notification(
            self._client,
            request.body,
            app_id=self._app_id,
            seller_id=self._seller_id,
            auth_app_id=self._auth_app_id,
            merchant=self.merchant,
        )

    def acknowledgement(self) -> GatewayReply:
        return GatewayReply(status_code=200, content_type="text/plain", body=b"success")

    def refusal(self) -> GatewayReply:
        """Anything but exactly ``success`` makes Alipay send the notification again."""
        return GatewayReply(status_code=200, content_type="text/plain", body=b"fail")

    def query(self, out_trade_no: str) -> TradeReport:
        try:
            answer = call(self._client.api_alipay_trade_query, out_trade_no=out_trade_no)
        except GatewayRefused as refused:
            if refused.details.get("sub_code") == TRADE_NOT_EXIST:
                return TradeReport(
                    out_trade_no=out_trade_no,
                    status=TradeStatus.UNKNOWN,
                    paid_amount=None,
                    merchant=None,
                )
            raise
        return self._trade_report(out_trade_no, answer)

    def _trade_report(self, out_trade_no: str, answer: Mapping[str, Any]) -> TradeReport:
        status = TRADE_STATUSES.get(str(answer.get("trade_status")))
        if status is None:
            raise GatewayUnavailable(f"Alipay answered an unknown trade status for {out_trade_no}")
        paid_on = answer.get("send_pay_date")
        if status is TradeStatus.CLOSED and paid_on:
            status = TradeStatus.REFUNDED
        paid = status in (TradeStatus.PAID, TradeStatus.REFUNDED)
        try:
            amount = fen_from_yuan(field(answer, "total_amount")) if paid else None
            paid_at = from_beijing(str(paid_on)) if paid and paid_on else None
        except ValueError as error:
            raise GatewayUnavailable(f"Alipay answered a malformed trade: {error}") from None
        return TradeReport(
            out_trade_no=out_trade_no,
            status=status,
            paid_amount=amount,
            merchant=self.merchant if paid else None,
            transaction_id=answer.get("trade_no"),
            paid_at=paid_at,
        )

    def close(self, out_trade_no: str) -> None:
        """A trade Alipay never opened (the payer never reached the cashier) is closed too."""
        try:
            call(self._client.api_alipay_trade_close, out_trade_no=out_trade_no)
        except GatewayRefused as refused:
            if refused.details.get("sub_code") == TRADE_NOT_EXIST:
                return
            if self.query(out_trade_no).status is TradeStatus.CLOSED:
                return
            raise

    def refund(self, order: RefundOrder) -> RefundReport:
        """Alipay refunds at once; ``fund_change`` says whether *this* call moved the money.

        A repeat of one ``out_request_no`` moves nothing (``N``): the refund query then says
        whether the first one succeeded.
        """
        try:
            amount = yuan_text(order.amount)
        except ValueError as error:
            raise InvalidInput("payment.invalid_amount", str(error)) from None
        answer = call(
            self._client.api_alipay_trade_refund,
            refund_amount=amount,
            out_trade_no=order.out_trade_no,
            out_request_no=order.out_refund_no,
            refund_reason=order.reason,
        )
        if answer.get("fund_change") != "Y":
            return self.query_refund(order.out_trade_no, order.out_refund_no)
        return RefundReport(
            out_trade_no=order.out_trade_no,
            out_refund_no=order.out_refund_no,
            state=RefundState.SUCCEEDED,
            amount=order.amount,
            refund_id=answer.get("trade_no"),
        )

    def query_refund(self, out_trade_no: str, out_refund_no: str) -> RefundReport:
        """``REFUND_SUCCESS`` is success; no status means not (yet) refunded, never "failed":
        Alipay says a refund queried too early may still succeed, and the same number retried
        refunds once."""
        answer = call(
            self._client.api_alipay_trade_fastpay_refund_query,
            out_request_no=out_refund_no,
            out_trade_no=out_trade_no,
        )
        succeeded = answer.get("refund_status") == "REFUND_SUCCESS"
        try:
            amount = fen_from_yuan(field(answer, "refund_amount")) if succeeded else None
        except ValueError as error:
            raise GatewayUnavailable(f"Alipay answered a malformed refund: {error}") from None
        return RefundReport(
            out_trade_no=out_trade_no,
            out_refund_no=out_refund_no,
            state=RefundState.SUCCEEDED if succeeded else RefundState.PROCESSING,
            amount=amount,
            refund_id=answer.get("trade_no"),
        )

    def statement(self, day: date) -> list[StatementEntry]:
        """The trade bill (业务明细) of ``day``: a zip of GBK CSV files behind a short-lived URL.

        Alipay answers ``isp.bill_not_exist`` for a day without trades, and also for a day whose
        bill is not ready yet (before about 10:00 the next day, Beijing time): ask after that.
        """
        try:
            answer = call(
                self._client.server_api,
                "alipay.data.dataservice.bill.downloadurl.query",
                {"bill_type": "trade", "bill_date": day.isoformat()},
            )
        except GatewayRefused as refused:
            if refused.details.get("sub_code") == BILL_NOT_EXIST:
                return []
            raise
        try:
            with urllib.request.urlopen(
                field(answer, "bill_download_url"), timeout=self._timeout
            ) as response:
                archive = response.read()
        except OSError as error:
            raise GatewayUnavailable(f"the Alipay bill could not be downloaded: {error}") from None
        try:
            return parse_statement(archive)
        except ValueError as error:
            raise GatewayUnavailable(f"the Alipay bill could not be read: {error}") from None


def _alipay(
    credentials: AlipayCredentials | AlipayIsvCredentials, setup: GatewaySetup
) -> AlipayGateway:
    if isinstance(credentials, AlipayCredentials):
        return AlipayGateway(
            app_id=credentials.app_id,
            seller_id=credentials.seller_id,
            app_private_key=credentials.app_private_key,
            alipay_public_key=credentials.alipay_public_key,
            gateway_url=setup.gateway_url,
        )
    isv = setup.platform.isv()
    return AlipayGateway(
        app_id=isv.app_id,
        seller_id=credentials.seller_id,
        app_private_key=isv.app_private_key,
        alipay_public_key=isv.alipay_public_key,
        gateway_url=setup.gateway_url,
        app_auth_token=credentials.app_auth_token,
        auth_app_id=credentials.auth_app_id,
    )


def alipay_gateway(setup: GatewaySetup) -> PaymentGateway:
    """The factory ``StoredPaymentGateways`` calls for ``alipay`` and ``alipay_isv``: the newest
    generation does the work, the previous ones still verify the notifications of payments
    opened under them (same mode only: a switch of mode is another receiving account)."""
    return KeyGenerations(
        [
            _alipay(credentials, setup)
            for credentials in setup.generations
            if isinstance(credentials, AlipayCredentials | AlipayIsvCredentials)
            and credentials.mode is setup.current.mode
        ]
    )


ALIPAY_FACTORIES: dict[AccountMode, GatewayFactory] = {
    AccountMode.ALIPAY: alipay_gateway,
    AccountMode.ALIPAY_ISV: alipay_gateway,
}
