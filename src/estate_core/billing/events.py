"""Billing events: fee items, bills, meter readings, prepayment and public-fund ledgers."""

from __future__ import annotations

from datetime import date
from uuid import UUID

import attrs

from estate_core.shared.events import DomainEvent
from estate_core.shared.money import Money


@attrs.frozen(kw_only=True)
class FeeItemCreated(DomainEvent):
    fee_item_id: UUID
    community_id: UUID
    name: str


@attrs.frozen(kw_only=True)
class FeeItemChanged(DomainEvent):
    fee_item_id: UUID
    community_id: UUID
    active: bool


@attrs.frozen(kw_only=True)
class BillIssued(DomainEvent):
    """A new bill; the members of the property are told (seed 004: 推送给绑定该房子的用户)."""

    bill_id: UUID
    community_id: UUID
    property_id: UUID
    fee_item_id: UUID
    period_start: date
    period_end: date
    amount_due: Money
    due_date: date


@attrs.frozen(kw_only=True)
class BillPaid(DomainEvent):
    bill_id: UUID
    property_id: UUID
    payment_id: UUID
    amount_paid: Money
    from_prepayment: bool


@attrs.frozen(kw_only=True)
class BillVoided(DomainEvent):
    bill_id: UUID
    property_id: UUID
    reason: str


@attrs.frozen(kw_only=True)
class BillRefunded(DomainEvent):
    bill_id: UUID
    property_id: UUID
    amount_refunded: Money


@attrs.frozen(kw_only=True)
class MeterReadingRecorded(DomainEvent):
    reading_id: UUID
    property_id: UUID
    fee_item_id: UUID
    read_on: date


@attrs.frozen(kw_only=True)
class PrepaymentCredited(DomainEvent):
    property_id: UUID
    entry_id: UUID
    amount: Money
    reason: str
    reference_id: UUID | None
    balance: Money


@attrs.frozen(kw_only=True)
class PrepaymentDebited(DomainEvent):
    property_id: UUID
    entry_id: UUID
    amount: Money
    reason: str
    reference_id: UUID | None
    balance: Money


@attrs.frozen(kw_only=True)
class PublicFundEntryRecorded(DomainEvent):
    community_id: UUID
    entry_id: UUID
    kind: str
    category: str
    amount: Money
    on: date
