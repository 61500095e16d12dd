"""Parking-card use cases: staff issue and cancel cards and see the ones expiring soon.

A card goes on a parking space 车位 (a property of kind ``parking_space``), one card per space.
"""

from __future__ import annotations

from datetime import date, timedelta
from uuid import UUID

import attrs

from estate_core.parking.card import CardState, ParkingCard
from estate_core.parking.ports import ParkingUnitOfWork
from estate_core.properties.model import PropertyKind
from estate_core.shared.access import Actor, Permission, require_staff
from estate_core.shared.clock import Clock, local_date
from estate_core.shared.errors import Conflict, InvalidInput
from estate_core.shared.ids import new_id
from estate_core.shared.money import Money

EXPIRING_WITHIN = timedelta(days=30)
MAX_LISTED = 500


@attrs.frozen(kw_only=True)
class CardView:
    id: UUID
    community_id: UUID
    property_id: UUID
    plate: str
    monthly_fee: Money
    valid_until: date
    state: CardState


def card_view(card: ParkingCard) -> CardView:
    return CardView(
        id=card.id,
        community_id=card.community_id,
        property_id=card.property_id,
        plate=card.plate,
        monthly_fee=card.monthly_fee,
        valid_until=card.valid_until,
        state=card.state,
    )


@attrs.frozen(kw_only=True)
class IssueCard:
    property_id: UUID
    plate: str
    monthly_fee: Money
    valid_until: date


def issue_card(uow: ParkingUnitOfWork, clock: Clock, actor: Actor, cmd: IssueCard) -> UUID:
    with uow:
        space = uow.properties.get(cmd.property_id)
        require_staff(actor, Permission.PARKING_MANAGE, space.community_id)
        if space.kind is not PropertyKind.PARKING_SPACE:
            raise InvalidInput("parking_card.not_a_parking_space", "a card goes on a parking space")
        if uow.parking_cards.for_space(space.id) is not None:
            raise Conflict("parking_card.space_has_a_card", "this space already has a card")
        card = ParkingCard.issue(
            id=new_id(),
            tenant_id=uow.tenant_id,
            community_id=space.community_id,
            property_id=space.id,
            plate=cmd.plate,
            monthly_fee=cmd.monthly_fee,
            valid_until=cmd.valid_until,
            now=clock.now(),
        )
        uow.parking_cards.add(card)
        uow.commit()
        return card.id


def cancel_card(uow: ParkingUnitOfWork, actor: Actor, card_id: UUID, reason: str) -> None:
    with uow:
        card = uow.parking_cards.get(card_id)
        require_staff(actor, Permission.PARKING_MANAGE, card.community_id)
        card.cancel(reason)
        uow.commit()


def expiring_cards(
    uow: ParkingUnitOfWork,
    clock: Clock,
    actor: Actor,
    community_id: UUID,
    within: timedelta = EXPIRING_WITHIN,
) -> list[CardView]:
    """Active cards that lapse within ``within`` of the community's today (or already have),
    soonest first: whom to remind 即将到期."""
    require_staff(actor, Permission.PARKING_MANAGE, community_id)
    with uow:
        today = local_date(clock.now(), uow.communities.get(community_id).zone)
        cards = uow.parking_cards.expiring(community_id, today + within, MAX_LISTED)
        return [card_view(card) for card in cards]
