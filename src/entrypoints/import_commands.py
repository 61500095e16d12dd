"""`estate import owners|bills FILE` (DESIGN.md §10): staff imports run from the command line.

The file is read as an Excel workbook (.xlsx) or as CSV (UTF-8, UTF-16 or GB18030; Chinese
headers accepted) and imported into one
community of one tenant, acting as the staff account with the given phone, so the import is
checked against that account's permissions and data scope like any other staff action. A refused
file changes nothing: every row's errors go to stderr and the command exits 1.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from uuid import UUID

from adapters.spreadsheets.xlsx import read_xlsx_rows
from entrypoints.bootstrap import bootstrap, upgrade_database
from entrypoints.config import Settings
from estate_core.billing import imports as bill_imports
from estate_core.identity.model import normalize_phone
from estate_core.identity.staff_services import staff_actor
from estate_core.properties import imports as owner_imports
from estate_core.shared.access import StaffActor
from estate_core.shared.clock import Clock
from estate_core.shared.errors import DomainError, NotFound
from estate_core.shared.tabular import is_xlsx
from estate_core.unit_of_work import EstateUnitOfWork

Rows = list[dict[str, str]]
Importer = Callable[[EstateUnitOfWork, Clock, StaffActor, UUID, Rows], str]


def _import_owners(
    uow: EstateUnitOfWork, clock: Clock, actor: StaffActor, community_id: UUID, rows: Rows
) -> str:
    command = owner_imports.ImportOwners(community_id=community_id, rows=rows)
    result = owner_imports.import_owners(uow, clock, actor, command)
    return (
        f"owners imported: {result.created} properties created, {result.updated} updated, "
        f"{result.unchanged} unchanged, {result.bound_automatically} bound automatically"
    )


def _import_bills(
    uow: EstateUnitOfWork, clock: Clock, actor: StaffActor, community_id: UUID, rows: Rows
) -> str:
    command = bill_imports.ImportBills(community_id=community_id, rows=rows)
    result = bill_imports.import_bills(uow, clock, actor, command)
    return (
        f"bills imported: {result.imported}, "
        f"{result.settled_from_prepayment} settled from prepayment"
    )


def _owner_rows(data: bytes) -> Rows:
    if is_xlsx(data):
        columns = owner_imports.COLUMN_ALIASES, owner_imports.REQUIRED_COLUMNS
        return read_xlsx_rows(data, *columns, "owner_import")
    return owner_imports.parse_owner_csv(data)


def _bill_rows(data: bytes) -> Rows:
    if is_xlsx(data):
        columns = bill_imports.COLUMN_ALIASES, bill_imports.REQUIRED_COLUMNS
        return read_xlsx_rows(data, *columns, "bill_import")
    return bill_imports.parse_bill_csv(data)


_IMPORTS: dict[str, tuple[Callable[[bytes], Rows], Importer, str]] = {
    "owners": (_owner_rows, _import_owners, "properties and their owners"),
    "bills": (_bill_rows, _import_bills, "bills of existing properties"),
}


def _acting_staff(uow: EstateUnitOfWork, tenant_id: UUID, phone: str) -> StaffActor:
    with uow:
        if uow.tenants.find(tenant_id) is None:
            raise NotFound("tenant.not_found", f"no tenant {tenant_id}")
        staff = uow.staff.find_by_phone(normalize_phone(phone))
        if staff is None:
            raise NotFound("staff.not_found", "no staff account with this phone in the tenant")
        staff_id = staff.id
    return staff_actor(uow, staff_id)


def _report(error: DomainError) -> None:
    print(f"refused: {error}", file=sys.stderr)
    for row in error.details.get("rows", []):
        for problem in row["errors"]:
            print(
                f"  row {row['row']}: {problem['field']}: {problem['message']} ({problem['code']})",
                file=sys.stderr,
            )


def _run(args: argparse.Namespace) -> int:
    parse, run_import, _ = _IMPORTS[args.what]
    try:
        data = Path(args.file).read_bytes()
    except OSError as error:
        print(f"cannot read {args.file}: {error.strerror}", file=sys.stderr)
        return 1
    settings = Settings.load()
    upgrade_database(settings)
    estate = bootstrap(settings)
    uow = estate.uow(args.tenant)
    try:
        rows = parse(data)
        actor = _acting_staff(uow, args.tenant, args.staff)
        print(run_import(uow, estate.clock, actor, args.community, rows))
    except DomainError as error:
        _report(error)
        return 1
    return 0


def add_import_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register `estate import owners FILE` and `estate import bills FILE`."""
    imports = commands.add_parser("import", help="import owners or bills from an .xlsx or CSV file")
    kinds = imports.add_subparsers(dest="what", required=True)
    for what, (_, _, description) in _IMPORTS.items():
        command = kinds.add_parser(what, help=f"import {description}, all or nothing")
        command.add_argument(
            "file",
            metavar="FILE",
            help="an .xlsx workbook, or CSV in UTF-8, UTF-16 or GB18030",
        )
        command.add_argument("--tenant", type=UUID, required=True, help="property company id")
        command.add_argument("--community", type=UUID, required=True, help="community id")
        command.add_argument(
            "--staff", required=True, metavar="PHONE", help="phone of the staff account acting"
        )
        command.set_defaults(run=_run)
