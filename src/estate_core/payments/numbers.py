"""Gateway-safe numbers of payments and refunds (商户订单号 out_trade_no, 退款单号 out_refund_no).

WeChat Pay takes 6–32 characters for ``out_trade_no`` and Alipay a similar set; letters and
digits only keeps one number valid on every channel (DESIGN.md §9). A number is the local date
(``yymmdd``, so staff can read it on a statement) followed by the 128-bit time-ordered id in
Crockford base32 (26 characters): 32 characters, unique because the ids are, and sorting by
creation time.
"""

from __future__ import annotations

import re
from datetime import date
from uuid import UUID

from estate_core.shared.errors import InvalidInput

_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_ID_DIGITS = 26
_OUT_TRADE_NO = re.compile(r"[A-Za-z0-9]{6,32}")
_OUT_REFUND_NO = re.compile(r"[A-Za-z0-9]{1,64}")


def _base32(value: int, digits: int) -> str:
    chars = []
    for _ in range(digits):
        value, index = divmod(value, 32)
        chars.append(_CROCKFORD[index])
    return "".join(reversed(chars))


def new_out_trade_no(payment_id: UUID, today: date) -> str:
    """The merchant order number of a payment: ``yymmdd`` + the payment id in base32."""
    return today.strftime("%y%m%d") + _base32(payment_id.int, _ID_DIGITS)


def new_out_refund_no(refund_id: UUID, today: date) -> str:
    """A fresh refund number, in the same shape as an order number."""
    return new_out_trade_no(refund_id, today)


def surplus_refund_no(out_trade_no: str, allocation_index: int) -> str:
    """The refund number of a surplus (a bill someone else paid first).

    Derived from the payment, never random: a settlement retried after a conflict asks for the
    same refund again, and the gateway refunds one number once.
    """
    return f"{out_trade_no}S{allocation_index:02d}"


def is_out_trade_no(value: str) -> bool:
    return bool(_OUT_TRADE_NO.fullmatch(value))


def check_out_refund_no(value: str) -> str:
    if not _OUT_REFUND_NO.fullmatch(value):
        raise InvalidInput(
            "payment.invalid_refund_no", "a refund number is 1–64 letters and digits"
        )
    return value
