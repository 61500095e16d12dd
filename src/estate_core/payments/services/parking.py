"""Paying a parking-card renewal 停车卡续费: the same online payment as bills, target
``parking_card``; the settlement (``settle_payment``) completes the renewal on the card."""

from __future__ import annotations

from datetime import timedelta
from uuid import UUID

import attrs

from estate_core.billing.services import community_today
from estate_core.payments.ports import MerchantAccounts, PaymentUnitOfWork
from estate_core.payments.services.checkout import (
    CLOSE_AFTER,
    PaymentView,
    _merchant,
    _open_online,
    _Order,
)
from estate_core.payments.values import PaymentChannel, PaymentTarget
from estate_core.properties.services import require_member
from estate_core.shared.access import ResidentActor
from estate_core.shared.clock import Clock
from estate_core.shared.ids import new_id


@attrs.frozen(kw_only=True)
class RenewParkingCard:
    card_id: UUID
    months: int
    channel: PaymentChannel


def start_parking_renewal(
    uow: PaymentUnitOfWork,
    clock: Clock,
    merchants: MerchantAccounts,
    actor: ResidentActor,
    cmd: RenewParkingCard,
    *,
    close_after: timedelta = CLOSE_AFTER,
) -> PaymentView:
    """A member of the parking space's household renews its card for 1, 3, 6 or 12 months."""
    merchant = _merchant(uow, merchants, cmd.channel)
    with uow:
        card = uow.parking_cards.get(cmd.card_id)
        require_member(
            uow, actor.resident_id, card.property_id, community_today(uow, clock, card.community_id)
        )
        payment_id = new_id()
        amount = card.request_renewal(payment_id, cmd.months, clock.now())
        order = _Order(
            target=PaymentTarget.PARKING_CARD,
            community_id=card.community_id,
            payer_id=actor.resident_id,
            amount=amount,
            property_id=card.property_id,
        )
        return _open_online(
            uow, clock, merchant, cmd.channel, close_after, order, payment_id=payment_id
        )
