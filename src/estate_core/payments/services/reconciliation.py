"""Reconciliation 对账: a day's gateway statement against our payments and refunds.

``reconcile_day`` asks the gateway for the statement of one local (Asia/Shanghai) day, compares
it with the payments and refunds of the channel group (:mod:`estate_core.payments.comparison`),
repairs what it may itself through the same use cases the notifications use (a payment the
gateway took that we hold pending or closed is settled by ``settle_payment``; a refund it made
that we hold requested is recorded by ``record_refund_result``), and keeps the rest on the
day's report for staff. Running a day again refreshes that report (see the aggregate).

The gateway is called outside any transaction, and each repair is its own unit of work, so a
slow gateway never holds a row lock and a repair that fails leaves its discrepancy open.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from uuid import UUID

import attrs

from estate_core.payments.comparison import (
    Comparison,
    Finding,
    LocalPayment,
    LocalRefund,
    Remedy,
    compare,
)
from estate_core.payments.gateway import PaymentGateways, StatementEntry
from estate_core.payments.payment import Payment
from estate_core.payments.ports import ReconciliationUnitOfWork
from estate_core.payments.queries import ReportView, report_view, require_report_reader
from estate_core.payments.reconciliation import (
    REFUND_RECORDED_BY_RUN,
    SETTLED_BY_RUN,
    ReconciliationReport,
    Resolved,
)
from estate_core.payments.services.settlement import (
    RecordRefundResult,
    SettlePayment,
    record_refund_result,
    settle_payment,
)
from estate_core.payments.values import ChannelGroup
from estate_core.shared.access import Actor, StaffActor, SystemActor
from estate_core.shared.clock import CHINA, Clock, local_date
from estate_core.shared.errors import Conflict, DomainError, InvalidInput
from estate_core.shared.ids import new_id


def require_reconciler(actor: Actor) -> StaffActor | None:
    """The worker's daily job, or staff who may read the reports (see the queries)."""
    if isinstance(actor, SystemActor):
        return None
    return require_report_reader(actor)


def day_bounds(day: date) -> tuple[datetime, datetime]:
    """The instants of a gateway's day: its time zone is Asia/Shanghai."""
    start = datetime.combine(day, time(), CHINA)
    return start, datetime.combine(day + timedelta(days=1), time(), CHINA)


@attrs.frozen(kw_only=True)
class ReconcileDay:
    channel_group: ChannelGroup
    day: date


def reconcile_day(
    uow: ReconciliationUnitOfWork,
    clock: Clock,
    gateways: PaymentGateways,
    actor: Actor,
    cmd: ReconcileDay,
) -> ReportView:
    """Reconcile one finished day of one channel group; refreshes the day's report if any.

    Raises ``payment.gateway_unavailable`` (nothing changed) when the statement cannot be had.
    """
    require_reconciler(actor)
    if cmd.day >= local_date(clock.now()):
        raise InvalidInput("reconciliation.day_not_over", "a day is reconciled once it is over")
    group = cmd.channel_group
    gateway = gateways.for_channel(uow.tenant_id, group.statement_channel)
    lines = gateway.statement(cmd.day)
    start, end = day_bounds(cmd.day)
    local = _local_records(uow, group, lines, start, end)
    comparison = compare(
        lines, local, group, start, end, lambda: gateway.statement(cmd.day - timedelta(days=1))
    )
    findings, resolved = _repair(uow, clock, comparison, lines, local)
    run = _Run(
        lines=len(lines), matched=len(comparison.matched), findings=findings, resolved=resolved
    )
    try:
        return _record(uow, clock, group, cmd.day, run)
    except Conflict:
        return _record(uow, clock, group, cmd.day, run)


@attrs.frozen(kw_only=True)
class _Run:
    lines: int
    matched: int
    findings: list[Finding]
    resolved: list[Resolved]


def _record(
    uow: ReconciliationUnitOfWork, clock: Clock, group: ChannelGroup, day: date, run: _Run
) -> ReportView:
    """Store the run on the day's report; a run of the same day that stored its report (or
    changed it) first makes this fail once with a conflict, and the retry refreshes that one."""
    with uow:
        report = uow.reconciliations.for_day(group, day)
        if report is None:
            report = ReconciliationReport.start(
                report_id=new_id(), tenant_id=uow.tenant_id, group=group, day=day, at=clock.now()
            )
            uow.reconciliations.add(report)
        report.record_run(
            lines=run.lines,
            matched=run.matched,
            findings=run.findings,
            resolved=run.resolved,
            at=clock.now(),
        )
        uow.commit()
        return report_view(report)


def _local_records(
    uow: ReconciliationUnitOfWork,
    group: ChannelGroup,
    lines: Sequence[StatementEntry],
    start: datetime,
    end: datetime,
) -> list[LocalPayment]:
    with uow:
        done = uow.payments.done_between(group.channels, start, end)
        known = {p.out_trade_no for p in done}
        named = uow.payments.with_out_trade_nos({line.out_trade_no for line in lines} - known)
        return [_snapshot(payment) for payment in [*done, *named]]


def _snapshot(payment: Payment) -> LocalPayment:
    return LocalPayment(
        payment_id=payment.id,
        out_trade_no=payment.out_trade_no,
        channel=payment.channel,
        amount=payment.amount,
        status=payment.status,
        merchant=payment.merchant,
        succeeded_at=payment.succeeded_at,
        refunds=tuple(
            LocalRefund(
                out_refund_no=r.out_refund_no,
                amount=r.amount,
                status=r.status,
                finished_at=r.finished_at,
            )
            for r in payment.refunds
        ),
    )


def _repair(
    uow: ReconciliationUnitOfWork,
    clock: Clock,
    comparison: Comparison,
    lines: Sequence[StatementEntry],
    local: Sequence[LocalPayment],
) -> tuple[list[Finding], list[Resolved]]:
    """Apply the remedies; a remedy the use case refuses leaves its finding open.

    The statement is the account's own (it came from the tenant's gateway for the group), so a
    line settles with the merchant its payment recorded; the amount is the line's, which
    ``settle_payment`` checks against ours like any notification's.
    """
    merchants = {p.out_trade_no: p.merchant for p in local}
    findings: list[Finding] = []
    resolved: list[Resolved] = []
    for finding in comparison.findings:
        if finding.remedy is None:
            findings.append(finding)
            continue
        try:
            if finding.remedy is Remedy.SETTLE:
                line = lines[finding.lines[0]]
                settle_payment(
                    uow,
                    clock,
                    SettlePayment(
                        out_trade_no=finding.out_trade_no,
                        paid_amount=line.amount,
                        merchant=merchants.get(finding.out_trade_no),
                        transaction_id=line.transaction_id,
                    ),
                )
                note = SETTLED_BY_RUN
            else:
                record_refund_result(
                    uow,
                    clock,
                    RecordRefundResult(
                        out_trade_no=finding.out_trade_no,
                        out_refund_no=finding.out_refund_no or "",
                        succeeded=True,
                    ),
                )
                note = REFUND_RECORDED_BY_RUN
        except DomainError:
            findings.append(finding)
            continue
        resolved.append(Resolved(finding=finding, note=note))
    return findings, resolved


@attrs.frozen(kw_only=True)
class ResolveDiscrepancy:
    """``note`` is required to explain, optional to fix."""

    report_id: UUID
    discrepancy_id: UUID
    note: str | None = None


def explain_discrepancy(
    uow: ReconciliationUnitOfWork, clock: Clock, actor: Actor, cmd: ResolveDiscrepancy
) -> ReportView:
    """Staff accept an open difference as right (说明), saying why."""
    staff = require_report_reader(actor)
    with uow:
        report = uow.reconciliations.get(cmd.report_id)
        report.explain(cmd.discrepancy_id, cmd.note or "", staff.staff_id, clock.now())
        uow.commit()
        return report_view(report)


def fix_discrepancy(
    uow: ReconciliationUnitOfWork, clock: Clock, actor: Actor, cmd: ResolveDiscrepancy
) -> ReportView:
    """Staff say they put the books right for an open difference (已处理)."""
    staff = require_report_reader(actor)
    with uow:
        report = uow.reconciliations.get(cmd.report_id)
        report.fix(cmd.discrepancy_id, cmd.note, staff.staff_id, clock.now())
        uow.commit()
        return report_view(report)
