"""What WeChat Pay v3 says, in the port's vocabulary: trade and refund reports from a
notification's decrypted resource or an API answer (v3 field names; partner mode ``sp_*``)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from estate_core.payments.gateway import (
    GatewayUnavailable,
    RefundReport,
    RefundState,
    TradeReport,
    TradeStatus,
)
from estate_core.payments.values import MerchantAccount
from estate_core.shared.money import Money

TRADE_STATES = {
    "SUCCESS": TradeStatus.PAID,
    "REFUND": TradeStatus.REFUNDED,
    "NOTPAY": TradeStatus.NOT_PAID,
    "USERPAYING": TradeStatus.NOT_PAID,
    "PAYERROR": TradeStatus.NOT_PAID,
    "CLOSED": TradeStatus.CLOSED,
    "REVOKED": TradeStatus.CLOSED,
}
REFUND_STATES = {
    "SUCCESS": RefundState.SUCCEEDED,
    "PROCESSING": RefundState.PROCESSING,
    "CLOSED": RefundState.FAILED,
    "ABNORMAL": RefundState.FAILED,
}


def answer_body(text: Any) -> dict[str, Any]:
    try:
        loaded = json.loads(text) if text else {}
    except (TypeError, ValueError):
        raise GatewayUnavailable(
            "payment.gateway_malformed", "WeChat Pay answered non-JSON"
        ) from None
    if not isinstance(loaded, dict):
        raise GatewayUnavailable("payment.gateway_malformed", "WeChat Pay answered non-JSON")
    return loaded


def _time(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


def trade_report(resource: dict[str, Any], *, partner: bool) -> TradeReport:
    prefix = "sp_" if partner else ""
    status = TRADE_STATES.get(str(resource.get("trade_state")), TradeStatus.NOT_PAID)
    amount = resource.get("amount") or {}
    return TradeReport(
        out_trade_no=str(resource["out_trade_no"]),
        status=status,
        paid_amount=Money(int(amount["total"])) if "total" in amount else None,
        merchant=MerchantAccount(
            app_id=str(resource[f"{prefix}appid"]),
            merchant_id=str(resource[f"{prefix}mchid"]),
            sub_merchant_id=resource.get("sub_mchid") if partner else None,
        ),
        transaction_id=resource.get("transaction_id"),
        paid_at=_time(resource.get("success_time")),
    )


def refund_report(resource: dict[str, Any], out_trade_no: str | None = None) -> RefundReport:
    state = resource.get("refund_status") or resource.get("status")
    amount = resource.get("amount") or {}
    return RefundReport(
        out_trade_no=str(resource.get("out_trade_no") or out_trade_no),
        out_refund_no=str(resource["out_refund_no"]),
        state=REFUND_STATES.get(str(state), RefundState.PROCESSING),
        amount=Money(int(amount["refund"])) if "refund" in amount else None,
        refund_id=resource.get("refund_id"),
    )
