"""Bill 账单: one fee item, for one property, for one period (DESIGN.md §4 "Bill").

A bill is paid in full, once: ``unpaid → paid`` (by a payment, or from the prepayment ledger),
``unpaid → void`` (staff, with a reason), ``paid → refunded`` (after the payment was refunded).
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal
from uuid import UUID

import attrs

from estate_core.billing import events
from estate_core.billing.calculation import late_fee
from estate_core.shared.errors import Conflict, InvalidInput, InvalidTransition
from estate_core.shared.events import Aggregate
from estate_core.shared.money import Money, require_amount
from estate_core.shared.text import check_text


class BillStatus(enum.StrEnum):
    UNPAID = "unpaid"
    PAID = "paid"
    VOID = "void"
    REFUNDED = "refunded"


class BillAction(enum.StrEnum):
    SETTLE = "settle"
    VOID = "void"
    REFUND = "refund"


#: The bill's state machine: (state, action) → next state. Every other pair is refused.
BILL_TRANSITIONS: dict[tuple[BillStatus, BillAction], BillStatus] = {
    (BillStatus.UNPAID, BillAction.SETTLE): BillStatus.PAID,
    (BillStatus.UNPAID, BillAction.VOID): BillStatus.VOID,
    (BillStatus.PAID, BillAction.REFUND): BillStatus.REFUNDED,
}


class BillAlreadyPaid(InvalidTransition):
    """Settling a bill that is already paid: the payment that came second has a surplus.

    A refused transition like any other (``except InvalidTransition`` catches it), with its own
    code so the payment can take the surplus path (refund, or credit to prepayment).
    """

    code = "bill.already_paid"

    def __init__(self, bill_id: UUID, paid_by: UUID | None) -> None:
        super().__init__("bill", BillStatus.PAID, BillAction.SETTLE)
        self.code = type(self).code
        self.details.update(bill_id=bill_id, paid_by_payment_id=paid_by)


class BillAmountMismatch(Conflict):
    """A settlement amount below the amount due, or above it by more than the late-fee cap."""

    code = "bill.amount_mismatch"


VOID_REASON_MAX = 200
"""Characters of the reason a bill is voided for (the ``bills.void_reason`` column)."""


def _check_amount_due(instance: Bill, attribute: attrs.Attribute[Money], value: Money) -> None:
    require_amount(value, "bill.invalid_amount", "a bill")


def _check_period_end(instance: Bill, attribute: attrs.Attribute[date], value: date) -> None:
    if value < instance.period_start:
        raise InvalidInput("bill.invalid_period", "a period ends on or after its start")


@attrs.define(slots=False, eq=False, kw_only=True)
class Bill(Aggregate):
    """Bill 账单 of one property for one fee item and one period (unique on those three).

    ``late_fee_rate`` and ``late_fee_cap`` are copied from the fee item when issued, so changing
    the fee item later never changes a bill. ``amount_paid`` includes any late fee paid.
    When paid from the prepayment ledger (预缴抵扣), ``paid_by_payment_id`` is the id of the
    ledger's debit entry and ``paid_from_prepayment`` is true.
    """

    id: UUID
    tenant_id: UUID
    community_id: UUID
    property_id: UUID
    fee_item_id: UUID
    period_start: date
    period_end: date = attrs.field(validator=_check_period_end)
    amount_due: Money = attrs.field(validator=_check_amount_due)
    due_date: date
    late_fee_rate: Decimal | None = None
    late_fee_cap: Money | None = None
    status: BillStatus = BillStatus.UNPAID
    paid_by_payment_id: UUID | None = None
    amount_paid: Money = attrs.field(factory=Money.zero)
    paid_at: datetime | None = None
    void_reason: str | None = None
    issued_at: datetime | None = None
    paid_from_prepayment: bool = False
    voided_at: datetime | None = None
    refunded_at: datetime | None = None

    @classmethod
    def issue(
        cls,
        *,
        bill_id: UUID,
        tenant_id: UUID,
        community_id: UUID,
        property_id: UUID,
        fee_item_id: UUID,
        period_start: date,
        period_end: date,
        amount_due: Money,
        due_date: date,
        late_fee_rate: Decimal | None,
        late_fee_cap: Money | None,
        at: datetime,
    ) -> Bill:
        """A new unpaid bill, announced with ``BillIssued``."""
        bill = cls(
            id=bill_id,
            tenant_id=tenant_id,
            community_id=community_id,
            property_id=property_id,
            fee_item_id=fee_item_id,
            period_start=period_start,
            period_end=period_end,
            amount_due=amount_due,
            due_date=due_date,
            late_fee_rate=late_fee_rate,
            late_fee_cap=late_fee_cap,
            issued_at=at,
        )
        bill.record(
            events.BillIssued(
                bill_id=bill.id,
                community_id=community_id,
                property_id=property_id,
                fee_item_id=fee_item_id,
                period_start=period_start,
                period_end=period_end,
                amount_due=amount_due,
                due_date=due_date,
            )
        )
        return bill

    @property
    def max_late_fee(self) -> Money:
        """The most late fee this bill can ever carry: the cap, by default the bill amount."""
        if self.late_fee_rate is None:
            return Money.zero()
        return self.late_fee_cap if self.late_fee_cap is not None else self.amount_due

    @property
    def unpaid(self) -> Money:
        return self.amount_due if self.status is BillStatus.UNPAID else Money.zero()

    def late_fee_on(self, day: date) -> Money:
        """Late fee 滞纳金 if paid on local ``day``: see :func:`calculation.late_fee`.

        Zero for a bill that is not unpaid.
        """
        return late_fee(self.unpaid, self.late_fee_rate, self.due_date, day, self.max_late_fee)

    def total_due_on(self, day: date) -> Money:
        """What paying this bill on local ``day`` costs: amount due + late fee."""
        return self.amount_due + self.late_fee_on(day)

    def is_due_on(self, day: date) -> bool:
        """应缴: unpaid and payable now, i.e. its period has begun or its due date has come.

        An unpaid bill for a period still in the future is 未到期 (see :meth:`is_upcoming_on`).
        """
        return self.status is BillStatus.UNPAID and day >= min(self.period_start, self.due_date)

    def is_upcoming_on(self, day: date) -> bool:
        """未到期: unpaid, its period not yet begun and its due date not yet come."""
        return self.status is BillStatus.UNPAID and not self.is_due_on(day)

    def is_overdue_on(self, day: date) -> bool:
        """Overdue 逾期 from the local day after the due date while unpaid."""
        return self.status is BillStatus.UNPAID and day > self.due_date

    def _transition(self, action: BillAction) -> BillStatus:
        target = BILL_TRANSITIONS.get((self.status, action))
        if target is None:
            raise InvalidTransition("bill", self.status, action)
        return target

    def settle(self, payment_id: UUID, amount: Money, at: datetime) -> None:
        """Mark paid in full by ``payment_id`` with ``amount`` (the amount due plus late fee).

        ``amount`` must cover the amount due and exceed it by no more than the late-fee cap;
        it is not checked against the late fee of the day, because a payment priced yesterday
        may be confirmed today. A bill already paid raises :class:`BillAlreadyPaid`.
        """
        self._pay(payment_id, amount, at, from_prepayment=False)

    def settle_from_prepayment(self, ledger_entry_id: UUID, amount: Money, at: datetime) -> None:
        """Mark paid by the prepayment ledger's debit entry ``ledger_entry_id`` (预缴抵扣)."""
        self._pay(ledger_entry_id, amount, at, from_prepayment=True)

    def _pay(self, payment_id: UUID, amount: Money, at: datetime, *, from_prepayment: bool) -> None:
        if self.status is BillStatus.PAID:
            raise BillAlreadyPaid(self.id, self.paid_by_payment_id)
        target = self._transition(BillAction.SETTLE)
        if amount < self.amount_due or amount - self.amount_due > self.max_late_fee:
            raise BillAmountMismatch(
                f"{amount} does not pay a bill of {self.amount_due} "
                f"with at most {self.max_late_fee} late fee",
                amount=amount.fen,
                amount_due=self.amount_due.fen,
            )
        self.status = target
        self.paid_by_payment_id = payment_id
        self.amount_paid = amount
        self.paid_at = at
        self.paid_from_prepayment = from_prepayment
        self.record(
            events.BillPaid(
                bill_id=self.id,
                property_id=self.property_id,
                payment_id=payment_id,
                amount_paid=amount,
                from_prepayment=from_prepayment,
            )
        )

    def refund(self, at: datetime) -> None:
        """The payment of this bill was refunded: ``paid → refunded``."""
        self.status = self._transition(BillAction.REFUND)
        self.refunded_at = at
        self.record(
            events.BillRefunded(
                bill_id=self.id, property_id=self.property_id, amount_refunded=self.amount_paid
            )
        )

    def void(self, reason: str, at: datetime) -> None:
        """Cancel an unpaid bill (作废), with a reason; the caller checked ``bill.void``."""
        reason = reason.strip()
        if not reason:
            raise InvalidInput("bill.void_reason_required", "voiding a bill needs a reason")
        check_text(reason, "bill.invalid_void_reason", "a reason", VOID_REASON_MAX)
        self.status = self._transition(BillAction.VOID)
        self.void_reason = reason
        self.voided_at = at
        self.record(events.BillVoided(bill_id=self.id, property_id=self.property_id, reason=reason))


@attrs.frozen(kw_only=True)
class PropertyArrears:
    """Read model: what one property owes past its due dates on a day (欠费)."""

    property_id: UUID
    overdue_bills: int
    amount_overdue: Money
    late_fee: Money
    oldest_due_date: date
