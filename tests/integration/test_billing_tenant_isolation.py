"""No billing repository method ever returns a row of another tenant, on any backend.

Two tenants hold look-alike data: the same community id, addresses, fee item name, periods,
and the same gateway numbers (out_trade_no, receipt, refund number: unique per tenant only).
Every method is called from the second tenant's unit of work with the first tenant's ids and
keys, and must only ever see the second tenant's rows.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from uuid import UUID

import attrs
import pytest
from billing_samples import (
    AT,
    a_bill,
    a_bill_payment,
    a_fee_item,
    a_new_bill,
    an_offline_topup,
)
from isolation import assert_adding_is_refused, assert_every_public_method_is_covered, assert_unseen
from persistence_samples import Backend, a_property

from adapters.persistence.sqlalchemy.repositories.billing import (
    SqlBillRepository,
    SqlFeeItemRepository,
    SqlMeterReadingRepository,
)
from adapters.persistence.sqlalchemy.repositories.billing_writer import SqlBillingRunWriter
from adapters.persistence.sqlalchemy.repositories.ledgers import (
    SqlPrepaymentRepository,
    SqlPublicFundRepository,
)
from adapters.persistence.sqlalchemy.repositories.payments import SqlPaymentRepository
from estate_core.billing.fee_item import FeeItem, LateFeePolicy
from estate_core.billing.ledger import FundEntryKind, PrepaymentLedger, PublicFundLedger
from estate_core.billing.meter import MeterReading
from estate_core.billing.model import Bill, BillStatus
from estate_core.payments.payment import Payment
from estate_core.payments.values import PaymentChannel
from estate_core.properties.model import Property
from estate_core.shared.ids import new_id
from estate_core.shared.money import Money
from estate_core.shared.pagination import PageRequest

COMMUNITY = new_id()
"""Shared on purpose: a query filtering on the community but not the tenant would leak."""

OUT_TRADE_NO = "260315SAMENUMBER0000000000000001"
RECEIPT = "SJ-0001"
REFUND_NO = "R-SAME"
MARCH = date(2026, 3, 1)
DAY = date(2026, 3, 20)
PAGE = PageRequest(limit=50)

COVERED = {
    SqlFeeItemRepository: {"add", "get", "find", "find_by_name", "in_community"},
    SqlBillRepository: {
        "add",
        "get",
        "find",
        "find_by_key",
        "issued_keys",
        "unpaid_for_property",
        "due_for_property",
        "upcoming_for_property",
        "paid_for_property",
        "in_community",
        "arrears",
    },
    SqlMeterReadingRepository: {"add", "get", "find", "last_on_or_before", "first_after"},
    SqlPrepaymentRepository: {
        "add",
        "get",
        "find",
        "for_property",
        "open",
        "in_credit",
        "credited_properties",
    },
    SqlPublicFundRepository: {"add", "get", "find", "for_community"},
    SqlPaymentRepository: {
        "add",
        "get",
        "find",
        "find_by_out_trade_no",
        "find_by_receipt_no",
        "expired_pending",
        "pending_created_before",
        "refunds_requested_before",
        "for_property",
        "with_out_trade_nos",
        "done_between",
    },
    SqlBillingRunWriter: {"properties", "add_new", "save_settled"},
}


@attrs.frozen
class Tenant:
    id: UUID
    prop: Property
    item: FeeItem
    paid: Bill
    overdue: Bill
    upcoming: Bill
    reading: MeterReading
    prepayment: PrepaymentLedger
    funds: PublicFundLedger
    pending: Payment
    topup: Payment


def _populate(backend: Backend) -> Tenant:
    tenant_id = new_id()
    prop = a_property(tenant_id, COMMUNITY)
    item = a_fee_item(tenant_id, COMMUNITY, late_fee=LateFeePolicy(daily_rate=Decimal("0.001")))
    paid, overdue, upcoming = (a_bill(item, prop, month) for month in (1, 2, 4))
    paid.settle(new_id(), paid.amount_due, AT)
    reading = MeterReading.take(
        reading_id=new_id(),
        tenant_id=tenant_id,
        community_id=COMMUNITY,
        property_id=prop.id,
        fee_item_id=item.id,
        reading=Decimal("12.00"),
        read_on=MARCH,
        recorded_by=None,
        at=AT,
        previous=None,
        following=None,
    )
    prepayment = PrepaymentLedger(
        id=new_id(), tenant_id=tenant_id, community_id=COMMUNITY, property_id=prop.id
    )
    prepayment.credit(Money(10_000), "top-up", None, AT)
    funds = PublicFundLedger(id=new_id(), tenant_id=tenant_id, community_id=COMMUNITY)
    funds.record_entry(
        kind=FundEntryKind.INCOME,
        category="大修基金",
        amount=Money(100),
        note="",
        on=MARCH,
        recorded_by=new_id(),
        at=AT,
    )
    pending = a_bill_payment(prop, [overdue])
    pending.out_trade_no = OUT_TRADE_NO
    topup = an_offline_topup(prop, RECEIPT, new_id(), 5_000)
    topup.settle(topup.amount, None, None, AT)
    topup.request_refund(REFUND_NO, Money(1_000), "多收", new_id(), AT)
    with backend.uow(tenant_id) as uow:
        uow.properties.add(prop)
        uow.fee_items.add(item)
        for bill in (paid, overdue, upcoming):
            uow.bills.add(bill)
        uow.meter_readings.add(reading)
        uow.prepayments.add(prepayment)
        uow.public_funds.add(funds)
        uow.payments.add(pending)
        uow.payments.add(topup)
        uow.commit()
    return Tenant(
        tenant_id,
        prop,
        item,
        paid,
        overdue,
        upcoming,
        reading,
        prepayment,
        funds,
        pending,
        topup,
    )


@pytest.fixture
def tenants(backend: Backend) -> tuple[Tenant, Tenant]:
    return _populate(backend), _populate(backend)


def test_every_billing_repository_method_is_covered_here() -> None:
    assert_every_public_method_is_covered(COVERED)


def test_fee_items_and_readings_of_another_tenant_are_invisible(
    backend: Backend, tenants: tuple[Tenant, Tenant]
) -> None:
    first, second = tenants
    with backend.uow(second.id) as uow:
        assert_unseen(uow.fee_items, first.item.id)
        by_name = uow.fee_items.find_by_name(COMMUNITY, "物业费")
        assert by_name is not None
        assert by_name.id == second.item.id
        assert [i.id for i in uow.fee_items.in_community(COMMUNITY)] == [second.item.id]
        assert_unseen(uow.meter_readings, first.reading.id)
        theirs = (first.prop.id, first.item.id)
        assert uow.meter_readings.last_on_or_before(*theirs, DAY) is None
        assert uow.meter_readings.first_after(*theirs, date(2026, 1, 1)) is None
        own = uow.meter_readings.last_on_or_before(second.prop.id, second.item.id, DAY)
        assert own is not None
        assert own.id == second.reading.id


def test_bills_of_another_tenant_are_invisible(
    backend: Backend, tenants: tuple[Tenant, Tenant]
) -> None:
    first, second = tenants
    with backend.uow(second.id) as uow:
        bills = uow.bills
        assert_unseen(bills, first.paid.id)
        assert bills.find_by_key(first.prop.id, first.item.id, first.paid.period_start) is None
        assert bills.issued_keys(COMMUNITY, first.paid.period_start) == {
            (second.prop.id, second.item.id)
        }
        assert bills.unpaid_for_property(first.prop.id) == []
        assert bills.due_for_property(first.prop.id, DAY, PAGE).items == []
        assert bills.upcoming_for_property(first.prop.id, DAY, PAGE).items == []
        assert bills.paid_for_property(first.prop.id, PAGE).items == []
        listed = [b.id for b in bills.in_community(COMMUNITY, PAGE).items]
        assert sorted(listed) == sorted([second.paid.id, second.overdue.id, second.upcoming.id])
        paid = bills.in_community(COMMUNITY, PAGE, BillStatus.PAID, date(2026, 1, 1)).items
        assert [b.id for b in paid] == [second.paid.id]
        arrears = bills.arrears(COMMUNITY, DAY, PAGE).items
        assert [(a.property_id, a.overdue_bills) for a in arrears] == [(second.prop.id, 1)]
        own_paid = bills.paid_for_property(second.prop.id, PAGE).items
        assert [b.id for b in own_paid] == [second.paid.id]


def test_ledgers_of_another_tenant_are_invisible(
    backend: Backend, tenants: tuple[Tenant, Tenant]
) -> None:
    first, second = tenants
    with backend.uow(second.id) as uow:
        assert_unseen(uow.prepayments, first.prepayment.id)
        for lock in (False, True):
            assert uow.prepayments.for_property(first.prop.id, lock=lock) is None
        opened = uow.prepayments.open(
            PrepaymentLedger(
                id=new_id(), tenant_id=second.id, community_id=COMMUNITY, property_id=second.prop.id
            )
        )
        assert opened.id == second.prepayment.id
        theirs = PrepaymentLedger(
            id=new_id(), tenant_id=first.id, community_id=COMMUNITY, property_id=first.prop.id
        )
        with pytest.raises(ValueError, match="another tenant"):
            uow.prepayments.open(theirs)
        assert uow.prepayments.in_credit([first.prop.id]) == []
        credit = uow.prepayments.in_credit([first.prop.id, second.prop.id])
        assert [x.id for x in credit] == [second.prepayment.id]
        assert uow.prepayments.credited_properties(COMMUNITY) == {second.prop.id}
        assert_unseen(uow.public_funds, first.funds.id)
        funds = uow.public_funds.for_community(COMMUNITY)
        assert funds is not None
        assert funds.id == second.funds.id


def test_payments_of_another_tenant_are_invisible(
    backend: Backend, tenants: tuple[Tenant, Tenant]
) -> None:
    first, second = tenants
    later = AT + timedelta(days=1)
    with backend.uow(second.id) as uow:
        payments = uow.payments
        assert_unseen(payments, first.pending.id)
        for lock in (False, True):
            found = payments.find_by_out_trade_no(OUT_TRADE_NO, lock=lock)
            assert found is not None
            assert found.id == second.pending.id
        receipt = payments.find_by_receipt_no(RECEIPT)
        assert receipt is not None
        assert receipt.id == second.topup.id
        assert [p.id for p in payments.expired_pending(later, 10)] == [second.pending.id]
        assert [p.id for p in payments.pending_created_before(later, 10)] == [second.pending.id]
        assert [p.id for p in payments.refunds_requested_before(later, 10)] == [second.topup.id]
        assert payments.for_property(first.prop.id, PAGE).items == []
        own = {p.id for p in payments.for_property(second.prop.id, PAGE).items}
        assert own == {second.pending.id, second.topup.id}
        named = payments.with_out_trade_nos([OUT_TRADE_NO, first.topup.out_trade_no])
        assert [p.id for p in named] == [second.pending.id]
        done = payments.done_between(set(PaymentChannel), AT - timedelta(days=1), later)
        assert [p.id for p in done] == [second.topup.id]


def test_the_bulk_path_sees_and_writes_only_its_own_tenant(
    backend: Backend, tenants: tuple[Tenant, Tenant]
) -> None:
    first, second = tenants
    with backend.uow(second.id) as uow:
        writer = uow.billing_writer
        batches = list(writer.properties(COMMUNITY, 10))
        assert [[p.id for p in batch] for batch in batches] == [[second.prop.id]]
        with pytest.raises(ValueError, match="another tenant"):
            writer.add_new([a_new_bill(first.item, first.prop, 5)])
        with pytest.raises(ValueError, match="another tenant"):
            writer.save_settled([a_bill(first.item, first.prop, 5)])
        mine = a_new_bill(second.item, second.prop, 5)
        assert writer.add_new([mine]) == [mine]


def test_adding_a_billing_aggregate_of_another_tenant_is_refused(
    backend: Backend, tenants: tuple[Tenant, Tenant]
) -> None:
    first, second = tenants
    with backend.uow(second.id) as uow:
        assert_adding_is_refused(
            (
                (uow.fee_items, a_fee_item(first.id, COMMUNITY, "水费")),
                (uow.bills, a_bill(first.item, first.prop, 6)),
                (
                    uow.prepayments,
                    PrepaymentLedger(
                        id=new_id(),
                        tenant_id=first.id,
                        community_id=COMMUNITY,
                        property_id=new_id(),
                    ),
                ),
                (
                    uow.public_funds,
                    PublicFundLedger(id=new_id(), tenant_id=first.id, community_id=new_id()),
                ),
                (uow.payments, a_bill_payment(first.prop, [first.upcoming])),
                (uow.meter_readings, attrs.evolve(first.reading, id=new_id())),
            )
        )
