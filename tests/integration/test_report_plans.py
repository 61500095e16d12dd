"""Each report query reads its index on PostgreSQL (the statement as sent, explained after a few
hundred bills and payments are stored and analysed; sequential and bitmap scans avoided when
the planner can). The arrears report walks its index in property order, so a page is grouped
without sorting and stops at its limit, never aggregating the whole community first."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID

import pytest
from billing_samples import WECHAT, a_bill, a_bill_payment, an_estate
from query_plans import Plan, explain, statements_sent
from sqlalchemy.engine import URL, Engine

from adapters.persistence.sqlalchemy import SqlAlchemyUnitOfWork
from adapters.persistence.sqlalchemy.reports import SqlReportQueries
from estate_core.shared.ids import new_id
from estate_core.shared.money import Money
from estate_core.shared.pagination import PageRequest, encode_cursor

AT = datetime(2026, 3, 15, 2, 0, tzinfo=UTC)
HOMES = 20
ANALYSED = ("bills", "payments", "payment_refunds", "properties")


@pytest.fixture
def database(postgresql_database: URL) -> URL:
    """PostgreSQL only: SQLite's planner has no statistics worth asserting on."""
    return postgresql_database


@pytest.fixture
def analysed(make_uow: Callable[[UUID], SqlAlchemyUnitOfWork], engine: Engine) -> UUID:
    tenant_id = new_id()
    for community in range(4):
        estate = an_estate(make_uow(tenant_id), homes=HOMES)
        made = [a_bill(estate.item, home, month) for home in estate.homes for month in range(1, 7)]
        for number, bill in enumerate(made):
            if number % 3 == 0:
                bill.settle(new_id(), bill.amount_due, AT + timedelta(seconds=number))
        with make_uow(tenant_id) as uow:
            for bill in made:
                uow.bills.add(bill)
            for number, home in enumerate(estate.homes):
                payment = a_bill_payment(home, [made[6 * number + 1]])
                at = AT - timedelta(days=number)
                payment.settle(payment.amount, WECHAT, f"42{community}{number:03d}", at)
                if number % 2:
                    payment.request_refund(
                        f"R{community}-{number}", Money(100), "多收", new_id(), at
                    )
                    payment.record_refund_result(f"R{community}-{number}", True, at)
                uow.payments.add(payment)
            uow.commit()
    with engine.begin() as connection:
        for table in ANALYSED:
            connection.exec_driver_sql(f"ANALYZE {table}")
    return tenant_id


def _plans(engine: Engine, report: Callable[[], Any]) -> list[Plan]:
    """The plan of every SELECT the report sends."""
    with statements_sent(engine) as sent:
        report()
    return [explain(engine, s, p) for s, p in sent if s.lstrip().startswith("SELECT")]


def test_each_report_reads_its_index(engine: Engine, analysed: UUID) -> None:
    reports = SqlReportQueries(engine, analysed)
    community = new_id()
    since = datetime(2026, 3, 1, tzinfo=UTC)
    after = PageRequest(limit=20, after=encode_cursor([str(new_id())]))
    plans = {
        "collection": _plans(
            engine, lambda: reports.collection(community, date(2026, 1, 1), date(2026, 6, 1))
        ),
        "arrears": _plans(engine, lambda: reports.arrears(community, date(2026, 6, 30), after)),
        "income": _plans(engine, lambda: reports.income(community, since, since + timedelta(30))),
    }
    indexes = {name: [plan.indexes for plan in found] for name, found in plans.items()}
    assert indexes == {
        "collection": [{"ix_bills_community_by_period"}],
        "arrears": [{"ix_bills_community_unpaid_by_property"}],
        "income": [{"ix_payments_community_by_succeeded_at"}, indexes["income"][1]],
    }
    assert indexes["income"][1] in (
        {"ix_payment_refunds_by_finished_at", "pk_payments"},
        {"ix_payments_community_by_succeeded_at", "pk_payment_refunds"},
    ), "refunds are joined to their payments through an index from either side"
    assert [plan.sorts for plan in plans["collection"] + plans["arrears"]] == [False, False]
