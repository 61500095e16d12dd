"""Refund of a bill paid from the prepayment ledger, on every backend: the bill is refunded,
the ledger credited back in the same transaction, and the top-up that funded it can then be
refunded through its payment."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from billing_samples import FakeMerchants, World, notification
from persistence_samples import Backend

from estate_core.billing.model import BillStatus
from estate_core.billing.prepayment import RefundPrepaidBill, refund_prepaid_bill
from estate_core.payments.services import checkout, settlement
from estate_core.payments.values import PaymentChannel
from estate_core.shared.clock import FixedClock
from estate_core.shared.money import Money
from estate_core.shared.pagination import PageRequest
from world_builders import code_of

FEE = Money(25_000)


def test_a_prepaid_bill_refund_puts_the_money_back_on_the_ledger(
    backend: Backend, tenant_id: UUID, clock: FixedClock
) -> None:
    world = World.open(backend.uow(tenant_id), clock)
    home = world.home()
    owner = world.owner_of(home)
    world.fee()
    top_up = checkout.start_topup(
        world.uow,
        clock,
        FakeMerchants(),
        owner,
        checkout.TopUpPrepayment(property_id=home, amount=FEE, channel=PaymentChannel.WECHAT_JSAPI),
    )
    settlement.settle_payment(world.uow, clock, notification(top_up))
    world.run(date(2026, 1, 1))
    with world.uow:
        (bill,) = world.uow.bills.paid_for_property(home, PageRequest()).items
        bill_id, prepaid = bill.id, bill.paid_from_prepayment
    assert prepaid

    def refund_bill() -> Money:
        return refund_prepaid_bill(
            world.uow, clock, world.admin, RefundPrepaidBill(bill_id=bill_id, reason="重复收费")
        )

    assert refund_bill() == FEE
    assert code_of(refund_bill) == "bill.invalid_transition"
    with world.uow:
        assert world.uow.bills.get(bill_id).status is BillStatus.REFUNDED
        ledger = world.uow.prepayments.for_property(home)
        assert ledger is not None
        assert ledger.balance == FEE
    view = settlement.refund_payment(
        world.uow,
        clock,
        world.admin,
        settlement.RefundPayment(payment_id=top_up.id, amount=FEE, reason="退预存"),
    )
    assert view.amount == FEE
    with world.uow:
        ledger = world.uow.prepayments.for_property(home)
        assert ledger is not None
        assert ledger.balance == Money(0)
