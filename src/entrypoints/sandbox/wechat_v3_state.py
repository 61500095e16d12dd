"""The emulated WeChat Pay's records: merchants, orders and their refunds, as the gateway
keeps them and answers them (v3 field names), and the trade bill lines of a day."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import attrs

from adapters.payment.wechat_v3_bill import bill_line
from estate_core.shared.clock import CHINA
from estate_core.shared.money import Money


class EmulatorError(Exception):
    """An answer the gateway gives with an HTTP error: ``status`` and WeChat's ``code``."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


@attrs.define
class Merchant:
    mch_id: str
    app_id: str
    api_v3_keys: list[str]
    """Every generation, newest last; an order keeps the one it was opened under."""
    request_keys: dict[str, str]
    """Serial number → PEM public key of the merchant's API certificates."""
    sub_merchants: dict[str, str | None] = attrs.field(factory=dict)


@attrs.define
class Refund:
    out_refund_no: str
    refund_id: str
    amount: int
    status: str
    notify_url: str | None
    created_at: datetime
    success_time: datetime | None = None


@attrs.define
class Order:
    out_trade_no: str
    mch_id: str
    app_id: str
    sub_mch_id: str | None
    sub_app_id: str | None
    trade_type: str
    total: int
    description: str
    notify_url: str
    api_v3_key: str = attrs.field(repr=False)
    platform_key_id: str
    created_at: datetime
    payer: dict[str, str] = attrs.field(factory=dict)
    state: str = "NOTPAY"
    transaction_id: str | None = None
    success_time: datetime | None = None
    refunds: list[Refund] = attrs.field(factory=list)

    @property
    def partner(self) -> bool:
        return self.sub_mch_id is not None

    def ids(self) -> dict[str, Any]:
        if not self.partner:
            return {"appid": self.app_id, "mchid": self.mch_id}
        ids: dict[str, Any] = {"sp_appid": self.app_id, "sp_mchid": self.mch_id}
        ids["sub_mchid"] = self.sub_mch_id
        if self.sub_app_id:
            ids["sub_appid"] = self.sub_app_id
        return ids

    def transaction(self) -> dict[str, Any]:
        """The order as a query answers it and a notification's resource holds it."""
        return {
            **self.ids(),
            "out_trade_no": self.out_trade_no,
            "transaction_id": self.transaction_id,
            "trade_type": self.trade_type,
            "trade_state": self.state,
            "trade_state_desc": self.state,
            "bank_type": "OTHERS",
            "success_time": stamp(self.success_time),
            "payer": self.payer,
            "amount": {
                "total": self.total,
                "payer_total": self.total,
                "currency": "CNY",
                "payer_currency": "CNY",
            },
        }

    def refund_answer(self, refund: Refund) -> dict[str, Any]:
        ids = {"sub_mchid": self.sub_mch_id} if self.partner else {}
        return {
            **ids,
            "refund_id": refund.refund_id,
            "out_refund_no": refund.out_refund_no,
            "transaction_id": self.transaction_id,
            "out_trade_no": self.out_trade_no,
            "channel": "ORIGINAL",
            "user_received_account": "支付用户零钱",
            "create_time": stamp(refund.created_at),
            "success_time": stamp(refund.success_time),
            "status": refund.status,
            "amount": refund_amount(self, refund),
        }


def refund_amount(order: Order, refund: Refund) -> dict[str, Any]:
    return {
        "total": order.total,
        "refund": refund.amount,
        "payer_total": order.total,
        "payer_refund": refund.amount,
        "currency": "CNY",
    }


def stamp(at: datetime | None) -> str | None:
    return at.astimezone(CHINA).isoformat(timespec="seconds") if at else None


def yuan(fen: int) -> str:
    return str(Money(fen).to_yuan())


def bill_lines(order: Order, day: date) -> list[str]:
    common = {
        "公众账号ID": order.app_id,
        "商户号": order.mch_id,
        "特约商户号": order.sub_mch_id or "0",
        "微信订单号": order.transaction_id or "",
        "商户订单号": order.out_trade_no,
        "交易类型": order.trade_type,
        "货币种类": "CNY",
        "商品名称": order.description,
        "订单金额": yuan(order.total),
        "应结订单金额": yuan(order.total),
    }
    lines = []
    if order.success_time and order.success_time.astimezone(CHINA).date() == day:
        at = order.success_time.astimezone(CHINA).strftime("%Y-%m-%d %H:%M:%S")
        lines.append(bill_line({**common, "交易时间": at, "交易状态": "SUCCESS"}))
    for refund in order.refunds:
        if refund.success_time and refund.success_time.astimezone(CHINA).date() == day:
            at = refund.success_time.astimezone(CHINA).strftime("%Y-%m-%d %H:%M:%S")
            fields = {
                **common,
                "交易时间": at,
                "交易状态": "REFUND",
                "微信退款单号": refund.refund_id,
                "商户退款单号": refund.out_refund_no,
                "退款金额": yuan(refund.amount),
                "申请退款金额": yuan(refund.amount),
                "退款状态": "SUCCESS",
            }
            lines.append(bill_line(fields))
    return lines
