"""Refunds 退款 of a payment, and what each refund takes back.

A refund is first *requested* (the gateway's refund API only accepts) and later *succeeded* or
*failed* by the refund notification or query (DESIGN.md §9). What is requested counts against
the refundable amount at once, so two refunds in flight can never exceed the payment.

Each staff refund is attributed when it is requested: first to what the payment put on the
prepayment ledger (its credit, or a surplus credited there), which must be taken back from the
ledger; the rest to the bills it paid, pro rata with no fen lost, so income reports by fee item
can net refunds out. Surplus refunds belong to their surplus case, not to any bill.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from datetime import datetime
from uuid import UUID

import attrs

from estate_core.payments.allocation import Allocation, split_proportionally
from estate_core.shared.errors import Conflict, InvalidInput
from estate_core.shared.money import Money, total

MAX_REFUNDS = 50
"""WeChat Pay takes at most 50 partial refunds of one order."""


class RefundStatus(enum.StrEnum):
    REQUESTED = "requested"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


@attrs.frozen(kw_only=True)
class Refund:
    """One refund of a payment; ``requested_by`` is None for an automatic (surplus) refund."""

    out_refund_no: str
    amount: Money
    reason: str
    status: RefundStatus = RefundStatus.REQUESTED
    requested_by: UUID | None
    requested_at: datetime
    finished_at: datetime | None = None
    surplus: bool = False
    from_prepayment: Money = attrs.field(factory=Money.zero)
    bill_shares: tuple[Allocation, ...] = ()

    @property
    def active(self) -> bool:
        return self.status is not RefundStatus.FAILED


def check_refund_request(
    refunds: Sequence[Refund], refundable: Money, out_refund_no: str, amount: Money, reason: str
) -> None:
    """A new refund needs a fresh number, a reason, a positive amount within what is left."""
    if any(r.out_refund_no == out_refund_no for r in refunds):
        raise Conflict("payment.refund_no_reused", "that refund number is taken")
    if not reason.strip():
        raise InvalidInput("payment.refund_reason_required", "say why the money goes back")
    if not amount.is_positive:
        raise InvalidInput("payment.invalid_refund_amount", "a refund is a positive amount")
    if len(refunds) >= MAX_REFUNDS:
        raise Conflict("payment.too_many_refunds", f"at most {MAX_REFUNDS} refunds per payment")
    if amount > refundable:
        raise Conflict("payment.refund_exceeds_paid", f"at most {refundable} may be refunded")


def attribute_refund(
    amount: Money,
    prepayment_part: Money,
    paid_allocations: Sequence[Allocation],
    earlier: Sequence[Refund],
) -> tuple[Money, tuple[Allocation, ...]]:
    """How much of a new refund comes off the prepayment ledger, and how much off each bill."""
    active = [r for r in earlier if r.active and not r.surplus]
    prepayment_left = prepayment_part - total([r.from_prepayment for r in active])
    from_prepayment = min(amount, prepayment_left)
    rest = amount - from_prepayment
    taken: dict[UUID, Money] = {}
    for refund in active:
        for share in refund.bill_shares:
            taken[share.bill_id] = taken.get(share.bill_id, Money.zero()) + share.amount
    left = [
        Allocation(bill_id=a.bill_id, amount=a.amount - taken.get(a.bill_id, Money.zero()))
        for a in paid_allocations
    ]
    left = [a for a in left if a.amount.is_positive]
    if rest.is_zero or not left:
        return from_prepayment, ()
    shares = split_proportionally(rest, left)
    return from_prepayment, tuple(s for s in shares if s.amount.is_positive)
