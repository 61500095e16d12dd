"""Alipay's asynchronous notification 异步通知: an RSA2-signed form POST, read and checked.

The SDK's ``verify`` checks the signature only. Everything else a forger or a misrouted
notification could get wrong is checked here, and any doubt refuses the whole notification:
the app (and in partner mode the tenant's ``auth_app_id``), the seller, the kind, the trade
status, the amounts. A refund shows up as a trade notification carrying ``out_biz_no`` (the
refund's ``out_request_no``) and ``gmt_refund``.
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import parse_qsl

from alipay.exceptions import AliPayException

from adapters.payment.alipay_wire import TRADE_STATUSES, fen_from_yuan, from_beijing
from estate_core.payments.gateway import (
    Notice,
    NotificationRefused,
    RefundReport,
    RefundState,
    TradeReport,
    TradeStatus,
)
from estate_core.payments.values import MerchantAccount

log = logging.getLogger(__name__)

TRADE_STATUS_SYNC = "trade_status_sync"

_REQUIRED = ("notify_id", "app_id", "seller_id", "out_trade_no", "trade_no", "trade_status")


def _refuse(reason: str) -> NotificationRefused:
    log.warning("alipay notification refused: %s", reason)
    return NotificationRefused(reason)


def read_form(body: bytes) -> dict[str, str]:
    """The posted form, strictly: percent-encoded UTF-8, every name once."""
    try:
        pairs = parse_qsl(
            body.decode("ascii"), keep_blank_values=True, strict_parsing=True, errors="strict"
        )
    except ValueError:
        raise _refuse("the body is not a form") from None
    fields = dict(pairs)
    if len(fields) != len(pairs):
        raise _refuse("a field appears twice")
    return fields


def parse_notification(
    client: Any,
    body: bytes,
    *,
    app_id: str,
    seller_id: str,
    auth_app_id: str | None,
    merchant: MerchantAccount,
) -> Notice:
    """The notice in ``body``; :class:`NotificationRefused` unless genuine and this account's.

    ``auth_app_id`` is the tenant's app in partner mode (None in direct mode, where Alipay
    names the app itself there, if at all).
    """
    fields = read_form(body)
    _check_signature(client, fields)
    missing = [name for name in _REQUIRED if not fields.get(name)]
    if missing:
        raise _refuse(f"fields missing: {', '.join(missing)}")
    if fields["app_id"] != app_id:
        raise _refuse("another app's notification")
    named = fields.get("auth_app_id")
    if named != auth_app_id if auth_app_id else named not in (None, app_id):
        raise _refuse("another tenant's app (auth_app_id)")
    if fields["seller_id"] != seller_id:
        raise _refuse("another seller's notification")
    if fields.get("notify_type") != TRADE_STATUS_SYNC:
        raise _refuse("not a trade status notification")
    status = TRADE_STATUSES.get(fields["trade_status"])
    if status is None:
        raise _refuse("an unknown trade status")
    try:
        total = fen_from_yuan(fields.get("total_amount", ""))
        if fields.get("out_biz_no") and fields.get("gmt_refund"):
            fen_from_yuan(fields.get("refund_fee", ""))
            return RefundReport(
                out_trade_no=fields["out_trade_no"],
                out_refund_no=fields["out_biz_no"],
                state=RefundState.SUCCEEDED,
                refund_id=fields["trade_no"],
            )
        paid = status is TradeStatus.PAID
        paid_at = from_beijing(fields.get("gmt_payment", "")) if paid else None
    except ValueError as error:
        raise _refuse(f"a malformed amount or time: {error}") from None
    return TradeReport(
        out_trade_no=fields["out_trade_no"],
        status=status,
        paid_amount=total if paid else None,
        merchant=merchant if paid else None,
        transaction_id=fields["trade_no"],
        paid_at=paid_at,
    )


def _check_signature(client: Any, fields: dict[str, str]) -> None:
    """RSA2 over every non-empty field but ``sign`` and ``sign_type``, sorted (Alipay's rule)."""
    signature = fields.pop("sign", "")
    if not signature:
        raise _refuse("unsigned")
    if fields.get("sign_type") != "RSA2":
        raise _refuse("not signed with RSA2")
    signed = {name: value for name, value in fields.items() if value and name != "sign_type"}
    try:
        genuine = client.verify(signed, signature)
    except (AliPayException, ValueError, TypeError):
        genuine = False
    if not genuine:
        raise _refuse("the signature is not Alipay's")
