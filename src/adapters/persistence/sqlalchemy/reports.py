"""The report queries (``estate_core.reports.ports.ReportQueries``) as SQLAlchemy Core selects.

Each report is grouped and summed by the database, reading an index of its own (the plan tests
in ``tests/integration/test_report_plans.py`` hold them to it):

- collection rate: ``ix_bills_community_by_period``, the community's periods in order;
- arrears: ``ix_bills_community_unpaid_by_property``, the community's unpaid bills by property,
  so a page groups the bills of its own properties from the cursor on, never the whole list;
- income: ``ix_payments_community_by_succeeded_at`` and ``ix_payment_refunds_by_finished_at``.

Days are local dates in Asia/Shanghai (China keeps no daylight saving time), computed by the
database: ``AT TIME ZONE`` on PostgreSQL, ``date(…, '+8 hours')`` on SQLite's UTC wall times.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime
from typing import Any
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler

from adapters.persistence.sqlalchemy.errors import database_errors
from adapters.persistence.sqlalchemy.repositories.billing import _cursor, _uuid
from adapters.persistence.sqlalchemy.tables.billing import UNPAID, bills
from adapters.persistence.sqlalchemy.tables.identity import tenants
from adapters.persistence.sqlalchemy.tables.payments import payment_refunds, payments
from adapters.persistence.sqlalchemy.tables.properties import properties
from estate_core.billing.model import BillStatus
from estate_core.payments.refund import RefundStatus
from estate_core.payments.values import PaymentChannel, PaymentTarget
from estate_core.reports.ports import DailyIncome, PeriodCollection, PropertyArrearsRow
from estate_core.shared.money import Money
from estate_core.shared.pagination import Page, PageRequest, encode_cursor


class local_day(sa.sql.functions.FunctionElement[date]):  # noqa: N801 (a SQL function)
    """The Asia/Shanghai calendar date of a UTC instant column."""

    type = sa.Date()
    inherit_cache = True


@compiles(local_day, "postgresql")
def _local_day_postgresql(element: local_day, compiler: SQLCompiler, **kw: Any) -> str:
    return f"CAST(({compiler.process(element.clauses, **kw)}) AT TIME ZONE 'Asia/Shanghai' AS DATE)"


@compiles(local_day, "sqlite")
def _local_day_sqlite(element: local_day, compiler: SQLCompiler, **kw: Any) -> str:
    return f"date({compiler.process(element.clauses, **kw)}, '+8 hours')"


def _total(column: sa.ColumnElement[Any]) -> sa.ColumnElement[int]:
    """A sum of fen as an integer (PostgreSQL sums BIGINT into NUMERIC)."""
    return sa.cast(sa.func.coalesce(sa.func.sum(column), 0), sa.BigInteger)


def _when(condition: sa.ColumnElement[bool], value: Any) -> sa.ColumnElement[Any]:
    return sa.case((condition, value), else_=0)


class SqlReportQueries:
    """The report queries of one tenant; each runs on a connection of its own, reading only."""

    def __init__(self, engine: Engine, tenant_id: UUID) -> None:
        self._engine = engine
        self._tenant_id = tenant_id

    def _rows(self, statement: sa.Select[Any]) -> list[sa.Row[Any]]:
        with database_errors(), self._engine.connect() as connection:
            return list(connection.execute(statement))

    def collection(
        self, community_id: UUID, first_period: date, last_period: date
    ) -> list[PeriodCollection]:
        c = bills.c
        paid = c.status == BillStatus.PAID.value
        statement = (
            sa.select(
                c.period_start,
                sa.func.count().label("issued"),
                _total(c.amount_due).label("amount_issued"),
                sa.func.sum(_when(paid, 1)).label("paid"),
                _total(_when(paid, c.amount_due)).label("settled"),
                _total(_when(paid, c.amount_paid)).label("collected"),
            )
            .where(
                c.tenant_id == self._tenant_id,
                c.community_id == community_id,
                c.period_start >= first_period,
                c.period_start <= last_period,
                c.status != BillStatus.VOID.value,
            )
            .group_by(c.period_start)
            .order_by(c.period_start)
        )
        return [
            PeriodCollection(
                period_start=row.period_start,
                bills_issued=row.issued,
                amount_issued=Money(row.amount_issued),
                bills_paid=int(row.paid),
                amount_settled=Money(row.settled),
                amount_collected=Money(row.collected),
            )
            for row in self._rows(statement)
        ]

    def arrears(self, community_id: UUID, day: date, page: PageRequest) -> Page[PropertyArrearsRow]:
        c = bills.c
        statement = (
            sa.select(
                c.property_id,
                sa.func.count().label("bills"),
                _total(c.amount_due).label("amount"),
                sa.func.min(c.due_date).label("oldest"),
            )
            .where(
                c.tenant_id == self._tenant_id,
                c.community_id == community_id,
                sa.text(UNPAID),
                c.due_date < day,
            )
            .group_by(c.property_id)
            .order_by(c.property_id)
            .limit(page.limit + 1)
        )
        if page.after is not None:
            [raw_id] = _cursor(page.after, str)
            statement = statement.where(c.property_id > _uuid(raw_id))
        rows = self._rows(statement)
        shown = rows[: page.limit]
        homes = self._homes([row.property_id for row in shown])
        items = [
            PropertyArrearsRow(
                property_id=row.property_id,
                address=homes[row.property_id][0],
                owner_name=homes[row.property_id][1],
                overdue_bills=row.bills,
                amount_overdue=Money(row.amount),
                oldest_due_date=row.oldest,
            )
            for row in shown
        ]
        more = len(rows) > page.limit
        return Page(
            items=items, next_cursor=encode_cursor([str(shown[-1].property_id)]) if more else None
        )

    def _homes(self, property_ids: list[UUID]) -> dict[UUID, tuple[str, str | None]]:
        """Address (building-unit-room, like ``Property.address``) and owner of each property."""
        if not property_ids:
            return {}
        p = properties.c
        statement = sa.select(p.id, p.building, p.unit, p.room, p.owner_name).where(
            p.tenant_id == self._tenant_id, p.id.in_(property_ids)
        )
        return {
            row.id: (
                "-".join(part for part in (row.building, row.unit, row.room) if part),
                row.owner_name,
            )
            for row in self._rows(statement)
        }

    def income(self, community_id: UUID, since: datetime, until: datetime) -> list[DailyIncome]:
        p = payments.c
        own = (p.community_id == community_id, p.target != PaymentTarget.MERCHANT_ORDER.value)
        day = local_day(p.succeeded_at)
        received = (
            sa.select(
                day.label("day"),
                p.channel,
                sa.func.count().label("n"),
                _total(p.amount).label("amount"),
            )
            .where(
                p.tenant_id == self._tenant_id,
                *own,
                p.succeeded_at >= since,
                p.succeeded_at < until,
            )
            .group_by(day, p.channel)
        )
        r = payment_refunds.c
        refund_day = local_day(r.finished_at)
        refunded = (
            sa.select(
                refund_day.label("day"),
                p.channel,
                sa.func.count().label("n"),
                _total(r.amount).label("amount"),
            )
            .select_from(
                payment_refunds.join(
                    payments, sa.and_(p.tenant_id == r.tenant_id, p.id == r.payment_id)
                )
            )
            .where(
                r.tenant_id == self._tenant_id,
                r.status == RefundStatus.SUCCEEDED.value,
                r.finished_at >= since,
                r.finished_at < until,
                *own,
            )
            .group_by(refund_day, p.channel)
        )
        figures: dict[tuple[date, str], list[int]] = defaultdict(lambda: [0, 0, 0, 0])
        for row in self._rows(received):
            figures[row.day, row.channel][0:2] = [row.n, row.amount]
        for row in self._rows(refunded):
            figures[row.day, row.channel][2:4] = [row.n, row.amount]
        return [
            DailyIncome(
                day=day_of,
                channel=PaymentChannel(channel),
                payments=counts[0],
                amount_received=Money(counts[1]),
                refunds=counts[2],
                amount_refunded=Money(counts[3]),
            )
            for (day_of, channel), counts in sorted(figures.items())
        ]


def tenant_ids(engine: Engine) -> list[UUID]:
    """Every tenant (property company) of the database, for jobs that run for each of them."""
    with database_errors(), engine.connect() as connection:
        return list(connection.scalars(sa.select(tenants.c.id).order_by(tenants.c.id)))
