"""Parking events: what the worker turns into receipts and reminders."""

from __future__ import annotations

from datetime import date
from uuid import UUID

import attrs

from estate_core.shared.events import DomainEvent
from estate_core.shared.money import Money


@attrs.frozen(kw_only=True)
class ParkingCardIssued(DomainEvent):
    card_id: UUID
    property_id: UUID
    plate: str
    valid_until: date


@attrs.frozen(kw_only=True)
class ParkingCardRenewed(DomainEvent):
    card_id: UUID
    payment_id: UUID
    months: int
    amount: Money
    valid_until: date


@attrs.frozen(kw_only=True)
class ParkingCardCancelled(DomainEvent):
    card_id: UUID
    reason: str
