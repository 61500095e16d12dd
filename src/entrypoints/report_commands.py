"""`estate export …`, `estate bill-run` and `estate reconcile` (DESIGN.md §10): the operator's
monthly and daily jobs from the command line.

Exports and billing runs act as the staff account with the given phone, so its permissions
(``report.read``, ``billing.run``) and data scope apply as anywhere else. Reconciliation is the
worker's daily job run by hand, as the system. A refusal is one sentence and exit 1 (the
``estate`` command turns a domain error into ``estate: refused: [code] message``).
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from datetime import date
from pathlib import Path
from uuid import UUID

from adapters.spreadsheets.writers import write_csv, write_xlsx
from entrypoints.bootstrap import Estate, bootstrap, upgrade_database
from entrypoints.config import Settings
from entrypoints.import_commands import _acting_staff
from estate_core.billing.billing_run import RunBilling, run_billing
from estate_core.payments.services.reconciliation import ReconcileDay, reconcile_day
from estate_core.payments.values import ChannelGroup
from estate_core.reports import export
from estate_core.reports.queries import ReportRange
from estate_core.shared.access import StaffActor, SystemActor
from estate_core.shared.errors import DomainError, InvalidInput

WRITERS: dict[str, export.Write] = {"csv": write_csv, "xlsx": write_xlsx}

Exporter = Callable[[Estate, UUID, StaffActor, ReportRange, export.Write], bytes]

EXPORTS: dict[str, tuple[Exporter, str]] = {
    "collection-rate": (
        lambda estate, tenant, actor, query, write: export.export_collection_rate(
            estate.reports(tenant), actor, query, write
        ),
        "收缴率: bills issued and paid per billing period starting in the range",
    ),
    "arrears": (
        lambda estate, tenant, actor, query, write: export.export_arrears(
            estate.reports(tenant), estate.clock, actor, query.community_id, write
        ),
        "欠费: each property with bills overdue today (the range is not used)",
    ),
    "income": (
        lambda estate, tenant, actor, query, write: export.export_income(
            estate.reports(tenant), actor, query, write
        ),
        "收入明细: payments and refunds per day and channel",
    ),
    "workorders": (
        lambda estate, tenant, actor, query, write: export.export_service_statistics(
            estate.uow(tenant), actor, query, write
        ),
        "报修与投诉统计: work orders and complaints reported in the range",
    ),
}


def _estate() -> Estate:
    settings = Settings.load()
    upgrade_database(settings)
    return bootstrap(settings)


def _format(args: argparse.Namespace) -> str:
    chosen: str | None = args.format
    if chosen is None:
        chosen = Path(args.output).suffix.lstrip(".").lower()
    if chosen not in WRITERS:
        raise InvalidInput(
            "export.unknown_format", "give --format csv or xlsx, or an --output ending in one"
        )
    return chosen


def _export(args: argparse.Namespace) -> int:
    chosen = _format(args)
    estate = _estate()
    actor = _acting_staff(estate.uow(args.tenant), args.tenant, args.staff)
    exporter, _ = EXPORTS[args.report]
    query = ReportRange(community_id=args.community, start=args.start, end=args.end)
    data = exporter(estate, args.tenant, actor, query, WRITERS[chosen])
    Path(args.output).write_bytes(data)
    print(f"{args.report} written to {args.output} ({chosen}, {len(data)} bytes)")
    return 0


def _period(text: str) -> date:
    """``2026-04`` or any day of the month: a billing period starts on the 1st."""
    try:
        return date.fromisoformat(f"{text}-01" if len(text) == 7 else text).replace(day=1)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a month like 2026-04: {text!r}") from None


def _bill_run(args: argparse.Namespace) -> int:
    estate = _estate()
    uow = estate.uow(args.tenant)
    actor = _acting_staff(uow, args.tenant, args.staff)
    result = run_billing(
        uow, estate.clock, actor, RunBilling(community_id=args.community, period_start=args.period)
    )
    print(
        f"billing run {result.period_start:%Y-%m}: {result.issued} bills issued, "
        f"{result.already_issued} already issued, {result.settled_from_prepayment} settled from "
        f"prepayment, {len(result.missing_readings)} meter readings missing"
    )
    return 0


def _reconcile(args: argparse.Namespace) -> int:
    estate = _estate()
    failed = 0
    for tenant_id in [args.tenant] if args.tenant else estate.tenant_ids():
        for group in ChannelGroup:
            try:
                view = reconcile_day(
                    estate.uow(tenant_id),
                    estate.clock,
                    estate.gateways,
                    SystemActor(job="estate reconcile"),
                    ReconcileDay(channel_group=group, day=args.date),
                )
            except DomainError as error:
                if error.code == "payment.channel_unavailable":
                    print(f"tenant {tenant_id} {group.value}: skipped, no gateway configured")
                    continue
                print(f"tenant {tenant_id} {group.value}: refused: {error}")
                failed += 1
                continue
            summary = view.summary
            print(
                f"tenant {tenant_id} {group.value} {summary.day}: {summary.lines} lines, "
                f"{summary.matched} matched, {summary.open_discrepancies} open discrepancies"
            )
    return 1 if failed else 0


def _common(command: argparse.ArgumentParser, *, staff: bool = True) -> None:
    command.add_argument("--tenant", type=UUID, required=True, help="property company id")
    command.add_argument("--community", type=UUID, required=True, help="community id")
    if staff:
        command.add_argument(
            "--staff", required=True, metavar="PHONE", help="phone of the staff account acting"
        )


def add_report_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register `estate export REPORT`, `estate bill-run` and `estate reconcile`."""
    exports = commands.add_parser("export", help="write a report as CSV (UTF-8 with BOM) or XLSX")
    reports = exports.add_subparsers(dest="report", required=True)
    for name, (_, description) in EXPORTS.items():
        command = reports.add_parser(name, help=description)
        _common(command)
        command.add_argument(
            "--from", dest="start", type=date.fromisoformat, required=True, metavar="YYYY-MM-DD"
        )
        command.add_argument(
            "--to",
            dest="end",
            type=date.fromisoformat,
            required=True,
            metavar="YYYY-MM-DD",
            help="inclusive; at most one year after --from",
        )
        command.add_argument("--format", choices=sorted(WRITERS), help="default: from --output")
        command.add_argument("--output", required=True, metavar="FILE", help="file to write")
        command.set_defaults(run=_export)
    bill_run = commands.add_parser("bill-run", help="issue a community's bills for one month")
    _common(bill_run)
    bill_run.add_argument(
        "--period", type=_period, required=True, metavar="YYYY-MM", help="the month to bill"
    )
    bill_run.set_defaults(run=_bill_run)
    reconcile = commands.add_parser(
        "reconcile", help="reconcile a day's payments against each configured gateway's statement"
    )
    reconcile.add_argument("--date", type=date.fromisoformat, required=True, metavar="YYYY-MM-DD")
    reconcile.add_argument("--tenant", type=UUID, help="one property company (default: every one)")
    reconcile.set_defaults(run=_reconcile)
