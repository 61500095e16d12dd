"""The billing and payment use cases, unchanged, on the SQLAlchemy unit of work (SQLite and
PostgreSQL). Each step is its own unit of work; every view is read back from the database.

Billing: fee items, meter readings, a prepayment top-up at the counter, two billing runs (the
second issues nothing), the bill views, arrears, voiding, the prepayment statement, public funds
and a bill import. Payments: an online payment settled (twice: the second is a no-op), a
partial refund and its result, a payment closed by its payer and one closed by the worker, two
payments of one bill (the second is surplus, refunded), and a merchant order paid.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

import pytest
from billing_samples import FakeMerchants, World, notification
from commerce_samples import an_order, open_shop

from adapters.persistence.sqlalchemy import SqlAlchemyUnitOfWork
from estate_core.billing import funds, imports, queries, services
from estate_core.billing.calculation import Calculation
from estate_core.billing.fee_item import DueRule, DueRuleKind, FeeCategory, LateFeePolicy
from estate_core.billing.ledger import FundEntryKind
from estate_core.billing.model import BillStatus
from estate_core.commerce.order import OrderState, PaymentMethod
from estate_core.payments.refund import RefundStatus
from estate_core.payments.services import checkout, offline, settlement
from estate_core.payments.values import PaymentChannel, PaymentStatus
from estate_core.properties.model import PropertyKind
from estate_core.shared.access import ResidentActor, SystemActor
from estate_core.shared.clock import FixedClock
from estate_core.shared.errors import DomainError
from estate_core.shared.money import Money
from estate_core.shared.pagination import PageRequest

MARCH = date(2026, 3, 1)
FEBRUARY = date(2026, 2, 1)
WORKER = SystemActor(job="payments")


def _code(call: Callable[[], object]) -> str:
    with pytest.raises(DomainError) as raised:
        call()
    return raised.value.code


def test_billing_runs_views_ledgers_funds_and_import_on_the_database(
    make_uow: Callable[[UUID], SqlAlchemyUnitOfWork], clock: FixedClock, tenant_id: UUID
) -> None:
    world = World.open(make_uow(tenant_id), clock)
    uow, admin = world.uow, world.admin
    metered, prepaid, plain = world.home(), world.home("80.00"), world.home("120.50")
    owner = world.owner_of(metered)
    world.fee(late_fee=LateFeePolicy(daily_rate=Decimal("0.0005")))
    water = world.fee("水费", calculation=Calculation.METERED, price="3.20")
    services.update_fee_item(
        uow,
        admin,
        services.UpdateFeeItem(
            fee_item_id=water,
            name="自来水费",
            category=FeeCategory.WATER,
            unit_price=Decimal("3.50"),
            property_kinds=frozenset({PropertyKind.RESIDENCE}),
            due_rule=DueRule(kind=DueRuleKind.DAYS_AFTER_START, value=15),
        ),
    )
    assert [f.name for f in services.list_fee_items(uow, admin, world.community_id)] == [
        "物业费",
        "自来水费",
    ]
    for reading, day in (("100.00", date(2026, 1, 31)), ("112.40", date(2026, 2, 28))):
        services.record_meter_reading(
            uow,
            clock,
            admin,
            services.RecordMeterReading(
                property_id=metered, fee_item_id=water, reading=Decimal(reading), read_on=day
            ),
        )
    assert (
        _code(
            lambda: services.record_meter_reading(
                uow,
                clock,
                admin,
                services.RecordMeterReading(
                    property_id=metered,
                    fee_item_id=water,
                    reading=Decimal("90"),
                    read_on=date(2026, 3, 1),
                ),
            )
        )
        == "meter.reading_decreased"
    )
    offline.collect_offline_payment(
        uow,
        clock,
        admin,
        offline.CollectOfflinePayment(
            property_id=prepaid, receipt_no="SJ-1", received=Money.yuan("500")
        ),
    )

    first = world.run(FEBRUARY)
    again = world.run(FEBRUARY)
    assert (first.issued, first.already_issued, first.settled_from_prepayment) == (4, 0, 1)
    assert set(first.missing_readings) == {(prepaid, water), (plain, water)}
    assert (again.issued, again.already_issued) == (0, 4)

    def bills(view: queries.BillView, home: UUID = metered) -> list[queries.BillLine]:
        return list(
            queries.list_property_bills(
                uow,
                clock,
                owner if home == metered else admin,
                queries.ListPropertyBills(property_id=home, view=view, page=PageRequest(limit=1)),
            ).items
        )

    due = queries.list_property_bills(
        uow, clock, owner, queries.ListPropertyBills(property_id=metered, view=queries.BillView.DUE)
    ).items
    assert sorted((line.fee_item_name, line.amount_due) for line in due) == [
        ("物业费", Money(25_000)),
        ("自来水费", Money(4_340)),
    ]
    fee_line = next(line for line in due if line.fee_item_name == "物业费")
    assert (fee_line.overdue, fee_line.late_fee) == (True, Money(338))
    paid = bills(queries.BillView.PAID, prepaid)
    assert [(line.status, line.paid_from_prepayment) for line in paid] == [(BillStatus.PAID, True)]
    statement = queries.prepayment_statement(uow, clock, admin, prepaid)
    assert statement.balance == Money(50_000 - 20_270)
    assert sorted(e.kind.value for e in statement.entries.items) == ["credit", "debit"]
    arrears = queries.list_arrears(
        uow, clock, admin, queries.ListArrears(community_id=world.community_id)
    ).items
    assert [(a.property_id, a.amount_overdue) for a in arrears] == [
        (plain, Money(30_125)),
        (metered, Money(29_340)),
    ]
    community_bills = queries.list_community_bills(
        uow,
        clock,
        admin,
        queries.ListCommunityBills(community_id=world.community_id, status=BillStatus.UNPAID),
    ).items
    assert len(community_bills) == 3
    plain_bill = next(line for line in community_bills if line.property_id == plain)
    services.void_bill(
        uow, clock, admin, services.VoidBill(bill_id=plain_bill.bill_id, reason="错")
    )
    arrears = queries.list_arrears(
        uow, clock, admin, queries.ListArrears(community_id=world.community_id)
    ).items
    assert [a.property_id for a in arrears] == [metered]

    funds.record_fund_entry(
        uow,
        clock,
        admin,
        funds.RecordFundEntry(
            community_id=world.community_id,
            kind=FundEntryKind.INCOME,
            category="大修基金",
            amount=Money.yuan("10000"),
            on=MARCH,
        ),
    )
    fund = funds.public_fund_statement(uow, clock, owner, world.community_id)
    assert (fund.balance, len(fund.entries.items)) == (Money.yuan("10000"), 1)

    rows = imports.parse_bill_csv(
        "楼栋,单元,房号,收费项目,账期,金额\n1,1,103,物业费,2026-03,301.25\n1,1,102,物业费,2026-03,200\n"
    )
    imported = imports.import_bills(
        uow, clock, admin, imports.ImportBills(community_id=world.community_id, rows=rows)
    )
    assert (imported.imported, imported.settled_from_prepayment) == (2, 1)
    duplicate = imports.ImportBills(community_id=world.community_id, rows=rows[:1])
    assert (
        _code(lambda: imports.import_bills(uow, clock, admin, duplicate)) == "bill_import.invalid"
    )
    assert world.run(MARCH).issued == 1
    upcoming = bills(queries.BillView.UPCOMING)
    assert upcoming == []


def test_payments_settle_refund_close_and_surplus_on_the_database(
    make_uow: Callable[[UUID], SqlAlchemyUnitOfWork], clock: FixedClock, tenant_id: UUID
) -> None:
    world = World.open(make_uow(tenant_id), clock)
    uow, admin = world.uow, world.admin
    home = world.home()
    owner = world.owner_of(home)
    world.fee()
    for month in (1, 2, 3):
        world.run(date(2026, month, 1))
    january, february, march = world.bill_ids(home)

    paying = world.pay(owner, home, [january, february])
    settled = settlement.settle_payment(uow, clock, notification(paying))
    repeat = settlement.settle_payment(uow, clock, notification(paying))
    assert (settled.already_settled, repeat.already_settled) == (False, True)
    assert world.bill_ids(home) == [march]
    refund = settlement.refund_payment(
        uow,
        clock,
        admin,
        settlement.RefundPayment(
            payment_id=paying.id, amount=Money(10_000), reason="多收", out_refund_no="R1"
        ),
    )
    assert refund.status is RefundStatus.REQUESTED
    answered = settlement.record_refund_result(
        uow,
        clock,
        settlement.RecordRefundResult(
            out_trade_no=paying.out_trade_no, out_refund_no="R1", succeeded=True
        ),
    )
    assert (answered.status, answered.payment_status) == (
        RefundStatus.SUCCEEDED,
        PaymentStatus.PARTIALLY_REFUNDED,
    )

    given_up = world.pay(owner, home, [march])
    checkout.close_payment(uow, clock, owner, given_up.id)
    forgotten = world.pay(owner, home, [march])
    clock.advance(timedelta(minutes=16))
    assert checkout.close_expired_payments(uow, clock, WORKER) == [forgotten.id]
    assert checkout.get_payment(uow, owner, forgotten.id).status is PaymentStatus.CLOSED

    first = world.pay(owner, home, [march])
    clock.advance(timedelta(seconds=1))
    second = world.pay(owner, home, [march])
    settlement.settle_payment(uow, clock, notification(first, "4200000002"))
    late = settlement.settle_payment(uow, clock, notification(second, "4200000003"))
    assert [case.cause for case in late.surplus] == ["bill_already_paid"]
    second_view = checkout.get_payment(uow, admin, second.id)
    assert second_view.refundable == Money(0)
    with uow:
        history = uow.payments.for_property(home, PageRequest(limit=10)).items
        assert [p.id for p in history][:2] == [second.id, first.id]
        waiting = uow.payments.refunds_requested_before(clock.now() + timedelta(seconds=1), 10)
        assert [p.id for p in waiting] == [second.id]


def test_a_merchant_order_is_paid_through_the_commerce_repository(
    make_uow: Callable[[UUID], SqlAlchemyUnitOfWork], clock: FixedClock, tenant_id: UUID
) -> None:
    shop = open_shop(make_uow, tenant_id)
    order = an_order(shop, PaymentMethod.ONLINE, at=clock.now())
    uow: Any = make_uow(tenant_id)
    with uow:
        uow.merchant_orders.add(order)
        uow.commit()
    buyer = ResidentActor(resident_id=shop.resident.id)
    payment = checkout.start_order_payment(
        uow,
        clock,
        FakeMerchants(),
        buyer,
        checkout.PayOrder(order_id=order.id, channel=PaymentChannel.WECHAT_NATIVE),
    )
    result = settlement.settle_payment(uow, clock, notification(payment))
    assert (result.status, result.surplus) == (PaymentStatus.SUCCEEDED, ())
    with uow:
        assert uow.merchant_orders.get(order.id).state is OrderState.PENDING_DELIVERY
