"""The reconciliation queries read their indexes, on SQLite and PostgreSQL.

After a month of payments (settled on different days, some refunded) and two months of reports
are stored and analysed: the payments and refunds done in a day are found by one range of
``payments (tenant, succeeded_at)`` and one of ``payment_refunds (tenant, finished_at)``, and the
staff list of reports reads ``(tenant, day DESC, channel group, id)`` in its order from the
cursor, with no sort (see ``query_plans.py`` for how plans are read).
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
from estate_core.payments.reconciliation import ReconciliationReport
from estate_core.payments.services.reconciliation import day_bounds
from estate_core.payments.values import ChannelGroup
from estate_core.shared.ids import new_id
from estate_core.shared.money import Money
from estate_core.shared.pagination import PageRequest, encode_cursor

AT = datetime(2026, 3, 1, 2, 0, tzinfo=UTC)
DAY = date(2026, 3, 15)
HOMES = 40
ANALYSED = ("payments", "payment_refunds", "reconciliation_reports")
LATER = PageRequest(
    limit=20, after=encode_cursor([-DAY.toordinal(), ChannelGroup.ALIPAY.value, str(new_id())])
)


@pytest.fixture
def analysed(make_uow: Callable[[UUID], SqlAlchemyUnitOfWork], engine: Engine) -> UUID:
    tenant_id = new_id()
    estate = an_estate(make_uow(tenant_id), homes=HOMES)
    with make_uow(tenant_id) as uow:
        for number, home in enumerate(estate.homes):
            bill = a_bill(estate.item, home, 1)
            uow.bills.add(bill)
            payment = a_bill_payment(home, [bill])
            paid_at = AT + timedelta(days=number % 30, minutes=number)
            payment.settle(payment.amount, WECHAT, f"42{number:08d}", paid_at)
            if number % 3 == 0:
                payment.request_refund(f"R{number}", Money(100), "多收", new_id(), paid_at)
                payment.record_refund_result(f"R{number}", True, paid_at + timedelta(days=2))
            uow.payments.add(payment)
        for days in range(60):
            for group in ChannelGroup:
                report = ReconciliationReport.start(
                    report_id=new_id(),
                    tenant_id=tenant_id,
                    group=group,
                    day=DAY - timedelta(days=days),
                    at=AT,
                )
                report.record_run(lines=0, matched=0, findings=[], resolved=[], at=AT)
                uow.reconciliations.add(report)
        uow.commit()
    with engine.begin() as connection:
        for table in ANALYSED:
            connection.exec_driver_sql(f"ANALYZE {table}")
    return tenant_id


def test_the_reconciliation_queries_read_their_indexes_without_sorting(
    make_uow: Callable[[UUID], SqlAlchemyUnitOfWork], engine: Engine, analysed: UUID
) -> None:
    start, end = day_bounds(DAY)
    done = plan_of_query(
        make_uow,
        engine,
        analysed,
        lambda uow: uow.payments.done_between(ChannelGroup.WECHAT.channels, start, end),
    )
    assert {"ix_payments_by_succeeded_at", "ix_payment_refunds_by_finished_at"} <= done.indexes
    listed = plan_of_query(
        make_uow, engine, analysed, lambda uow: uow.reconciliations.newest_first(LATER)
    )
    assert listed == ({"ix_reconciliation_reports_by_day"}, False)
