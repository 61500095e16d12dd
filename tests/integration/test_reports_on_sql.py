"""The reports on SQLite and PostgreSQL: figures the database computes, in the community's
scope, for at most a year, with ``report.read``."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from uuid import UUID

import pytest
from report_samples import a_report_world
from sqlalchemy.engine import Engine

from adapters.persistence.sqlalchemy import SqlAlchemyUnitOfWork
from adapters.persistence.sqlalchemy.reports import SqlReportQueries
from estate_core.payments.values import PaymentChannel
from estate_core.reports import queries
from estate_core.reports.ports import DailyIncome
from estate_core.shared.access import Permission, StaffActor
from estate_core.shared.clock import FixedClock
from estate_core.shared.errors import InvalidInput, PermissionDenied
from estate_core.shared.ids import new_id
from estate_core.shared.money import Money
from estate_core.shared.pagination import PageRequest

READER = StaffActor(staff_id=new_id(), permissions=frozenset({Permission.REPORT_READ}))
MARCH = date(2026, 3, 1)
MARCH_END = date(2026, 3, 31)


def test_collection_rate_per_period_by_amount_and_count(
    make_uow: Callable[[UUID], SqlAlchemyUnitOfWork], engine: Engine, tenant_id: UUID
) -> None:
    world = a_report_world(make_uow, tenant_id)
    query = queries.ReportRange(
        community_id=world.estate.community_id, start=date(2026, 1, 1), end=MARCH
    )
    lines = queries.collection_rate(SqlReportQueries(engine, tenant_id), READER, query)
    assert [
        (
            line.figures.period_start.month,
            line.figures.bills_issued,
            line.figures.amount_issued,
            line.figures.bills_paid,
            line.figures.amount_settled,
            line.rate_by_amount,
            line.rate_by_count,
        )
        for line in lines
    ] == [
        (1, 3, Money(75_000), 3, Money(75_000), Decimal("1.0000"), Decimal("1.0000")),
        (2, 3, Money(75_000), 1, Money(25_000), Decimal("0.3333"), Decimal("0.3333")),
        (3, 3, Money(75_000), 0, Money(0), Decimal("0.0000"), Decimal("0.0000")),
    ]


def test_arrears_page_by_page_from_the_cursor(
    make_uow: Callable[[UUID], SqlAlchemyUnitOfWork],
    engine: Engine,
    tenant_id: UUID,
    clock: FixedClock,
) -> None:
    world = a_report_world(make_uow, tenant_id)
    reports = SqlReportQueries(engine, tenant_id)
    community = world.estate.community_id
    first = queries.arrears(
        reports,
        clock,
        READER,
        queries.ArrearsQuery(community_id=community, page=PageRequest(limit=1)),
    )
    assert first.next_cursor is not None
    second = queries.arrears(
        reports,
        clock,
        READER,
        queries.ArrearsQuery(
            community_id=community, page=PageRequest(limit=1, after=first.next_cursor)
        ),
    )
    assert second.next_cursor is None
    owing = sorted([world.estate.homes[1], world.estate.homes[2]], key=lambda p: p.id)
    assert [
        (row.property_id, row.address, row.overdue_bills, row.amount_overdue, row.oldest_due_date)
        for row in [*first.items, *second.items]
    ] == [(home.id, home.address, 1, Money(25_000), date(2026, 2, 16)) for home in owing]


def test_income_by_local_day_and_channel_with_refunds(
    make_uow: Callable[[UUID], SqlAlchemyUnitOfWork], engine: Engine, tenant_id: UUID
) -> None:
    world = a_report_world(make_uow, tenant_id)
    query = queries.ReportRange(community_id=world.estate.community_id, start=MARCH, end=MARCH_END)
    days = queries.income(SqlReportQueries(engine, tenant_id), READER, query)
    wechat = PaymentChannel.WECHAT_JSAPI
    assert days == [
        DailyIncome(
            day=date(2026, 3, 14),
            channel=wechat,
            payments=1,
            amount_received=Money(25_000),
            refunds=0,
            amount_refunded=Money(0),
        ),
        DailyIncome(
            day=date(2026, 3, 15),
            channel=wechat,
            payments=1,
            amount_received=Money(25_000),
            refunds=1,
            amount_refunded=Money(100),
        ),
    ]


def test_another_tenant_sees_nothing(
    make_uow: Callable[[UUID], SqlAlchemyUnitOfWork], engine: Engine, tenant_id: UUID
) -> None:
    world = a_report_world(make_uow, tenant_id)
    query = queries.ReportRange(community_id=world.estate.community_id, start=MARCH, end=MARCH_END)
    elsewhere = SqlReportQueries(engine, new_id())
    assert queries.income(elsewhere, READER, query) == []
    assert queries.collection_rate(elsewhere, READER, query) == []


@pytest.mark.parametrize(
    ("start", "end", "code"),
    [
        (date(2025, 2, 28), MARCH, "report.range_too_long"),
        (MARCH, date(2026, 2, 1), "report.invalid_range"),
    ],
)
def test_a_range_over_a_year_or_backwards_is_refused(
    engine: Engine, tenant_id: UUID, start: date, end: date, code: str
) -> None:
    query = queries.ReportRange(community_id=new_id(), start=start, end=end)
    reports = SqlReportQueries(engine, tenant_id)
    for report in (queries.collection_rate, queries.income):
        with pytest.raises(InvalidInput) as refused:
            report(reports, READER, query)
        assert refused.value.code == code


def test_reports_need_report_read_in_the_community(engine: Engine, tenant_id: UUID) -> None:
    community = new_id()
    query = queries.ReportRange(community_id=community, start=MARCH, end=MARCH)
    reports = SqlReportQueries(engine, tenant_id)
    scoped = StaffActor(
        staff_id=new_id(),
        permissions=frozenset({Permission.REPORT_READ}),
        community_ids=frozenset({new_id()}),
    )
    cashier = StaffActor(staff_id=new_id(), permissions=frozenset({Permission.PAYMENT_COLLECT}))
    for actor, code in ((scoped, "permission.out_of_scope"), (cashier, "permission.missing")):
        with pytest.raises(PermissionDenied) as refused:
            queries.collection_rate(reports, actor, query)
        assert refused.value.code == code
