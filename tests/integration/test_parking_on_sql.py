"""Parking cards on SQL (SQLite and PostgreSQL): a renewal paid through the payment use cases
extends the card; a cancelled card's renewal is refunded; the expiring list; and no parking
repository method returns another tenant's card (on every backend)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from uuid import UUID

import pytest
from community_estate_sql import SqlEstate
from community_samples import AT
from isolation import (
    assert_adding_is_refused,
    assert_all_of,
    assert_every_public_method_is_covered,
    assert_unseen,
)
from persistence_samples import Backend, a_property

from adapters.persistence.sqlalchemy import SqlAlchemyUnitOfWork
from adapters.persistence.sqlalchemy.repositories.parking import SqlParkingCardRepository
from engagement_builders import Estate
from estate_core.parking.card import ParkingCard
from estate_core.parking.services.cards import cancel_card, expiring_cards
from estate_core.payments.values import PaymentStatus
from estate_core.shared.clock import FixedClock
from estate_core.shared.ids import new_id
from estate_core.shared.money import Money
from parking_builders import MONTHLY, a_space, open_tenant

COMMUNITY = new_id()


class SqlParkingEstate(SqlEstate, Estate):
    """The SQL estate with the unit tests' helpers."""


@pytest.fixture
def estate(
    make_uow: Callable[[UUID], SqlAlchemyUnitOfWork], tenant_id: UUID, clock: FixedClock
) -> SqlParkingEstate:
    estate = SqlParkingEstate(make_uow, tenant_id, clock)
    open_tenant(estate)
    return estate


def test_a_renewal_paid_online_extends_the_card(estate: SqlParkingEstate) -> None:
    space = a_space(estate, valid_until=date(2026, 4, 30))
    payment = space.renew(6)
    assert payment.amount == Money(180_000)
    assert space.notify(payment).status is PaymentStatus.SUCCEEDED
    assert space.notify(payment).already_settled
    with estate.uow:
        card = estate.uow.parking_cards.get(space.card_id)
        assert card.valid_until == date(2026, 10, 30)
        assert [(r.months, r.amount, r.paid_on) for r in card.renewals] == [
            (6, Money(180_000), date(2026, 3, 15))
        ]


def test_a_cancelled_card_s_renewal_is_refunded_and_listed_no_more(
    estate: SqlParkingEstate,
) -> None:
    space = a_space(estate, valid_until=date(2026, 3, 20), room="B1-001")
    other = a_space(estate, valid_until=date(2026, 4, 1), room="B1-002")
    payment = space.renew(1)
    cancel_card(estate.uow, estate.admin, space.card_id, "车位已转让")
    space.notify(payment)
    with estate.uow:
        surplus = estate.uow.payments.get(payment.id).surplus
        assert [(s.amount, s.cause) for s in surplus] == [
            (MONTHLY, "parking_card.invalid_transition")
        ]
    listed = expiring_cards(estate.uow, estate.clock, estate.admin, estate.community_id)
    assert [c.id for c in listed] == [other.card_id]


COVERED = {SqlParkingCardRepository: {"add", "get", "find", "for_space", "expiring"}}


def _populate(backend: Backend) -> ParkingCard:
    tenant_id = new_id()
    space = a_property(tenant_id, COMMUNITY)
    card = ParkingCard.issue(
        id=new_id(),
        tenant_id=tenant_id,
        community_id=COMMUNITY,
        property_id=space.id,
        plate="浙A12345",
        monthly_fee=MONTHLY,
        valid_until=date(2026, 3, 31),
        now=AT,
    )
    card.request_renewal(new_id(), 3, AT)
    with backend.uow(tenant_id) as uow:
        uow.properties.add(space)
        uow.parking_cards.add(card)
        uow.commit()
    return card


def test_every_parking_repository_method_is_covered_here() -> None:
    assert_every_public_method_is_covered(COVERED)


def test_cards_of_another_tenant_are_invisible(backend: Backend) -> None:
    first, second = _populate(backend), _populate(backend)
    with backend.uow(second.tenant_id) as uow:
        cards = uow.parking_cards
        assert_unseen(cards, first.id)
        assert cards.for_space(first.property_id) is None
        mine = cards.for_space(second.property_id)
        assert mine is not None
        assert mine.renewals == second.renewals
        expiring = cards.expiring(COMMUNITY, date(2026, 12, 31), 10)
        assert [c.id for c in expiring] == [second.id]
        assert_all_of(second.tenant_id, expiring)
        assert_adding_is_refused([(cards, first)])
