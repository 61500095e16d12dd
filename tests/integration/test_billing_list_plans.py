"""Each billing list and worker query reads its index, in the index's order, from the cursor.

The statement a repository sends for a page after a cursor is explained on the real database,
after a few hundred homes' bills and payments in several communities are stored and analysed
(on empty tables every index costs the same, and the planner picks any). PostgreSQL is told to
avoid sequential scans, bitmap scans and sorts whenever it can, so a plan that still sorts
means no index gives the list's order; SQLite says when it would sort in a temporary B-tree.
Walking the index from the cursor is what makes page 10,000 cost what page 1 costs. The arrears
list and the refunds awaiting an answer are aggregates per property and per payment: they read
their index (only the community's overdue bills, only the waiting refunds), then sort groups.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from uuid import UUID

import pytest
from billing_samples import WECHAT, a_bill, a_bill_payment, an_estate
from query_plans import plan_of_query
from sqlalchemy.engine import Engine

from adapters.persistence.sqlalchemy import SqlAlchemyUnitOfWork
from estate_core.billing.model import BillStatus
from estate_core.shared.ids import new_id
from estate_core.shared.money import Money
from estate_core.shared.pagination import PageRequest, encode_cursor

AT = datetime(2026, 3, 15, 2, 0, tzinfo=UTC)
DAY = date(2026, 3, 15)
_MICROS = (AT - datetime(1970, 1, 1, tzinfo=UTC)) // timedelta(microseconds=1)
NEWER = PageRequest(limit=20, after=encode_cursor([-_MICROS, str(new_id())]))
BY_DATE = PageRequest(limit=20, after=encode_cursor(["2026-03-16", str(new_id())]))
BY_PERIOD = PageRequest(limit=20, after=encode_cursor(["2026-03-01", str(new_id()), str(new_id())]))
LARGEST = PageRequest(limit=20, after=encode_cursor([-25_000, str(new_id())]))

HOMES = 20
ANALYSED = ("fee_items", "bills", "meter_readings", "payments", "payment_refunds")
"""Only billing's tables: statistics outlive the rows, and other plan tests expect none."""

SORTED = {
    "ix_bills_property_unpaid_by_due_date": [
        lambda uow: uow.bills.due_for_property(new_id(), DAY, BY_DATE),
        lambda uow: uow.bills.unpaid_for_property(new_id()),
    ],
    "ix_bills_property_unpaid_by_period": [
        lambda uow: uow.bills.upcoming_for_property(new_id(), DAY, BY_DATE),
    ],
    "ix_bills_property_settled_by_paid_at": [
        lambda uow: uow.bills.paid_for_property(new_id(), NEWER),
    ],
    "ix_bills_community_by_period": [
        lambda uow: uow.bills.in_community(new_id(), BY_PERIOD),
        lambda uow: uow.bills.in_community(new_id(), BY_PERIOD, period_start=DAY.replace(day=1)),
        lambda uow: uow.bills.issued_keys(new_id(), DAY.replace(day=1)),
    ],
    "ix_bills_community_by_status_period": [
        lambda uow: uow.bills.in_community(new_id(), BY_PERIOD, BillStatus.UNPAID),
    ],
    "uq_bills_tenant_id_property_id_fee_item_id_period_start": [
        lambda uow: uow.bills.find_by_key(new_id(), new_id(), DAY.replace(day=1)),
    ],
    "uq_properties_tenant_id_community_id_building_unit_room": [
        lambda uow: list(uow.billing_writer.properties(new_id(), 1000)),
    ],
    "uq_fee_items_tenant_id_community_id_name": [
        lambda uow: uow.fee_items.in_community(new_id()),
    ],
    "uq_meter_readings_tenant_id_property_id_fee_item_id_read_on": [
        lambda uow: uow.meter_readings.last_on_or_before(new_id(), new_id(), DAY),
        lambda uow: uow.meter_readings.first_after(new_id(), new_id(), DAY),
    ],
    "ix_payments_by_property": [
        lambda uow: uow.payments.for_property(new_id(), NEWER),
    ],
    "ix_payments_pending_by_created_at": [
        lambda uow: uow.payments.pending_created_before(AT, 100),
    ],
    "ix_payments_pending_by_expires_at": [
        lambda uow: uow.payments.expired_pending(AT, 100),
    ],
}

GROUPED = {
    "ix_bills_community_unpaid_by_due_date": lambda uow: uow.bills.arrears(new_id(), DAY, LARGEST),
    "ix_payment_refunds_requested": lambda uow: uow.payments.refunds_requested_before(AT, 100),
}


@pytest.fixture
def analysed(make_uow: Callable[[UUID], SqlAlchemyUnitOfWork], engine: Engine) -> UUID:
    """A tenant with four communities of homes, six months of bills (a third paid), payments
    (pending and settled) and refunds (some awaiting their answer); statistics gathered."""
    tenant_id = new_id()
    for community in range(4):
        estate = an_estate(make_uow(tenant_id), homes=HOMES)
        made = [
            a_bill(estate.item, home, month, at=AT + timedelta(minutes=month))
            for home in estate.homes
            for month in range(1, 7)
        ]
        for number, bill in enumerate(made):
            if number % 3 == 0:
                bill.settle(new_id(), bill.amount_due, AT + timedelta(seconds=number))
        with make_uow(tenant_id) as uow:
            for bill in made:
                uow.bills.add(bill)
            for number, home in enumerate(estate.homes[: HOMES // 2]):
                payment = a_bill_payment(home, [made[6 * number + 1]])
                if number % 2:
                    payment.settle(payment.amount, WECHAT, f"42{community}{number}", AT)
                    payment.request_refund(
                        f"R{community}-{number}", Money(100), "多收", new_id(), AT
                    )
                uow.payments.add(payment)
            uow.commit()
    with engine.begin() as connection:
        for table in ANALYSED:
            connection.exec_driver_sql(f"ANALYZE {table}")
    return tenant_id


def test_each_billing_list_reads_its_index_in_order_and_the_aggregates_only_theirs(
    make_uow: Callable[[UUID], SqlAlchemyUnitOfWork],
    engine: Engine,
    analysed: UUID,
) -> None:
    wrong: dict[str, object] = {}
    for index, queries in SORTED.items():
        for number, query in enumerate(queries):
            indexes, sorts = plan_of_query(make_uow, engine, analysed, query)
            if sorts or index not in indexes:
                wrong[f"{index} #{number}"] = (indexes, sorts)
    for index, query in GROUPED.items():
        indexes, _ = plan_of_query(make_uow, engine, analysed, query)
        if indexes != {index}:
            wrong[index] = indexes
    assert wrong == {}, "lists read through another index, or sorted"
