"""ParkingCard 停车月卡: a monthly card on one parking space, renewed for 1, 3, 6 or 12 months.

The resident picks the months and pays online through the payments context (target
``parking_card``); the renewal waits on the card, keyed by its payment, until the settlement
completes it. Then the card is valid until the later of today and its current valid-until date,
plus the months (same day of the month, or the month's last day when it has fewer days): days
already paid are never lost, and a card that lapsed restarts today. A renewal of a card that was
cancelled meanwhile is refused, and the settlement refunds the payment.
"""

from __future__ import annotations

import calendar
import enum
import re
from datetime import date, datetime
from uuid import UUID

import attrs

from estate_core.parking import events
from estate_core.shared.errors import Conflict, InvalidInput, InvalidTransition, NotFound
from estate_core.shared.events import Aggregate
from estate_core.shared.money import Money

RENEWAL_MONTHS = (1, 3, 6, 12)
PLATE = re.compile(r"^[\u4e00-\u9fffA-Z0-9]{5,10}$")
"""A plate 车牌: a province character and letters and digits (新能源 plates have eight)."""


class CardState(enum.StrEnum):
    ACTIVE = "active"
    CANCELLED = "cancelled"


class CardAction(enum.StrEnum):
    REQUEST_RENEWAL = "request_renewal"
    COMPLETE_RENEWAL = "complete_renewal"
    CANCEL = "cancel"


CARD_TRANSITIONS: dict[tuple[CardState, CardAction], CardState] = {
    (CardState.ACTIVE, CardAction.REQUEST_RENEWAL): CardState.ACTIVE,
    (CardState.ACTIVE, CardAction.COMPLETE_RENEWAL): CardState.ACTIVE,
    (CardState.ACTIVE, CardAction.CANCEL): CardState.CANCELLED,
}
"""An active card is renewed any number of times; a cancelled one takes nothing more. Expiry is
not a state: a card past its valid-until date is simply not valid, and renewing revives it."""


class RenewalNotFound(NotFound):
    code = "parking_card.renewal_not_found"


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later, or the last day of that month when it is shorter."""
    index = day.year * 12 + day.month - 1 + months
    year, month = index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def renewed_until(valid_until: date, today: date, months: int) -> date:
    """The valid-until date after paying ``months`` on ``today``."""
    return add_months(max(today, valid_until), months)


def check_months(months: int) -> int:
    if months not in RENEWAL_MONTHS:
        raise InvalidInput("parking_card.invalid_months", "renew for 1, 3, 6 or 12 months")
    return months


def check_plate(plate: str) -> str:
    plate = plate.strip().upper()
    if not PLATE.fullmatch(plate):
        raise InvalidInput("parking_card.invalid_plate", "not a licence plate")
    return plate


@attrs.frozen(kw_only=True)
class Renewal:
    """One renewal 续费: ``months`` for ``amount``, paid by ``payment_id`` once ``paid_on``."""

    payment_id: UUID
    months: int
    amount: Money
    requested_at: datetime
    paid_on: date | None = None


@attrs.define(slots=False, eq=False, kw_only=True)
class ParkingCard(Aggregate):
    """ParkingCard 停车月卡 (transition table :data:`CARD_TRANSITIONS`), one per parking space."""

    id: UUID
    tenant_id: UUID
    community_id: UUID
    property_id: UUID
    plate: str
    monthly_fee: Money
    valid_until: date
    created_at: datetime
    state: CardState = CardState.ACTIVE
    cancel_reason: str = ""
    renewals: tuple[Renewal, ...] = ()

    @classmethod
    def issue(
        cls,
        *,
        id: UUID,
        tenant_id: UUID,
        community_id: UUID,
        property_id: UUID,
        plate: str,
        monthly_fee: Money,
        valid_until: date,
        now: datetime,
    ) -> ParkingCard:
        if not monthly_fee.is_positive:
            raise InvalidInput("parking_card.invalid_fee", "a monthly fee is positive")
        card = cls(
            id=id,
            tenant_id=tenant_id,
            community_id=community_id,
            property_id=property_id,
            plate=check_plate(plate),
            monthly_fee=monthly_fee,
            valid_until=valid_until,
            created_at=now,
        )
        card.record(
            events.ParkingCardIssued(
                card_id=id, property_id=property_id, plate=card.plate, valid_until=valid_until
            )
        )
        return card

    def _next(self, action: CardAction) -> CardState:
        next_state = CARD_TRANSITIONS.get((self.state, action))
        if next_state is None:
            raise InvalidTransition("parking_card", self.state.value, action.value)
        return next_state

    def request_renewal(self, payment_id: UUID, months: int, now: datetime) -> Money:
        """Record a renewal waiting for its payment; the amount the payment must be for."""
        self.state = self._next(CardAction.REQUEST_RENEWAL)
        amount = self.monthly_fee.times(check_months(months))
        self.renewals = (
            *self.renewals,
            Renewal(payment_id=payment_id, months=months, amount=amount, requested_at=now),
        )
        return amount

    def complete_renewal(self, payment_id: UUID, today: date) -> date:
        """The payment succeeded on ``today`` (the community's date): extend the card."""
        next_state = self._next(CardAction.COMPLETE_RENEWAL)
        for index, renewal in enumerate(self.renewals):
            if renewal.payment_id != payment_id:
                continue
            if renewal.paid_on is not None:
                raise Conflict("parking_card.renewal_already_paid", "this renewal is paid")
            self.state = next_state
            self.valid_until = renewed_until(self.valid_until, today, renewal.months)
            self.renewals = (
                *self.renewals[:index],
                attrs.evolve(renewal, paid_on=today),
                *self.renewals[index + 1 :],
            )
            self.record(
                events.ParkingCardRenewed(
                    card_id=self.id,
                    payment_id=payment_id,
                    months=renewal.months,
                    amount=renewal.amount,
                    valid_until=self.valid_until,
                )
            )
            return self.valid_until
        raise RenewalNotFound("no renewal of this card waits for that payment")

    def cancel(self, reason: str) -> None:
        next_state = self._next(CardAction.CANCEL)
        reason = reason.strip()
        if not reason:
            raise InvalidInput("parking_card.reason_required", "say why the card is cancelled")
        self.state, self.cancel_reason = next_state, reason
        self.record(events.ParkingCardCancelled(card_id=self.id, reason=reason))

    def valid_on(self, day: date) -> bool:
        return self.state is CardState.ACTIVE and day <= self.valid_until
