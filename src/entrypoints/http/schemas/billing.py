"""Billing and properties: homes, members, owners of record, bills, ledgers, fee items, runs.

Money is ``{"fen": 1234}`` (whole fen); rates, prices and areas are decimal strings.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from uuid import UUID

from entrypoints.http.schemas import Body, PageOf, View
from estate_core.billing.calculation import Calculation
from estate_core.billing.fee_item import DueRuleKind, FeeCategory
from estate_core.billing.ledger import EntryKind, FundEntryKind
from estate_core.billing.model import BillStatus
from estate_core.properties.model import MemberRole, PropertyKind


class Amount(View):
    fen: int


class MembershipView(View):
    property_id: UUID
    community_id: UUID
    address: str
    kind: PropertyKind
    role: MemberRole


class Claim(Body):
    community_id: UUID
    building: str
    unit: str
    room: str
    owner_name: str
    owner_phone: str


class Bound(View):
    property_id: UUID


class NewMember(Body):
    phone: str
    name: str
    role: MemberRole
    lease_end: datetime.date | None = None


class MemberView(View):
    resident_id: UUID
    name: str
    phone: str
    role: MemberRole
    since: datetime.datetime
    lease_end: datetime.date | None


class PropertyView(View):
    id: UUID
    community_id: UUID
    kind: PropertyKind
    address: str
    area: Decimal
    owner_name: str | None
    owner_phone: str | None


class NewProperty(Body):
    kind: PropertyKind
    building: str
    unit: str
    room: str
    area: Decimal


class OwnerOfRecord(Body):
    name: str
    phone: str


class BillView(View):
    bill_id: UUID
    property_id: UUID
    fee_item_id: UUID
    fee_item_name: str
    category: FeeCategory
    period_start: datetime.date
    period_end: datetime.date
    amount_due: Amount
    due_date: datetime.date
    status: BillStatus
    overdue: bool
    late_fee: Amount
    total_due: Amount
    amount_paid: Amount
    paid_at: datetime.datetime | None
    paid_from_prepayment: bool


class ArrearsView(View):
    property_id: UUID
    address: str
    overdue_bills: int
    amount_overdue: Amount
    late_fee: Amount
    oldest_due_date: datetime.date


class LedgerEntryView(View):
    id: UUID
    kind: EntryKind
    amount: Amount
    reason: str
    reference_id: UUID | None
    at: datetime.datetime


class PrepaymentView(View):
    property_id: UUID
    balance: Amount
    entries: PageOf[LedgerEntryView]


class FundEntryView(View):
    id: UUID
    kind: FundEntryKind
    category: str
    amount: Amount
    note: str
    on: datetime.date
    recorded_at: datetime.datetime


class FundStatementView(View):
    community_id: UUID
    balance: Amount
    total_income: Amount
    total_expense: Amount
    entries: PageOf[FundEntryView]


class DueRuleBody(Body):
    kind: DueRuleKind
    value: int


class LateFeeBody(Body):
    daily_rate: Decimal
    cap_fen: int | None = None


class NewFeeItem(Body):
    name: str
    category: FeeCategory
    calculation: Calculation
    unit_price: Decimal
    property_kinds: list[PropertyKind]
    first_period_start: datetime.date
    due_rule: DueRuleBody
    cycle_months: int = 1
    late_fee: LateFeeBody | None = None


class DueRuleView(View):
    kind: DueRuleKind
    value: int


class LateFeeView(View):
    daily_rate: Decimal
    cap: Amount | None


class FeeItemView(View):
    id: UUID
    community_id: UUID
    name: str
    category: FeeCategory
    calculation: Calculation
    unit_price: Decimal
    property_kinds: list[PropertyKind]
    cycle_months: int
    first_period_start: datetime.date
    due_rule: DueRuleView
    late_fee: LateFeeView | None
    active: bool


class MeterReading(Body):
    property_id: UUID
    fee_item_id: UUID
    reading: Decimal
    read_on: datetime.date


class BillingRun(Body):
    period_start: datetime.date
    fee_item_ids: list[UUID] | None = None


class MissingReading(View):
    property_id: UUID
    fee_item_id: UUID


class BillingRunView(View):
    community_id: UUID
    period_start: datetime.date
    issued: int
    already_issued: int
    settled_from_prepayment: int
    missing_readings: list[MissingReading]


class VoidReason(Body):
    reason: str
