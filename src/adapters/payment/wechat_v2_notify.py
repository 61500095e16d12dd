"""WeChat Pay v2 notifications: verified and read, or refused (DESIGN.md §9).

wechatpy verifies payment notifications MD5 only; here both sign types are verified, and what no
SDK checks is: ``return_code`` and ``result_code``, ``appid`` / ``mch_id`` (and ``sub_mch_id``,
``sub_appid`` in partner mode: the service provider's other sub-merchants sign with the same key),
``out_trade_no`` and ``total_fee`` in whole fen. v2 notifications carry no timestamp, so nothing is
refused as stale; a copy settles nothing twice (settlement is idempotent). Refund notifications
are not signed: their ``req_info`` is AES-256-ECB under md5(API key), and only a message made with
our key decrypts to well-formed XML.
"""

from __future__ import annotations

from wechatpy.crypto import WeChatRefundCrypto

from adapters.payment.wechat_v2_client import (
    WeChatV2Account,
    fen,
    flat_fields,
    gateway_time,
    merchant_named,
    parse_xml,
    signature_matches,
)
from estate_core.payments.gateway import (
    Notice,
    NotificationRefused,
    RefundReport,
    RefundState,
    TradeReport,
    TradeStatus,
)
from estate_core.shared.money import Money

REFUND_STATES = {
    "SUCCESS": RefundState.SUCCEEDED,
    "PROCESSING": RefundState.PROCESSING,
    "CHANGE": RefundState.FAILED,
    "REFUNDCLOSE": RefundState.FAILED,
}


def verify_notification(account: WeChatV2Account, body: bytes) -> Notice:
    """The payment or refund notification in ``body`` (a ``req_info`` makes it a refund's);
    :class:`NotificationRefused` unless it is genuine and for ``account``."""
    try:
        fields = parse_xml(body)
    except ValueError as exc:
        raise NotificationRefused(f"malformed notification: {exc}") from exc
    if fields.get("return_code") != "SUCCESS":
        raise NotificationRefused("the notification's return_code is not SUCCESS")
    if "req_info" in fields:
        _check_account(account, fields)
        return _refund_notice(account, fields)
    if not signature_matches(fields, account.api_key):
        raise NotificationRefused("the notification's signature is not the gateway's")
    _check_account(account, fields)
    if fields.get("result_code") != "SUCCESS":
        raise NotificationRefused("the notification's result_code is not SUCCESS")
    try:
        return TradeReport(
            out_trade_no=fields["out_trade_no"],
            status=TradeStatus.PAID,
            paid_amount=Money(fen(fields.get("total_fee"))),
            merchant=merchant_named(fields),
            transaction_id=fields.get("transaction_id"),
            paid_at=gateway_time(fields.get("time_end")),
        )
    except (KeyError, ValueError) as exc:
        raise NotificationRefused(f"incomplete payment notification: {exc}") from exc


def _check_account(account: WeChatV2Account, fields: dict[str, str]) -> None:
    expected = {
        "appid": account.app_id,
        "mch_id": account.mch_id,
        "sub_mch_id": account.sub_mch_id,
    }
    for name, value in expected.items():
        if fields.get(name) != value:
            raise NotificationRefused(f"the notification's {name} is not this account's")
    if fields.get("sub_appid") not in (None, account.sub_app_id):
        raise NotificationRefused("the notification's sub_appid is not this account's")


def _refund_notice(account: WeChatV2Account, fields: dict[str, str]) -> RefundReport:
    crypto = WeChatRefundCrypto(account.api_key)
    try:
        info = flat_fields(crypto.decrypt_message(fields, account.app_id, account.mch_id))
        return RefundReport(
            out_trade_no=info["out_trade_no"],
            out_refund_no=info["out_refund_no"],
            state=REFUND_STATES[info["refund_status"]],
            amount=Money(fen(info.get("refund_fee"))),
            refund_id=info.get("refund_id"),
        )
    except Exception as exc:  # any failure to decrypt or read means: not made with our key
        raise NotificationRefused("the refund notification does not decrypt") from exc
