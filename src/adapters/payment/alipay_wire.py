"""Alipay's wire values: yuan amounts and Beijing times, in and out of our types.

Alipay writes money as a decimal string of yuan with two decimals (``"12.30"``) where we count
whole fen. :func:`yuan_text` and :func:`fen_from_yuan` are the one pair that crosses between
them, exactly (``Decimal`` arithmetic through ``Money``, never a float).
"""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

from estate_core.payments.gateway import TradeStatus
from estate_core.shared.money import Money

BEIJING = ZoneInfo("Asia/Shanghai")
"""Alipay's clock: every time it writes or reads is local time in China, without an offset."""

TIME_FORMAT = "%Y-%m-%d %H:%M:%S"

MIN_AMOUNT = Money(1)
MAX_AMOUNT = Money(100_000_000_00)
"""Alipay's range for one order or refund: 0.01 to 100000000.00 yuan."""

TRADE_STATUSES = {
    "WAIT_BUYER_PAY": TradeStatus.NOT_PAID,
    "TRADE_SUCCESS": TradeStatus.PAID,
    "TRADE_FINISHED": TradeStatus.PAID,
    "TRADE_CLOSED": TradeStatus.CLOSED,
}
"""Alipay's trade statuses; ``TRADE_CLOSED`` is also a paid trade refunded in full."""

_YUAN = re.compile(r"^(0|[1-9][0-9]{0,8})(\.[0-9]{1,2})?$")


def yuan_text(amount: Money) -> str:
    """``Money(1230)`` → ``"12.30"``; raises ``ValueError`` outside Alipay's range."""
    if not MIN_AMOUNT <= amount <= MAX_AMOUNT:
        raise ValueError(f"{amount} is outside Alipay's range 0.01–100000000.00")
    return f"{amount.to_yuan():.2f}"


def fen_from_yuan(text: str) -> Money:
    """``"12.30"`` (or ``"12.3"``, ``"12"``) → ``Money(1230)``; raises ``ValueError`` on
    anything else: a sign, a third decimal, an exponent, spaces, or an amount out of range."""
    if not _YUAN.match(text):
        raise ValueError(f"{text!r} is not an amount of yuan as Alipay writes it")
    amount = Money.yuan(text)
    if not MIN_AMOUNT <= amount <= MAX_AMOUNT:
        raise ValueError(f"{text!r} is outside Alipay's range 0.01–100000000.00")
    return amount


def beijing_text(moment: datetime) -> str:
    """An aware time as Alipay reads it (``time_expire``): Beijing wall-clock time."""
    return moment.astimezone(BEIJING).strftime(TIME_FORMAT)


def from_beijing(text: str) -> datetime:
    """Alipay's ``gmt_payment`` / ``send_pay_date`` as an aware time; ``ValueError`` if not one."""
    return datetime.strptime(text, TIME_FORMAT).replace(tzinfo=BEIJING)
