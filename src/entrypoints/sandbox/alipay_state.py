"""What the Alipay emulator remembers: the apps it knows, the trades and refunds it holds.

Amounts are whole fen here and cross to yuan text through this module's own pair, written
apart from the adapter's so that each checks the other.
"""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import attrs

BEIJING = ZoneInfo("Asia/Shanghai")
STAMP = "%Y-%m-%d %H:%M:%S"
MAX_FEN = 100_000_000_00
_YUAN = re.compile(r"^(0|[1-9][0-9]*)(?:\.([0-9]{1,2}))?$")

WAIT_BUYER_PAY = "WAIT_BUYER_PAY"
TRADE_SUCCESS = "TRADE_SUCCESS"
TRADE_CLOSED = "TRADE_CLOSED"


class AlipayError(Exception):
    """An answer other than ``10000``, as Alipay words it."""

    def __init__(
        self, sub_code: str, sub_msg: str, *, code: str = "40004", msg: str = "Business Failed"
    ) -> None:
        super().__init__(f"{code} {sub_code}: {sub_msg}")
        self.answer = {"code": code, "msg": msg, "sub_code": sub_code, "sub_msg": sub_msg}


def invalid(sub_code: str, sub_msg: str) -> AlipayError:
    return AlipayError(sub_code, sub_msg, code="40002", msg="Invalid Arguments")


def fen_of(text: object) -> int:
    """Yuan text with at most two decimals, 0.01 to 100000000.00, as fen."""
    match = _YUAN.match(text) if isinstance(text, str) else None
    if match is None:
        raise invalid("isv.invalid-parameter", f"金额格式错误: {text!r}")
    fen = int(match.group(1)) * 100 + int((match.group(2) or "0").ljust(2, "0"))
    if not 1 <= fen <= MAX_FEN:
        raise invalid("isv.invalid-parameter", f"金额超出范围: {text}")
    return fen


def yuan_of(fen: int) -> str:
    sign = "-" if fen < 0 else ""
    whole, cents = divmod(abs(fen), 100)
    return f"{sign}{whole}.{cents:02d}"


def beijing(moment: datetime) -> str:
    return moment.astimezone(BEIJING).strftime(STAMP)


@attrs.frozen
class Caller:
    """Who a verified request acts for: the signing app, the merchant's app and seller."""

    app_id: str
    auth_app_id: str
    seller_id: str


@attrs.define
class App:
    """An app whose requests the emulator verifies; an ISV app has no seller of its own."""

    app_id: str
    public_key_pem: str
    seller_id: str | None


@attrs.define
class Refund:
    out_request_no: str
    fen: int
    reason: str
    at: datetime


@attrs.define(kw_only=True)
class Trade:
    """One trade 交易. ``opened``: Alipay has created it (the payer reached the cashier, or a
    QR code was precreated); before that a query answers ``ACQ.TRADE_NOT_EXIST``."""

    caller: Caller
    out_trade_no: str
    trade_no: str
    fen: int
    subject: str
    method: str
    notify_url: str
    return_url: str
    created_at: datetime
    expires_at: datetime | None
    opened: bool = False
    status: str = WAIT_BUYER_PAY
    paid_at: datetime | None = None
    closed_at: datetime | None = None
    buyer_id: str = "2088102177846880"
    buyer_logon_id: str = "buy***@sandbox.com"
    refunds: dict[str, Refund] = attrs.field(factory=dict)
    qr_token: str | None = None

    @property
    def refunded_fen(self) -> int:
        return sum(refund.fen for refund in self.refunds.values())

    def expire(self, now: datetime) -> None:
        """An unpaid trade past its ``time_expire`` is closed, as Alipay closes it."""
        if self.status == WAIT_BUYER_PAY and self.expires_at is not None and now >= self.expires_at:
            self.status, self.closed_at = TRADE_CLOSED, now
