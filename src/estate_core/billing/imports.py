"""Bill import 账单导入 (seed 004: 小区物业将房子待交账单导入).

A file is validated as a whole: if any row is wrong nothing is imported, and the error lists every
wrong row with all of its problems, so staff fix the file once rather than row by row. Files
are read into rows by :mod:`estate_core.shared.tabular`.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any
from uuid import UUID

import attrs

from estate_core.billing.billing_run import RUN_BATCH_SIZE, settle_from_prepayment
from estate_core.billing.fee_item import FeeItem
from estate_core.billing.issuing import BillTerms, Charge, NewBill
from estate_core.billing.ports import BillingUnitOfWork
from estate_core.billing.services import community_today
from estate_core.properties.model import Property
from estate_core.shared.access import Actor, Permission, require_staff
from estate_core.shared.clock import Clock
from estate_core.shared.errors import ConcurrencyConflict, DomainError, InvalidInput
from estate_core.shared.ids import new_id
from estate_core.shared.money import MAX_AMOUNT, Money
from estate_core.shared.tabular import RowErrors, cleaned, read_csv_rows, row_number

MAX_ROWS = 50_000
REQUIRED_COLUMNS = ("building", "unit", "room", "fee_item", "period", "amount")
OPTIONAL_COLUMNS = ("due_date",)

#: Header names accepted in a file, Chinese as staff export them from other systems.
COLUMN_ALIASES: dict[str, str] = {
    "building": "building",
    "楼栋": "building",
    "楼号": "building",
    "unit": "unit",
    "单元": "unit",
    "room": "room",
    "房号": "room",
    "房间号": "room",
    "fee_item": "fee_item",
    "fee item": "fee_item",
    "收费项目": "fee_item",
    "period": "period",
    "账期": "period",
    "所属期间": "period",
    "amount": "amount",
    "金额": "amount",
    "应缴金额": "amount",
    "due_date": "due_date",
    "due date": "due_date",
    "到期日": "due_date",
    "缴费期限": "due_date",
}

_MONTH = re.compile(r"([0-9]{4})[-/.]([0-9]{1,2})(?:[-/.]0?1)?")
"""``YYYY-MM``, or the month's first day: what a spreadsheet makes of a month typed into it."""
_DAY = re.compile(r"([0-9]{4})[-/.]([0-9]{1,2})[-/.]([0-9]{1,2})")


def parse_bill_csv(data: bytes | str) -> list[dict[str, str]]:
    """The rows of a CSV bill file, keyed by the canonical column names of :data:`COLUMN_ALIASES`
    (UTF-8 or GB18030; see :func:`read_csv_rows`)."""
    return read_csv_rows(data, COLUMN_ALIASES, REQUIRED_COLUMNS, "bill_import")


@attrs.frozen(kw_only=True)
class ImportBills:
    """Rows to import into a community. ``first_row_number`` is the number the first row has in
    the file a person looks at (2 under one header line), so errors point at the right line."""

    community_id: UUID
    rows: Sequence[Mapping[str, str]]
    first_row_number: int = 2


@attrs.frozen(kw_only=True)
class BillImportResult:
    imported: int
    settled_from_prepayment: int


@attrs.frozen(kw_only=True)
class _Row:
    prop: Property
    item: FeeItem
    start: date
    end: date
    amount: Money
    due: date | None


def import_bills(
    uow: BillingUnitOfWork, clock: Clock, actor: Actor, cmd: ImportBills
) -> BillImportResult:
    """Import bills, all or nothing, by staff holding ``bill.issue``.

    Each row names a property (building, unit, room), a fee item by name, the first month of the
    period (``YYYY-MM``: the period is the fee item's period starting then), the amount in yuan
    and optionally the due date (else the fee item's rule). A row is refused when the property
    or fee item is unknown, the item does not apply to the property, the month does not start a
    period of the item, the amount is not a positive number of fen, or the bill already exists
    (in the community or earlier in the file). Any refusal raises ``bill_import.invalid`` with
    ``details["rows"]`` = [{"row": n, "errors": [{"field", "code", "message"}...]}...].
    Imported bills are then settled from prepayment credit like those of a billing run.
    """
    require_staff(actor, Permission.BILL_ISSUE, cmd.community_id)
    if not cmd.rows:
        raise InvalidInput("bill_import.empty", "the file has no rows")
    if len(cmd.rows) > MAX_ROWS:
        raise InvalidInput("bill_import.too_many_rows", f"import at most {MAX_ROWS} rows a file")
    now = clock.now()
    with uow:
        valid, invalid = _validate(uow, cmd)
        if invalid:
            raise InvalidInput(
                "bill_import.invalid",
                f"{len(invalid)} of {len(cmd.rows)} rows are wrong; nothing was imported",
                rows=invalid,
            )
        bills = _store(uow, valid, now)
        day = community_today(uow, clock, cmd.community_id)
        settled = settle_from_prepayment(uow, bills, now, day)
        uow.billing_writer.save_settled(settled)
        uow.commit()
    return BillImportResult(imported=len(bills), settled_from_prepayment=len(settled))


def _store(uow: BillingUnitOfWork, rows: Sequence[_Row], at: datetime) -> list[NewBill]:
    """Issue the rows' bills and store them in batches through the bulk path.

    A bill issued meanwhile by a billing run makes the import conflict: the file was checked
    against the bills that existed, and a retry reports that row as a duplicate.
    """
    bills = []
    for first in range(0, len(rows), RUN_BATCH_SIZE):
        batch = [
            NewBill(
                new_id(),
                r.prop.id,
                Charge(
                    terms=BillTerms.of(uow.tenant_id, r.item, (r.start, r.end), at, r.due),
                    amount_due=r.amount,
                ),
            )
            for r in rows[first : first + RUN_BATCH_SIZE]
        ]
        stored = uow.billing_writer.add_new(batch)
        if len(stored) != len(batch):
            raise ConcurrencyConflict(
                "bills of this file were issued meanwhile; nothing was imported, retry"
            )
        bills += stored
    return bills


def _validate(uow: BillingUnitOfWork, cmd: ImportBills) -> tuple[list[_Row], list[dict[str, Any]]]:
    checker = _RowChecker(uow, cmd.community_id)
    valid: list[_Row] = []
    invalid: list[dict[str, Any]] = []
    for index, raw in enumerate(cmd.rows):
        number = row_number(raw, cmd.first_row_number + index)
        errors = RowErrors()
        row = cleaned(raw)
        checked = checker.check(number, row, errors)
        if errors.errors:
            invalid.append({"row": number, "errors": errors.errors})
        elif checked is not None:
            valid.append(checked)
    return valid, invalid


class _RowChecker:
    """Checks rows one by one, remembering the bills that exist and those seen earlier."""

    def __init__(self, uow: BillingUnitOfWork, community_id: UUID) -> None:
        self.uow = uow
        self.community_id = community_id
        self.items = {item.name: item for item in uow.fee_items.in_community(community_id)}
        self.issued: dict[date, set[tuple[UUID, UUID]]] = {}
        self.seen: dict[tuple[UUID, UUID, date], int] = {}

    def check(self, number: int, row: Mapping[str, str], errors: RowErrors) -> _Row | None:
        prop = _property(self.uow, self.community_id, row, errors)
        item = _fee_item(self.items, row, errors)
        start = _month(row.get("period", ""), errors)
        amount = _amount(row.get("amount", ""), errors)
        due = _due_date(row.get("due_date", ""), errors)
        if item is None or start is None:
            return None
        period = item.period_starting(start)
        if period is None:
            errors.add("period", "bill_import.period_not_aligned", "no period starts then")
        if prop is None or period is None:
            return None
        if not item.applies_to(prop.kind):
            errors.add("fee_item", "bill_import.not_applicable", "fee does not apply to this")
        self._check_unique(number, prop.id, item.id, start, errors)
        if amount is None:
            return None
        return _Row(prop=prop, item=item, start=start, end=period[1], amount=amount, due=due)

    def _check_unique(
        self, number: int, property_id: UUID, fee_item_id: UUID, start: date, errors: RowErrors
    ) -> None:
        if start not in self.issued:
            self.issued[start] = self.uow.bills.issued_keys(self.community_id, start)
        key = (property_id, fee_item_id, start)
        if (property_id, fee_item_id) in self.issued[start]:
            errors.add("period", "bill_import.duplicate_bill", "this bill already exists")
        elif key in self.seen:
            errors.add("period", "bill_import.duplicate_row", f"same bill as row {self.seen[key]}")
        else:
            self.seen[key] = number


def _required(row: Mapping[str, str], field: str, errors: RowErrors) -> str | None:
    value = row.get(field, "")
    if not value:
        errors.add(field, "bill_import.required", f"{field} is required")
        return None
    return value


def _property(
    uow: BillingUnitOfWork, community_id: UUID, row: Mapping[str, str], errors: RowErrors
) -> Property | None:
    room = _required(row, "room", errors)
    if room is None:
        return None
    prop = uow.properties.find_by_address(
        community_id, row.get("building", ""), row.get("unit", ""), room
    )
    if prop is None:
        errors.add("room", "bill_import.unknown_property", "no such property in the community")
    return prop


def _fee_item(
    items: Mapping[str, FeeItem], row: Mapping[str, str], errors: RowErrors
) -> FeeItem | None:
    name = _required(row, "fee_item", errors)
    if name is None:
        return None
    item = items.get(name)
    if item is None:
        errors.add("fee_item", "bill_import.unknown_fee_item", f"no fee item named {name}")
    return item


def _month(value: str, errors: RowErrors) -> date | None:
    if not value:
        errors.add("period", "bill_import.required", "period is required")
        return None
    match = _MONTH.fullmatch(unicodedata.normalize("NFKC", value))
    try:
        if match is None:
            raise ValueError(value)
        return date(int(match[1]), int(match[2]), 1)
    except ValueError:
        errors.add("period", "bill_import.invalid_period", "a period is a month: YYYY-MM")
        return None


def _amount(value: str, errors: RowErrors) -> Money | None:
    if not value:
        errors.add("amount", "bill_import.required", "amount is required")
        return None
    try:
        amount = Money.yuan(unicodedata.normalize("NFKC", value).replace(",", "").removeprefix("¥"))
    except DomainError:
        amount = None
    if amount is None or not amount.is_positive or amount > MAX_AMOUNT:
        errors.add(
            "amount",
            "bill_import.invalid_amount",
            f"an amount is positive yuan, 2 places, at most {MAX_AMOUNT}",
        )
        return None
    return amount


def _due_date(value: str, errors: RowErrors) -> date | None:
    if not value:
        return None
    match = _DAY.fullmatch(unicodedata.normalize("NFKC", value))
    try:
        if match is None:
            raise ValueError(value)
        return date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        errors.add("due_date", "bill_import.invalid_due_date", "a due date is YYYY-MM-DD")
        return None
