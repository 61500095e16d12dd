"""Starting, closing and reading payments 支付单: who may pay what, for how much."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal
from uuid import UUID

import pytest
from billing_world import World
from payment_world import ALIPAY, FakeMerchants, Home, home_with_bills

from adapters.persistence.memory import InMemoryStore, InMemoryUnitOfWork
from estate_core.billing import services
from estate_core.billing.fee_item import LateFeePolicy
from estate_core.billing.model import BillStatus
from estate_core.payments.services import checkout
from estate_core.payments.values import (
    MerchantAccount,
    PaymentChannel,
    PaymentStatus,
    PaymentTarget,
)
from estate_core.shared.access import Permission, ResidentActor, StaffActor, SystemActor
from estate_core.shared.errors import InvalidInput, PermissionDenied
from estate_core.shared.ids import new_id
from estate_core.shared.money import MAX_AMOUNT, Money
from world_builders import code_of


@pytest.fixture
def home(world: World) -> Home:
    return home_with_bills(world)


def test_paying_bills_charges_each_its_amount_due_plus_todays_late_fee(world: World) -> None:
    home = home_with_bills(world, late_fee=LateFeePolicy(daily_rate=Decimal("0.001")))
    with world.uow:
        bills = [world.uow.bills.get(bill_id) for bill_id in home.bill_ids]
        expected = [b.amount_due + b.late_fee_on(world.clock.now().date()) for b in bills]
    payment = home.pay()
    assert [a.amount for a in payment.allocations] == expected
    assert all(part > bill.amount_due for part, bill in zip(expected, bills, strict=True))
    assert payment.amount == Money(sum(part.fen for part in expected))
    assert payment.credit == Money.zero()


def test_a_new_payment_is_pending_with_a_gateway_safe_number_and_our_merchant(home: Home) -> None:
    payment = home.pay(channel=PaymentChannel.ALIPAY_WAP)
    assert payment.status is PaymentStatus.PENDING
    assert re.fullmatch(r"[A-Za-z0-9]{6,32}", payment.out_trade_no)
    assert payment.out_trade_no.startswith("260315")
    assert payment.expires_at == home.world.clock.now() + timedelta(minutes=15)
    with home.uow:
        assert home.uow.payments.get(payment.id).merchant == ALIPAY
        assert home.uow.payments.get(payment.id).payer_id == home.owner.resident_id


def test_a_payment_needs_at_least_one_bill(home: Home) -> None:
    assert code_of(lambda: home.pay([])) == "payment.no_bills"


def test_one_payment_pays_the_bills_of_one_property_only(world: World, home: Home) -> None:
    other = world.home()
    world.run(home.world.bills(home.property_id)[0].period_start)
    foreign = world.bills(other)[0].id
    mixed = [home.bill_ids[0], foreign]
    assert code_of(lambda: home.pay(mixed)) == "payment.bill_of_other_property"


def test_only_unpaid_bills_can_be_paid(world: World, home: Home) -> None:
    void = services.VoidBill(bill_id=home.bill_ids[0], reason="重复出账")
    services.void_bill(world.uow, world.clock, world.admin, void)
    assert code_of(lambda: home.pay()) == "payment.bill_not_unpaid"


def test_a_bill_appears_once_in_a_payment(home: Home) -> None:
    assert code_of(lambda: home.pay([home.bill_ids[0]] * 2)) == "payment.duplicate_bill"


def test_only_a_member_of_the_property_can_pay_its_bills(world: World, home: Home) -> None:
    stranger = world.owner_of(world.home())
    assert code_of(lambda: home.pay(payer=stranger)) == "household.not_member"


def test_residents_cannot_pay_through_the_offline_channel(home: Home) -> None:
    assert code_of(lambda: home.pay(channel=PaymentChannel.OFFLINE)) == "payment.invalid_channel"


def test_bills_already_in_a_pending_payment_can_be_paid_again(home: Home) -> None:
    first, second = home.pay(), home.pay()
    assert first.id != second.id
    assert first.out_trade_no != second.out_trade_no


def test_top_up_is_credited_to_the_prepayment_ledger_when_paid(home: Home) -> None:
    payment = home.top_up(Money(50_000))
    assert payment.target is PaymentTarget.PREPAYMENT_TOPUP
    assert home.balance() == Money.zero()
    home.notify(payment)
    assert home.balance() == Money(50_000)


def test_a_top_up_is_for_a_positive_amount(home: Home) -> None:
    assert code_of(lambda: home.top_up(Money.zero())) == "payment.invalid_amount"


def test_a_top_up_is_at_most_the_maximum_amount(home: Home) -> None:
    over = Money(MAX_AMOUNT.fen + 1)
    assert code_of(lambda: home.top_up(over)) == "payment.invalid_amount"
    assert home.balance() == Money.zero()


def test_the_payer_can_close_a_pending_payment(home: Home) -> None:
    payment = home.pay()
    checkout.close_payment(home.uow, home.world.clock, home.owner, payment.id)
    closed = checkout.get_payment(home.uow, home.owner, payment.id)
    assert closed.status is PaymentStatus.CLOSED


def test_only_the_payer_may_close_a_payment(world: World, home: Home) -> None:
    payment = home.pay()
    someone = ResidentActor(resident_id=new_id())
    assert (
        code_of(lambda: checkout.close_payment(world.uow, world.clock, someone, payment.id))
        == "payment.not_payer"
    )


def test_a_settled_payment_cannot_be_closed(home: Home) -> None:
    payment = home.pay()
    home.notify(payment)
    assert (
        code_of(lambda: checkout.close_payment(home.uow, home.world.clock, home.owner, payment.id))
        == "payment.invalid_transition"
    )


def test_the_worker_closes_expired_payments_and_leaves_the_others(world: World, home: Home) -> None:
    old, paid = home.pay(), home.top_up(Money(10_000))
    home.notify(paid)
    world.clock.advance(timedelta(minutes=10))
    young = home.top_up(Money(20_000))
    world.clock.advance(timedelta(minutes=6))
    closed = checkout.close_expired_payments(
        world.uow, world.clock, SystemActor(job="close_expired_payments")
    )
    assert closed == [old.id]
    statuses = {
        p.id: checkout.get_payment(world.uow, home.owner, p.id).status for p in (old, paid, young)
    }
    assert statuses == {
        old.id: PaymentStatus.CLOSED,
        paid.id: PaymentStatus.SUCCEEDED,
        young.id: PaymentStatus.PENDING,
    }


def test_the_close_timeout_is_configurable(world: World, home: Home) -> None:
    payment = checkout.start_bill_payment(
        world.uow,
        world.clock,
        FakeMerchants(),
        home.owner,
        checkout.PayBills(
            property_id=home.property_id,
            bill_ids=tuple(home.bill_ids),
            channel=PaymentChannel.WECHAT_NATIVE,
        ),
        close_after=timedelta(minutes=5),
    )
    assert payment.expires_at == world.clock.now() + timedelta(minutes=5)


class AlipayOnly:
    def for_channel(self, tenant_id: UUID, channel: PaymentChannel) -> MerchantAccount:
        if channel.value.startswith("alipay"):
            return ALIPAY
        raise InvalidInput("payment.channel_unavailable", "WeChat Pay is not set up")


def test_a_channel_the_tenant_has_not_set_up_is_refused(home: Home) -> None:
    cmd = checkout.PayBills(
        property_id=home.property_id,
        bill_ids=tuple(home.bill_ids),
        channel=PaymentChannel.WECHAT_H5,
    )
    assert (
        code_of(
            lambda: checkout.start_bill_payment(
                home.uow, home.world.clock, AlipayOnly(), home.owner, cmd
            )
        )
        == "payment.channel_unavailable"
    )


def test_staff_read_payments_of_their_communities_only(world: World, home: Home) -> None:
    payment = home.pay()
    reader = StaffActor(staff_id=new_id(), permissions=frozenset({Permission.REPORT_READ}))
    elsewhere = StaffActor(
        staff_id=new_id(),
        permissions=frozenset({Permission.REPORT_READ}),
        community_ids=frozenset({new_id()}),
    )
    assert checkout.get_payment(world.uow, reader, payment.id).id == payment.id
    with pytest.raises(PermissionDenied):
        checkout.get_payment(world.uow, elsewhere, payment.id)


def test_a_payment_is_invisible_to_other_tenants(
    world: World, home: Home, store: InMemoryStore
) -> None:
    payment = home.pay()
    other = InMemoryUnitOfWork(store, new_id(), world.clock)
    assert (
        code_of(lambda: checkout.get_payment(other, world.admin, payment.id)) == "payment.not_found"
    )


def test_paid_bills_are_no_longer_unpaid(home: Home) -> None:
    home.notify(home.pay())
    with home.uow:
        statuses = {home.uow.bills.get(bill_id).status for bill_id in home.bill_ids}
    assert statuses == {BillStatus.PAID}
