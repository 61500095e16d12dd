"""Each report as a table (a title, a header row, rows of cells), one export function per
report. Writing the table as CSV or XLSX is an adapter's job (``adapters.spreadsheets``), passed
in as ``write`` so the core stays free of file formats.

Cells are what a spreadsheet shows: money in yuan (``Decimal`` with two places), rates as
fractions with four places (0.8333, formatted as a percentage by the spreadsheet if staff like),
durations in hours, dates as dates, an empty cell for "nothing to divide".
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from datetime import date, timedelta
from decimal import Decimal
from uuid import UUID

import attrs

from estate_core.reports import queries
from estate_core.reports.ports import ReportQueries
from estate_core.service.complaint_services import ComplaintStatisticsQuery, complaint_statistics
from estate_core.service.ports import ServiceUnitOfWork
from estate_core.service.statistics import ServiceFigures, ServiceReport
from estate_core.service.workorder_queries import WorkOrderStatisticsQuery, work_order_statistics
from estate_core.shared.access import Actor
from estate_core.shared.clock import Clock
from estate_core.shared.pagination import MAX_PAGE_SIZE, PageRequest

Cell = str | int | Decimal | date | None


@attrs.frozen(kw_only=True)
class Table:
    title: str
    headers: tuple[str, ...]
    rows: Sequence[Sequence[Cell]]


Write = Callable[[Table], bytes]
"""A file format: the table as the bytes of a file."""


def _hours(duration: timedelta | None) -> Decimal | None:
    if duration is None:
        return None
    return (Decimal(duration / timedelta(seconds=1)) / 3600).quantize(Decimal("0.01"))


def export_collection_rate(
    reports: ReportQueries, actor: Actor, query: queries.ReportRange, write: Write
) -> bytes:
    """收缴率: one row per billing period starting in the range."""
    lines = queries.collection_rate(reports, actor, query)
    return write(
        Table(
            title="收缴率",
            headers=(
                "账期",
                "应收笔数",
                "应收金额",
                "已收笔数",
                "已收应收金额",
                "实收金额(含滞纳金)",
                "收缴率(金额)",
                "收缴率(笔数)",
            ),
            rows=[
                (
                    line.figures.period_start,
                    line.figures.bills_issued,
                    line.figures.amount_issued.to_yuan(),
                    line.figures.bills_paid,
                    line.figures.amount_settled.to_yuan(),
                    line.figures.amount_collected.to_yuan(),
                    line.rate_by_amount,
                    line.rate_by_count,
                )
                for line in lines
            ],
        )
    )


def _every_arrears_row(
    reports: ReportQueries, clock: Clock, actor: Actor, community_id: UUID
) -> Iterator[tuple[Cell, ...]]:
    after = None
    while True:
        page = queries.arrears(
            reports,
            clock,
            actor,
            queries.ArrearsQuery(
                community_id=community_id, page=PageRequest(limit=MAX_PAGE_SIZE, after=after)
            ),
        )
        for row in page.items:
            yield (
                row.address,
                row.owner_name,
                row.overdue_bills,
                row.amount_overdue.to_yuan(),
                row.oldest_due_date,
            )
        if page.next_cursor is None:
            return
        after = page.next_cursor


def export_arrears(
    reports: ReportQueries, clock: Clock, actor: Actor, community_id: UUID, write: Write
) -> bytes:
    """欠费: every property with bills overdue today, read page by page."""
    return write(
        Table(
            title="欠费清单",
            headers=("房屋", "业主", "逾期账单数", "逾期金额", "最早应缴日"),
            rows=list(_every_arrears_row(reports, clock, actor, community_id)),
        )
    )


def export_income(
    reports: ReportQueries, actor: Actor, query: queries.ReportRange, write: Write
) -> bytes:
    """收入明细: one row per day and channel."""
    days = queries.income(reports, actor, query)
    return write(
        Table(
            title="收入明细",
            headers=("日期", "渠道", "收款笔数", "收款金额", "退款笔数", "退款金额", "净收入"),
            rows=[
                (
                    day.day,
                    day.channel.value,
                    day.payments,
                    day.amount_received.to_yuan(),
                    day.refunds,
                    day.amount_refunded.to_yuan(),
                    (day.amount_received - day.amount_refunded).to_yuan(),
                )
                for day in days
            ],
        )
    )


def _service_row(kind: str, who: str, figures: ServiceFigures) -> tuple[Cell, ...]:
    return (
        kind,
        who,
        figures.count,
        figures.void,
        figures.completed,
        figures.completion_rate,
        figures.rated,
        figures.satisfied,
        figures.satisfaction_rate,
        _hours(figures.average_response),
        _hours(figures.average_resolution),
    )


def _service_rows(kind: str, report: ServiceReport) -> list[tuple[Cell, ...]]:
    return [_service_row(kind, "全部", report.overall)] + [
        _service_row(kind, str(line.staff_id), line.figures) for line in report.by_staff
    ]


def export_service_statistics(
    uow: ServiceUnitOfWork, actor: Actor, query: queries.ReportRange, write: Write
) -> bytes:
    """报修与投诉统计: the community's figures and each technician's / handler's (by staff id)."""
    community, start, end = query.community_id, query.start, query.end
    orders = work_order_statistics(
        uow, actor, WorkOrderStatisticsQuery(community_id=community, start=start, end=end)
    )
    complaints = complaint_statistics(
        uow, actor, ComplaintStatisticsQuery(community_id=community, start=start, end=end)
    )
    return write(
        Table(
            title="报修与投诉统计",
            headers=(
                "类别",
                "处理人",
                "数量",
                "作废",
                "完成",
                "完成率",
                "评价数",
                "满意数",
                "满意率",
                "平均响应(小时)",
                "平均完成(小时)",
            ),
            rows=_service_rows("报修", orders) + _service_rows("投诉", complaints),
        )
    )
