"""Refund of a bill paid from the prepayment ledger (预缴抵扣退回).

Such a bill has no payment of its own: the billing run paid it with a debit of the home's
ledger. Refunding it therefore gives the money back where it came from: the bill becomes
refunded and the ledger is credited with what the bill took. From there the balance pays the
next bills, or, if the owner wants the money itself back, staff refund the payment that funded
the ledger (a top-up or an overpayment: ``refund_payment`` debits its prepayment part, up to the
balance). Money never leaves the ledger except through a payment the gateway can refund.
"""

from __future__ import annotations

from uuid import UUID

import attrs

from estate_core.billing.ledger import EntryKind
from estate_core.billing.ports import BillingUnitOfWork
from estate_core.billing.services import open_prepayment_ledger
from estate_core.shared.access import Actor, Permission, require_staff
from estate_core.shared.clock import Clock
from estate_core.shared.errors import Conflict, InvalidInput
from estate_core.shared.money import Money

REASON_MAX = 150


@attrs.frozen(kw_only=True)
class RefundPrepaidBill:
    bill_id: UUID
    reason: str


def refund_prepaid_bill(
    uow: BillingUnitOfWork, clock: Clock, actor: Actor, cmd: RefundPrepaidBill
) -> Money:
    """Staff with ``payment.refund`` refund a bill paid from prepayment; returns the amount
    credited back to the ledger. A bill paid by a payment is refunded through that payment."""
    reason = cmd.reason.strip()
    if not reason or len(reason) > REASON_MAX:
        raise InvalidInput("payment.refund_reason_required", "say why the money goes back")
    at = clock.now()
    with uow:
        bill = uow.bills.get(cmd.bill_id)
        require_staff(actor, Permission.PAYMENT_REFUND, bill.community_id)
        if not bill.paid_from_prepayment:
            raise Conflict(
                "bill.not_paid_from_prepayment", "refund this bill through the payment that paid it"
            )
        ledger = open_prepayment_ledger(uow, bill.property_id)
        debit = next(
            (
                e
                for e in ledger.entries
                if e.id == bill.paid_by_payment_id and e.kind is EntryKind.DEBIT
            ),
            None,
        )
        if debit is None:
            raise Conflict("prepayment.entry_not_found", "the ledger has no debit for this bill")
        bill.refund(at)
        ledger.credit(debit.amount, f"refund of a prepaid bill: {reason}", bill.id, at)
        uow.commit()
        return debit.amount
