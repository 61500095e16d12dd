"""MeterReading 抄表: a reading of one property's meter for one metered fee item."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from uuid import UUID

import attrs

from estate_core.billing import events
from estate_core.shared.errors import Conflict, InvalidInput
from estate_core.shared.events import Aggregate

_READING_PLACES = Decimal("0.01")


class ReadingDecreased(Conflict):
    """Meters only count up: a reading below an earlier one (or above a later one) is a typo."""

    code = "meter.reading_decreased"


def _check_reading(instance: object, attribute: attrs.Attribute[Decimal], value: Decimal) -> None:
    if not isinstance(value, Decimal) or not value.is_finite() or value < 0:
        raise InvalidInput("meter.invalid_reading", "a reading is a non-negative number")
    if value != value.quantize(_READING_PLACES):
        raise InvalidInput("meter.invalid_reading", "a reading has at most two decimals")


@attrs.define(slots=False, eq=False, kw_only=True)
class MeterReading(Aggregate):
    """One reading, unique per (property, fee item, day).

    Usage billed for a period = the last reading read in the period − the reading before it.
    """

    id: UUID
    tenant_id: UUID
    community_id: UUID
    property_id: UUID
    fee_item_id: UUID
    reading: Decimal = attrs.field(validator=_check_reading)
    read_on: date
    recorded_by: UUID | None = None
    recorded_at: datetime

    @classmethod
    def take(
        cls,
        *,
        reading_id: UUID,
        tenant_id: UUID,
        community_id: UUID,
        property_id: UUID,
        fee_item_id: UUID,
        reading: Decimal,
        read_on: date,
        recorded_by: UUID | None,
        at: datetime,
        previous: MeterReading | None,
        following: MeterReading | None,
    ) -> MeterReading:
        """A new reading, checked against its neighbours in time (the one before and after)."""
        if previous is not None and reading < previous.reading:
            raise ReadingDecreased(
                f"{reading} is below the reading of {previous.read_on} ({previous.reading})",
                previous=str(previous.reading),
            )
        if following is not None and reading > following.reading:
            raise ReadingDecreased(
                f"{reading} is above the later reading of {following.read_on}",
                following=str(following.reading),
            )
        taken = cls(
            id=reading_id,
            tenant_id=tenant_id,
            community_id=community_id,
            property_id=property_id,
            fee_item_id=fee_item_id,
            reading=reading,
            read_on=read_on,
            recorded_by=recorded_by,
            recorded_at=at,
        )
        taken.record(
            events.MeterReadingRecorded(
                reading_id=reading_id,
                property_id=property_id,
                fee_item_id=fee_item_id,
                read_on=read_on,
            )
        )
        return taken
