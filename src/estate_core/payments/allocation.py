"""How a payment's amount is split over the bills it pays (分摊).

Every payment satisfies ``sum(allocations) + credit == amount``: each bill gets exactly what it
was due when the payment was made, and anything above that is a prepayment credit (多缴转预存).
A bill is paid in full, once, so an amount below the total due is refused, never spread thin.
Proportional splitting (:meth:`Money.allocate`, no fen lost) is used where a part of the
payment must be attributed back to the bills, e.g. a partial refund, for income reports by fee
item.
"""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

import attrs

from estate_core.shared.errors import InvalidInput
from estate_core.shared.money import Money, total


@attrs.frozen(kw_only=True)
class Allocation:
    """The part of a payment that pays one bill."""

    bill_id: UUID
    amount: Money


@attrs.frozen(kw_only=True)
class PaymentSplit:
    allocations: tuple[Allocation, ...]
    credit: Money

    @property
    def amount(self) -> Money:
        return total([a.amount for a in self.allocations]) + self.credit


def split_payment(amount: Money, dues: Sequence[tuple[UUID, Money]]) -> PaymentSplit:
    """Pay every bill its due in full; the rest of ``amount`` is prepayment credit."""
    if not dues:
        raise InvalidInput("payment.no_bills", "choose at least one bill to pay")
    if any(not due.is_positive for _, due in dues):
        raise InvalidInput("payment.nothing_due", "every bill paid must have something due")
    if len({bill_id for bill_id, _ in dues}) != len(dues):
        raise InvalidInput("payment.duplicate_bill", "a bill appears twice in one payment")
    due_total = total([due for _, due in dues])
    if amount < due_total:
        raise InvalidInput(
            "payment.insufficient_amount",
            f"{amount} does not cover the {due_total} due; bills are paid in full",
        )
    allocations = tuple(Allocation(bill_id=bill_id, amount=due) for bill_id, due in dues)
    return PaymentSplit(allocations=allocations, credit=amount - due_total)


def split_proportionally(amount: Money, allocations: Sequence[Allocation]) -> list[Allocation]:
    """Attribute ``amount`` (at most the allocations' total) to the bills, pro rata, fen-exact."""
    paid = total([a.amount for a in allocations])
    if amount.is_negative or amount > paid:
        raise InvalidInput("payment.invalid_share", "cannot attribute more than was allocated")
    if amount.is_zero:
        return [Allocation(bill_id=a.bill_id, amount=Money.zero()) for a in allocations]
    parts = amount.allocate([a.amount.fen for a in allocations])
    return [
        Allocation(bill_id=a.bill_id, amount=part)
        for a, part in zip(allocations, parts, strict=True)
    ]
