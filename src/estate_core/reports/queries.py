"""The report use cases: permission ``report.read`` in the community's data scope, a range of at
most one year (seed 000: ``report.range_too_long``), then one query of :class:`ReportQueries`.

Rates are ``Decimal`` rounded half-up to four places, ``None`` when there is nothing to divide
(the definitions of :mod:`estate_core.service.statistics`, which the work-order and complaint
statistics keep using).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from uuid import UUID

import attrs

from estate_core.reports.ports import (
    DailyIncome,
    PeriodCollection,
    PropertyArrearsRow,
    ReportQueries,
)
from estate_core.service.statistics import period_bounds, rate
from estate_core.shared.access import Actor, Permission, require_staff
from estate_core.shared.clock import Clock, local_date
from estate_core.shared.pagination import Page, PageRequest


@attrs.frozen(kw_only=True)
class ReportRange:
    """A community and an inclusive range of local dates."""

    community_id: UUID
    start: date
    end: date


@attrs.frozen(kw_only=True)
class CollectionLine:
    """收缴率 of one period: by amount (settled / issued) and by count (paid / issued)."""

    figures: PeriodCollection
    rate_by_amount: Decimal | None
    rate_by_count: Decimal | None


def collection_rate(
    reports: ReportQueries, actor: Actor, query: ReportRange
) -> list[CollectionLine]:
    """The periods starting on ``start..end``, oldest first."""
    require_staff(actor, Permission.REPORT_READ, query.community_id)
    period_bounds(query.start, query.end)
    return [
        CollectionLine(
            figures=period,
            rate_by_amount=rate(period.amount_settled.fen, period.amount_issued.fen),
            rate_by_count=rate(period.bills_paid, period.bills_issued),
        )
        for period in reports.collection(query.community_id, query.start, query.end)
    ]


@attrs.frozen(kw_only=True)
class ArrearsQuery:
    community_id: UUID
    page: PageRequest = attrs.field(factory=PageRequest)


def arrears(
    reports: ReportQueries, clock: Clock, actor: Actor, query: ArrearsQuery
) -> Page[PropertyArrearsRow]:
    """Properties with bills overdue today, a page at a time (the whole list, for an export, is
    every page in turn). Staff chasing the largest debts first use
    :func:`estate_core.billing.queries.list_arrears`."""
    require_staff(actor, Permission.REPORT_READ, query.community_id)
    return reports.arrears(query.community_id, local_date(clock.now()), query.page)


def income(reports: ReportQueries, actor: Actor, query: ReportRange) -> list[DailyIncome]:
    """收入明细: per local day of ``start..end`` and channel, payments in and refunds out."""
    require_staff(actor, Permission.REPORT_READ, query.community_id)
    since, until = period_bounds(query.start, query.end)
    return reports.income(query.community_id, since, until)
