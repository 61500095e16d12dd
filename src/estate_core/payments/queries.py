"""Read models of the payments context: reconciliation reports 对账报告 for staff.

Reports are few (one per gateway account and day), so they are read through their repository.
"""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

import attrs

from estate_core.payments.comparison import DiscrepancyKind
from estate_core.payments.gateway import StatementEntryKind
from estate_core.payments.ports import ReconciliationUnitOfWork
from estate_core.payments.reconciliation import DiscrepancyState, ReconciliationReport
from estate_core.payments.values import ChannelGroup
from estate_core.shared.access import Actor, Permission, StaffActor, require_staff
from estate_core.shared.errors import PermissionDenied
from estate_core.shared.money import Money
from estate_core.shared.pagination import Page, PageRequest


@attrs.frozen(kw_only=True)
class DiscrepancyView:
    id: UUID
    kind: DiscrepancyKind
    subject: StatementEntryKind
    out_trade_no: str
    out_refund_no: str | None
    transaction_id: str | None
    gateway_amount: Money | None
    local_amount: Money | None
    payment_id: UUID | None
    lines: int
    state: DiscrepancyState
    note: str | None
    found_at: datetime
    resolved_by: UUID | None
    resolved_at: datetime | None


@attrs.frozen(kw_only=True)
class ReportSummary:
    id: UUID
    channel_group: ChannelGroup
    day: date
    runs: int
    last_run_at: datetime
    lines: int
    matched: int
    discrepancies: int
    open_discrepancies: int


@attrs.frozen(kw_only=True)
class ReportView:
    summary: ReportSummary
    discrepancies: tuple[DiscrepancyView, ...]


def report_summary(report: ReconciliationReport) -> ReportSummary:
    return ReportSummary(
        id=report.id,
        channel_group=report.channel_group,
        day=report.day,
        runs=report.runs,
        last_run_at=report.last_run_at,
        lines=report.lines,
        matched=report.matched,
        discrepancies=len(report.discrepancies),
        open_discrepancies=report.open_count,
    )


def report_view(report: ReconciliationReport) -> ReportView:
    return ReportView(
        summary=report_summary(report),
        discrepancies=tuple(
            DiscrepancyView(**attrs.asdict(d, recurse=False)) for d in report.discrepancies
        ),
    )


def require_report_reader(actor: Actor) -> StaffActor:
    """Staff with ``payment.reconcile`` over the whole tenant (a statement spans communities)."""
    staff = require_staff(actor, Permission.PAYMENT_RECONCILE)
    if staff.community_ids is not None:
        raise PermissionDenied(
            "permission.out_of_scope", "reconciliation covers every community of the tenant"
        )
    return staff


def list_reconciliation_reports(
    uow: ReconciliationUnitOfWork,
    actor: Actor,
    page: PageRequest | None = None,
    channel_group: ChannelGroup | None = None,
) -> Page[ReportSummary]:
    """对账报告, latest day first."""
    require_report_reader(actor)
    with uow:
        found = uow.reconciliations.newest_first(page or PageRequest(), channel_group)
        return Page(items=[report_summary(r) for r in found.items], next_cursor=found.next_cursor)


def reconciliation_report(
    uow: ReconciliationUnitOfWork, actor: Actor, report_id: UUID
) -> ReportView:
    require_report_reader(actor)
    with uow:
        return report_view(uow.reconciliations.get(report_id))
