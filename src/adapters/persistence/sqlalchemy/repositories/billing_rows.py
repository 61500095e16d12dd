"""New bills and their outbox rows in the driver's own formats, each distinct charge converted once.

The billing run writes hundreds of thousands of bills that share a few charges
(:class:`~estate_core.billing.issuing.Charge`: the terms and the amount). Binding every value of
every row through SQLAlchemy's column types costs more than the database's insert, so a charge's
values go through the column types once (the same conversions and checks SQLAlchemy applies, so
the rows read back as any other), and each row adds only its two ids:

- SQLite: parameter tuples for ``executemany``;
- PostgreSQL: lines of ``COPY … FROM STDIN`` in text format.

The ``BillIssued`` payload is the JSON of :func:`event_payload` split around the bill's and the
property's ids, so an outbox row is two string joins, yet the same text ``json.dumps`` would make.
"""

from __future__ import annotations

import enum
import json
from collections.abc import Callable, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.engine import Dialect

from adapters.persistence.sqlalchemy.tables.billing import bills
from adapters.persistence.sqlalchemy.tables.outbox import outbox
from estate_core.billing.events import BillIssued
from estate_core.billing.issuing import Charge, NewBill
from estate_core.billing.model import BillStatus
from estate_core.shared.events import event_payload
from estate_core.shared.ids import new_id
from estate_core.shared.money import Money

ROW_COLUMNS = ("id", "property_id")
"""The columns of a new bill that differ from row to row; every other one comes from its charge."""

CHARGE_COLUMNS = tuple(c.name for c in bills.columns if c.name not in ROW_COLUMNS)
BILL_COLUMNS = ROW_COLUMNS + CHARGE_COLUMNS
OUTBOX_COLUMNS = ("id", "tenant_id", "event_name", "payload", "occurred_at")

_FIRST_VERSION = 1
"""The version SQLAlchemy gives a new row; a bill stored here starts there too."""

_BILL_ID = UUID(int=1)
_PROPERTY_ID = UUID(int=2)
"""Stand-ins for a row's ids in the payload template of a charge."""


def charge_values(charge: Charge) -> dict[str, Any]:
    """The column values every bill of ``charge`` has, as the mapping would bind them."""
    terms = charge.terms
    return {
        "tenant_id": terms.tenant_id,
        "community_id": terms.community_id,
        "fee_item_id": terms.fee_item_id,
        "period_start": terms.period_start,
        "period_end": terms.period_end,
        "amount_due": charge.amount_due,
        "due_date": terms.due_date,
        "late_fee_rate": terms.late_fee_rate,
        "late_fee_cap": terms.late_fee_cap,
        "status": BillStatus.UNPAID,
        "paid_by_payment_id": None,
        "amount_paid": Money.zero(),
        "paid_at": None,
        "void_reason": None,
        "issued_at": terms.issued_at,
        "paid_from_prepayment": False,
        "voided_at": None,
        "refunded_at": None,
        "version": _FIRST_VERSION,
    }


def _binder(column: sa.Column[Any], dialect: Dialect) -> Callable[[Any], Any]:
    processor = column.type.dialect_impl(dialect).bind_processor(dialect)
    return processor if processor is not None else _same


def _same(value: Any) -> Any:
    return value


def copy_text(value: Any) -> str:
    """A bound value as a field of ``COPY … FROM STDIN`` text format."""
    if value is None:
        return r"\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, enum.Enum):
        value = value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value, "f")
    text = str(value)
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


class _Payloads:
    """``BillIssued`` payloads of one charge: the JSON text around the bill's and property's id."""

    def __init__(self, charge: Charge, serialize: Callable[[Any], str]) -> None:
        sample = NewBill(_BILL_ID, _PROPERTY_ID, charge).issued_event()
        text = serialize(event_payload(sample))
        head, rest = text.split(str(_BILL_ID))
        self.head = head
        self.middle, self.tail = rest.split(str(_PROPERTY_ID))

    def of(self, row: NewBill) -> str:
        return f"{self.head}{row.id}{self.middle}{row.property_id}{self.tail}"


class BillRows:
    """Converts new bills, and their ``BillIssued`` outbox rows, for one tenant and one driver."""

    def __init__(self, dialect: Dialect, tenant_id: UUID) -> None:
        self._tenant_id = tenant_id
        self._copy = dialect.name == "postgresql"
        self._uuid = _binder(bills.c.id, dialect)
        self._binders = [_binder(bills.c[name], dialect) for name in CHARGE_COLUMNS]
        self._json = json.dumps if self._copy else _binder(outbox.c.payload, dialect)
        self._at = _binder(outbox.c.occurred_at, dialect)
        self._charges: dict[Charge, tuple[Any, _Payloads]] = {}

    def _charge(self, charge: Charge) -> tuple[Any, _Payloads]:
        """The driver values of ``charge``'s columns (a tuple, or a COPY text line's end)."""
        try:
            return self._charges[charge]
        except KeyError:
            pass
        if charge.terms.tenant_id != self._tenant_id:
            raise ValueError("a bill belongs to another tenant than this unit of work")
        values = charge_values(charge)
        bound = tuple(
            bind(values[name]) for bind, name in zip(self._binders, CHARGE_COLUMNS, strict=True)
        )
        payloads = _Payloads(charge, self._json)
        converted: tuple[Any, _Payloads]
        if self._copy:
            payloads.head, payloads.middle, payloads.tail = (
                copy_text(part) for part in (payloads.head, payloads.middle, payloads.tail)
            )
            converted = self._charges[charge] = ("\t".join(map(copy_text, bound)), payloads)
        else:
            converted = self._charges[charge] = (bound, payloads)
        return converted

    def parameters(self, rows: Sequence[NewBill]) -> list[tuple[Any, ...]]:
        """``executemany`` parameters in :data:`BILL_COLUMNS` order."""
        uuid = self._uuid
        return [(uuid(r.id), uuid(r.property_id), *self._charge(r.charge)[0]) for r in rows]

    def copy_text(self, rows: Sequence[NewBill]) -> str:
        """``COPY`` text of the rows, in :data:`BILL_COLUMNS` order."""
        return "".join([f"{r.id}\t{r.property_id}\t{self._charge(r.charge)[0]}\n" for r in rows])

    def outbox_parameters(self, rows: Sequence[NewBill], at: datetime) -> list[tuple[Any, ...]]:
        """The rows' ``BillIssued`` outbox rows, :data:`OUTBOX_COLUMNS` order, for executemany."""
        uuid, tenant, when = self._uuid, self._uuid(self._tenant_id), self._at(at)
        return [
            (uuid(new_id()), tenant, ISSUED, self._charge(r.charge)[1].of(r), when) for r in rows
        ]

    def outbox_copy_text(self, rows: Sequence[NewBill], at: datetime) -> str:
        """The rows' ``BillIssued`` outbox rows as ``COPY`` text, :data:`OUTBOX_COLUMNS` order."""
        constant = f"{self._tenant_id}\t{ISSUED}"
        when = copy_text(self._at(at))
        return "".join(
            [f"{new_id()}\t{constant}\t{self._charge(r.charge)[1].of(r)}\t{when}\n" for r in rows]
        )


ISSUED = BillIssued.__name__
"""The outbox name of ``BillIssued`` (:func:`event_name` gives the class name)."""
