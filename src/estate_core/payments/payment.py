"""Payment 支付单: one attempt to pay bills, a merchant order or a prepayment top-up.

The money goes straight to the tenant's own WeChat Pay / Alipay merchant (DESIGN.md §1); the
payment is our record of it. Its rules:

- ``sum(allocations) + credit == amount`` for bills and top-ups (see ``allocation``).
- Settlement is idempotent: a second notification of the same payment is a no-op. Amount and
  merchant are checked against what was recorded at creation before anything changes.
- A payment we closed locally may still succeed at the gateway; it is then settled, never lost.
- Refunds: a refund number refunds once, at most 50 refunds, never more than was paid.
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import attrs

from estate_core.identity.model import SurplusPolicy
from estate_core.payments import events
from estate_core.payments.allocation import Allocation
from estate_core.payments.numbers import surplus_refund_no
from estate_core.payments.refund import (
    Refund,
    RefundStatus,
    attribute_refund,
    check_refund_request,
)
from estate_core.payments.values import (
    SETTLED_STATUSES,
    TRANSITIONS,
    WHOLE_TARGETS,
    CloseReason,
    MerchantAccount,
    PaymentAction,
    PaymentChannel,
    PaymentStatus,
    PaymentTarget,
    SettlementOutcome,
    SurplusCase,
    check_settlement,
    check_shape,
)
from estate_core.shared.errors import Conflict, InvalidInput, InvalidTransition, NotFound
from estate_core.shared.events import Aggregate
from estate_core.shared.money import Money, total


@attrs.define(slots=False, eq=False, kw_only=True)
class Payment(Aggregate):
    """Payment 支付单: pending until the gateway (or the cashier) says it succeeded."""

    id: UUID
    tenant_id: UUID
    community_id: UUID
    target: PaymentTarget
    property_id: UUID | None
    order_id: UUID | None = None
    payer_id: UUID | None = None
    cashier_id: UUID | None = None
    channel: PaymentChannel
    amount: Money
    out_trade_no: str
    allocations: list[Allocation] = attrs.field(factory=list)
    credit: Money = attrs.field(factory=Money.zero)
    merchant: MerchantAccount | None = None
    receipt_no: str | None = None
    status: PaymentStatus = PaymentStatus.PENDING
    created_at: datetime
    expires_at: datetime | None = None
    transaction_id: str | None = None
    succeeded_at: datetime | None = None
    closed_at: datetime | None = None
    close_reason: CloseReason | None = None
    refunds: list[Refund] = attrs.field(factory=list)
    surplus: list[SurplusCase] = attrs.field(factory=list)

    def __attrs_post_init__(self) -> None:
        """Runs for new payments only (loading bypasses ``__init__``): check, then announce."""
        check_shape(self)
        if self.status is not PaymentStatus.PENDING or self.refunds or self.surplus:
            raise InvalidInput("payment.invalid_state", "a new payment starts pending")
        self.record(
            events.PaymentCreated(
                payment_id=self.id,
                out_trade_no=self.out_trade_no,
                channel=self.channel,
                target=self.target,
                amount=self.amount,
                property_id=self.property_id,
                expires_at=self.expires_at,
            )
        )

    def _next(self, action: PaymentAction) -> PaymentStatus:
        try:
            return TRANSITIONS[(self.status, action)]
        except KeyError:
            raise InvalidTransition("payment", self.status, action) from None

    @property
    def is_settled(self) -> bool:
        return self.status in SETTLED_STATUSES

    def settle(
        self,
        paid: Money,
        merchant: MerchantAccount | None,
        transaction_id: str | None,
        at: datetime,
    ) -> SettlementOutcome:
        """Mark the payment succeeded; a repeat is a no-op that says so."""
        check_settlement(self.amount, self.merchant, paid, merchant)
        if self.is_settled:
            if transaction_id and self.transaction_id and transaction_id != self.transaction_id:
                raise Conflict(
                    "payment.transaction_mismatch", "settled already by another transaction"
                )
            return SettlementOutcome.ALREADY_SETTLED
        after_close = self.status is PaymentStatus.CLOSED
        self.status = self._next(PaymentAction.SETTLE)
        self.transaction_id = transaction_id
        self.succeeded_at = at
        self.record(
            events.PaymentSettled(
                payment_id=self.id,
                out_trade_no=self.out_trade_no,
                channel=self.channel,
                amount=self.amount,
                transaction_id=transaction_id,
                settled_at=at,
                after_close=after_close,
            )
        )
        return SettlementOutcome.SETTLED

    def flag_mismatch(self, kind: str, expected: str, received: str) -> None:
        """Raise an alert for a refused settlement; the payment itself does not change."""
        self.record(
            events.PaymentMismatchDetected(
                payment_id=self.id,
                out_trade_no=self.out_trade_no,
                kind=kind,
                expected=expected,
                received=received,
            )
        )

    def close(self, reason: CloseReason, at: datetime) -> None:
        """Close an unpaid payment (超时关单 or the payer gave up); the gateway closes it too."""
        status = self._next(PaymentAction.CLOSE)
        if reason is CloseReason.TIMEOUT and (self.expires_at is None or at < self.expires_at):
            raise Conflict("payment.not_expired", "this payment has not timed out yet")
        self.status = status
        self.closed_at = at
        self.close_reason = reason
        self.record(
            events.PaymentClosed(
                payment_id=self.id,
                out_trade_no=self.out_trade_no,
                channel=self.channel,
                reason=reason,
            )
        )

    @property
    def paid_allocations(self) -> list[Allocation]:
        """The allocations that really paid their bill (not surplus)."""
        surplus_bills = {case.bill_id for case in self.surplus}
        return [a for a in self.allocations if a.bill_id not in surplus_bills]

    def record_surplus(
        self, bill_id: UUID | None, cause: str, policy: SurplusPolicy, at: datetime
    ) -> SurplusCase:
        """Money for a bill (or order) no longer payable: refund it or credit it to prepayment.

        ``bill_id`` None means the whole merchant order, which is always refunded (there is no
        property ledger to credit). The refund number is derived from the payment, so a
        retried settlement asks the gateway for the same refund.
        """
        self._next(PaymentAction.RECORD_SURPLUS)
        if any(case.bill_id == bill_id for case in self.surplus):
            raise Conflict("payment.surplus_recorded", "this surplus is already recorded")
        index, amount = self._part_for(bill_id)
        if bill_id is None:
            policy = SurplusPolicy.REFUND
        refund_no = None
        if policy is SurplusPolicy.REFUND:
            refund_no = surplus_refund_no(self.out_trade_no, index)
            self._add_refund(refund_no, amount, f"surplus: {cause}", None, at, surplus=True)
        case = SurplusCase(
            bill_id=bill_id,
            amount=amount,
            cause=cause,
            resolution=policy,
            out_refund_no=refund_no,
            recorded_at=at,
        )
        self.surplus.append(case)
        self.record(
            events.PaymentSurplusRecorded(
                payment_id=self.id,
                out_trade_no=self.out_trade_no,
                bill_id=bill_id,
                amount=amount,
                cause=cause,
                resolution=policy,
            )
        )
        return case

    def _part_for(self, bill_id: UUID | None) -> tuple[int, Money]:
        if bill_id is None and self.target in WHOLE_TARGETS:
            return 0, self.amount
        for index, allocation in enumerate(self.allocations, start=1):
            if allocation.bill_id == bill_id:
                return index, allocation.amount
        raise NotFound("payment.allocation_not_found", "this payment is not for that bill")

    @property
    def reserved(self) -> Money:
        """Refunded or being refunded: counts against what may still be refunded."""
        return total([r.amount for r in self.refunds if r.active])

    @property
    def refunded(self) -> Money:
        return total([r.amount for r in self.refunds if r.status is RefundStatus.SUCCEEDED])

    @property
    def refundable(self) -> Money:
        return self.amount - self.reserved if self.is_settled else Money.zero()

    @property
    def prepayment_part(self) -> Money:
        """What this payment put on the prepayment ledger: its credit and credited surplus."""
        credited = [c.amount for c in self.surplus if c.resolution is not SurplusPolicy.REFUND]
        return self.credit + total(credited)

    def refund_by_no(self, out_refund_no: str) -> Refund | None:
        return next((r for r in self.refunds if r.out_refund_no == out_refund_no), None)

    def request_refund(
        self, out_refund_no: str, amount: Money, reason: str, by: UUID, at: datetime
    ) -> Refund:
        """Ask for a refund (退款); the same number again with the same amount is a no-op."""
        existing = self.refund_by_no(out_refund_no)
        if existing is not None:
            if existing.amount != amount:
                raise Conflict("payment.refund_no_reused", "that refund number is taken")
            return existing
        return self._add_refund(out_refund_no, amount, reason, by, at, surplus=False)

    def _add_refund(
        self,
        out_refund_no: str,
        amount: Money,
        reason: str,
        by: UUID | None,
        at: datetime,
        *,
        surplus: bool,
    ) -> Refund:
        self._next(PaymentAction.REFUND)
        check_refund_request(self.refunds, self.refundable, out_refund_no, amount, reason)
        from_prepayment, shares = (
            (Money.zero(), ())
            if surplus
            else attribute_refund(amount, self.prepayment_part, self.paid_allocations, self.refunds)
        )
        refund = Refund(
            out_refund_no=out_refund_no,
            amount=amount,
            reason=reason.strip(),
            requested_by=by,
            requested_at=at,
            surplus=surplus,
            from_prepayment=from_prepayment,
            bill_shares=shares,
        )
        self.refunds.append(refund)
        self.record(
            events.RefundRequested(
                payment_id=self.id,
                out_trade_no=self.out_trade_no,
                out_refund_no=out_refund_no,
                channel=self.channel,
                amount=amount,
                payment_amount=self.amount,
                reason=refund.reason,
            )
        )
        return refund

    def record_refund_result(self, out_refund_no: str, succeeded: bool, at: datetime) -> bool:
        """The gateway's answer for a refund; returns False when it was already recorded."""
        refund = self.refund_by_no(out_refund_no)
        if refund is None:
            raise NotFound("payment.refund_not_found", "no refund with that number")
        outcome = RefundStatus.SUCCEEDED if succeeded else RefundStatus.FAILED
        if refund.status is outcome:
            return False
        if refund.status is not RefundStatus.REQUESTED:
            raise Conflict("payment.refund_already_final", f"that refund already {refund.status}")
        if not succeeded:
            action = PaymentAction.FAIL_REFUND
        elif self.refunded + refund.amount == self.amount:
            action = PaymentAction.COMPLETE_FULL_REFUND
        else:
            action = PaymentAction.COMPLETE_PARTIAL_REFUND
        self.status = self._next(action)
        done = attrs.evolve(refund, status=outcome, finished_at=at)
        self.refunds[self.refunds.index(refund)] = done
        if succeeded:
            self.record(
                events.RefundSucceeded(
                    payment_id=self.id,
                    out_refund_no=out_refund_no,
                    amount=refund.amount,
                    bill_shares={a.bill_id: a.amount for a in refund.bill_shares},
                    fully_refunded=self.status is PaymentStatus.REFUNDED,
                )
            )
        else:
            self.record(
                events.RefundFailed(
                    payment_id=self.id, out_refund_no=out_refund_no, amount=refund.amount
                )
            )
        return True
