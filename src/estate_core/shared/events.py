"""Domain events and the outbox message they become on commit.

Events are named in the past tense (``BillIssued``). Aggregates append them with
:meth:`Aggregate.record`; the unit of work takes them on commit and stores them as outbox messages
in the same transaction, and the worker delivers them later.
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

import attrs

from estate_core.shared.money import Money


@attrs.frozen(kw_only=True)
class DomainEvent:
    """Base of every event. Subclasses are frozen attrs classes with plain-data fields."""


def event_name(event: DomainEvent) -> str:
    """The stable name an event is stored and dispatched under: its class name.

    A function rather than an attribute, so that an event may have a field called ``name``.
    """
    return type(event).__name__


def _plain(value: Any) -> Any:
    if isinstance(value, Money):
        return value.fen
    if isinstance(value, UUID | Decimal):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, frozenset | set | tuple | list):
        return [_plain(item) for item in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    return value


def event_payload(event: DomainEvent) -> dict[str, Any]:
    """The event as JSON-ready data: money in fen, ids and decimals as strings, times ISO 8601."""
    return {field.name: _plain(getattr(event, field.name)) for field in attrs.fields(type(event))}


@attrs.frozen(kw_only=True)
class OutboxMessage:
    """One event waiting to be delivered, stored in the same transaction as the change."""

    id: UUID
    tenant_id: UUID
    event_name: str
    payload: dict[str, Any]
    occurred_at: datetime


class Aggregate:
    """Mixin for aggregate roots: a list of events not yet taken by the unit of work.

    The list lives in the instance ``__dict__`` rather than as an attrs field, so an aggregate
    loaded by an ORM (which bypasses ``__init__``) still has it.
    """

    def record(self, event: DomainEvent) -> None:
        self.__dict__.setdefault("_pending_events", []).append(event)

    def take_events(self) -> list[DomainEvent]:
        events: list[DomainEvent] = self.__dict__.pop("_pending_events", [])
        return events

    @property
    def pending_events(self) -> tuple[DomainEvent, ...]:
        return tuple(self.__dict__.get("_pending_events", ()))
