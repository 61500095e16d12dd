"""What the v2 emulator knows: merchants, orders and refunds, and the messages made from them."""

from __future__ import annotations

import secrets
from datetime import date, datetime

import attrs

from entrypoints.sandbox.wechat_v2_protocol import (
    BILL_HEADER,
    BILL_SUMMARY_HEADER,
    bill_line,
    encrypt_req_info,
    signed,
    to_xml,
    wechat_time,
    yuan,
)
from estate_core.shared.clock import CHINA


@attrs.frozen(kw_only=True)
class V2Merchant:
    """A receiving account the emulator serves: direct (no ``sub_mch_id``) or a sub-merchant of
    the service provider ``mch_id``, whose API key signs for all its sub-merchants."""

    mch_id: str
    api_key: str = attrs.field(repr=False)
    app_id: str
    sub_mch_id: str | None = None
    sub_app_id: str | None = None

    def names(self) -> dict[str, str]:
        """The account fields every answer and notification carries."""
        fields = {"appid": self.app_id, "mch_id": self.mch_id}
        if self.sub_mch_id:
            fields["sub_mch_id"] = self.sub_mch_id
        if self.sub_app_id:
            fields["sub_appid"] = self.sub_app_id
        return fields


@attrs.define(kw_only=True)
class Refund:
    out_refund_no: str
    refund_id: str
    refund_fee: int
    notify_url: str | None
    status: str = "PROCESSING"
    finished_at: datetime | None = None


@attrs.define(kw_only=True)
class Order:
    merchant: V2Merchant
    sign_type: str
    out_trade_no: str
    total_fee: int
    body: str
    trade_type: str
    notify_url: str
    prepay_id: str
    openid: str
    sub_openid: str | None
    state: str = "NOTPAY"
    transaction_id: str | None = None
    paid_at: datetime | None = None
    refunds: list[Refund] = attrs.field(factory=list)

    @property
    def refunded(self) -> int:
        return sum(r.refund_fee for r in self.refunds if r.status in ("PROCESSING", "SUCCESS"))

    def payer(self) -> dict[str, str]:
        fields = {"openid": self.openid}
        if self.sub_openid:
            fields["sub_openid"] = self.sub_openid
        return fields

    def trade(self) -> dict[str, str]:
        """The fields of a paid order, as the notification and the order query give them."""
        if self.transaction_id is None or self.paid_at is None:
            raise ValueError(f"order {self.out_trade_no} is not paid")
        return {
            **self.payer(),
            "is_subscribe": "N",
            "trade_type": self.trade_type,
            "bank_type": "OTHERS",
            "total_fee": str(self.total_fee),
            "fee_type": "CNY",
            "cash_fee": str(self.total_fee),
            "transaction_id": self.transaction_id,
            "out_trade_no": self.out_trade_no,
            "time_end": wechat_time(self.paid_at),
        }

    def notification(self, **changes: str) -> bytes:
        """The signed payment notification, with ``changes`` made before signing."""
        fields = {
            "return_code": "SUCCESS",
            **self.merchant.names(),
            "nonce_str": secrets.token_hex(16),
            "result_code": "SUCCESS",
            **self.trade(),
        }
        if self.sign_type != "MD5":
            fields["sign_type"] = self.sign_type
        fields.update(changes)
        return to_xml(signed(fields, self.merchant.api_key, self.sign_type))

    def refund_notification(self, refund: Refund, **changes: str) -> bytes:
        """The refund notification: not signed, its ``req_info`` encrypted with the API key."""
        if refund.finished_at is None:
            raise ValueError(f"refund {refund.out_refund_no} is not finished")
        info = {
            "transaction_id": self.transaction_id or "",
            "out_trade_no": self.out_trade_no,
            "refund_id": refund.refund_id,
            "out_refund_no": refund.out_refund_no,
            "total_fee": str(self.total_fee),
            "refund_fee": str(refund.refund_fee),
            "settlement_refund_fee": str(refund.refund_fee),
            "refund_status": refund.status,
            "success_time": refund.finished_at.astimezone(CHINA).strftime("%Y-%m-%d %H:%M:%S"),
            "refund_recv_accout": "支付用户的零钱",
            "refund_account": "REFUND_SOURCE_RECHARGE_FUNDS",
            "refund_request_source": "API",
        }
        fields = {
            "return_code": "SUCCESS",
            **self.merchant.names(),
            "nonce_str": secrets.token_hex(16),
            "req_info": encrypt_req_info(info, self.merchant.api_key),
        }
        fields.update(changes)
        return to_xml(fields)

    def bill_lines(self, day: date) -> list[tuple[list[str], int, int]]:
        """This order's statement lines of ``day``: (fields, amount paid, amount refunded)."""
        lines = []
        common = [
            self.merchant.app_id,
            self.merchant.mch_id,
            self.merchant.sub_mch_id or "0",
            "",
            self.transaction_id or "",
            self.out_trade_no,
            self.sub_openid or self.openid,
            self.trade_type,
        ]
        total = yuan(self.total_fee)
        if self.paid_at and self.paid_at.astimezone(CHINA).date() == day:
            values = [_bill_time(self.paid_at), *common, "SUCCESS", "OTHERS", "CNY", total]
            values += ["0.00", "0", "0", "0.00", "0.00", "", "", self.body, ""]
            values += ["0.00000", "0.60%", total, "0.00", ""]
            lines.append((values, self.total_fee, 0))
        for refund in self.refunds:
            done = refund.finished_at
            if refund.status != "SUCCESS" or not done or done.astimezone(CHINA).date() != day:
                continue
            amount = yuan(refund.refund_fee)
            values = [_bill_time(done), *common, "REFUND", "OTHERS", "CNY", total, "0.00"]
            values += [refund.refund_id, refund.out_refund_no, amount, "0.00", "ORIGINAL"]
            values += ["SUCCESS", self.body, "", "0.00000", "0.60%", total, amount, ""]
            lines.append((values, 0, refund.refund_fee))
        return lines


def _bill_time(at: datetime) -> str:
    return at.astimezone(CHINA).strftime("%Y-%m-%d %H:%M:%S")


def bill(orders: list[Order], day: date) -> str | None:
    """The statement text of ``day`` over ``orders``; None when nothing happened that day."""
    lines = [line for order in orders for line in order.bill_lines(day)]
    if not lines:
        return None
    paid = sum(line[1] for line in lines)
    refunded = sum(line[2] for line in lines)
    summary = [str(len(lines)), yuan(paid), yuan(refunded), "0.00", "0.00000", yuan(paid)]
    body = [BILL_HEADER, *(bill_line(line[0]) for line in lines), BILL_SUMMARY_HEADER]
    return "\r\n".join([*body, bill_line([*summary, yuan(refunded)])]) + "\r\n"
