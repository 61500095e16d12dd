"""Parking cards 停车月卡: renewed for 1, 3, 6 or 12 months, paid like bills, from the later of
today and the current expiry."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from engagement_builders import Estate, staff
from estate_core.parking.card import (
    CARD_TRANSITIONS,
    RENEWAL_MONTHS,
    CardAction,
    CardState,
    ParkingCard,
    add_months,
    renewed_until,
)
from estate_core.parking.services.cards import (
    IssueCard,
    cancel_card,
    expiring_cards,
    issue_card,
)
from estate_core.payments.values import PaymentStatus, PaymentTarget
from estate_core.shared.access import Permission
from estate_core.shared.ids import new_id
from estate_core.shared.money import Money
from parking_builders import MONTHLY, a_space
from world_builders import code_of

NOW = datetime(2026, 3, 15, 2, 0, tzinfo=UTC)
TODAY = date(2026, 3, 15)
"""The clock's date in Shanghai."""


def _card(state: CardState) -> ParkingCard:
    card = ParkingCard.issue(
        id=new_id(),
        tenant_id=new_id(),
        community_id=new_id(),
        property_id=new_id(),
        plate="浙A12345",
        monthly_fee=MONTHLY,
        valid_until=TODAY,
        now=NOW,
    )
    if state is CardState.CANCELLED:
        card.cancel("车位转让")
    return card


@pytest.mark.parametrize("state", list(CardState))
@pytest.mark.parametrize("action", list(CardAction))
def test_every_transition_is_the_table_s(state: CardState, action: CardAction) -> None:
    card = _card(state)
    if state is CardState.ACTIVE and action is CardAction.COMPLETE_RENEWAL:
        payment_id = new_id()
        card.request_renewal(payment_id, 1, NOW)
    else:
        payment_id = new_id()
    acts = {
        CardAction.REQUEST_RENEWAL: lambda: card.request_renewal(new_id(), 3, NOW),
        CardAction.COMPLETE_RENEWAL: lambda: card.complete_renewal(payment_id, TODAY),
        CardAction.CANCEL: lambda: card.cancel("退租"),
    }
    allowed = CARD_TRANSITIONS.get((state, action))
    if allowed is None:
        assert code_of(acts[action]) == "parking_card.invalid_transition"
        assert card.state is state
    else:
        acts[action]()
        assert card.state is allowed


@given(
    st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 12, 31)),
    st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 12, 31)),
    st.sampled_from(RENEWAL_MONTHS),
)
def test_renewal_extends_from_the_later_of_today_and_the_expiry(
    valid_until: date, today: date, months: int
) -> None:
    base = max(valid_until, today)
    new = renewed_until(valid_until, today, months)
    assert new > base
    assert (new.year * 12 + new.month) - (base.year * 12 + base.month) == months
    assert new.day == base.day or (new.day < base.day and (new + timedelta(days=1)).day == 1)


@given(st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 1, 1)), st.integers(0, 24))
def test_add_months_keeps_the_day_or_the_month_end(day: date, months: int) -> None:
    later = add_months(day, months)
    assert later.day == min(day.day, later.day)
    assert later.day == day.day or (later + timedelta(days=1)).day == 1


@given(st.integers(-2, 24))
def test_only_1_3_6_or_12_months(months: int) -> None:
    card = _card(CardState.ACTIVE)
    if months in RENEWAL_MONTHS:
        assert card.request_renewal(new_id(), months, NOW) == MONTHLY.times(months)
    else:
        assert code_of(lambda: card.request_renewal(new_id(), months, NOW)) == (
            "parking_card.invalid_months"
        )


def test_a_renewal_paid_online_extends_the_card_from_its_expiry(estate: Estate) -> None:
    space = a_space(estate, valid_until=date(2026, 4, 30))
    payment = space.renew(3)
    assert payment.target is PaymentTarget.PARKING_CARD
    assert payment.amount == Money(90_000)
    with estate.uow:
        assert estate.uow.parking_cards.get(space.card_id).valid_until == date(2026, 4, 30)
    result = space.notify(payment)
    assert result.status is PaymentStatus.SUCCEEDED
    assert space.notify(payment).already_settled
    with estate.uow:
        card = estate.uow.parking_cards.get(space.card_id)
        assert card.valid_until == date(2026, 7, 30)
        assert [r.paid_on for r in card.renewals] == [TODAY]


def test_a_lapsed_card_restarts_today(estate: Estate) -> None:
    space = a_space(estate, valid_until=date(2026, 1, 31))
    space.notify(space.renew(1))
    with estate.uow:
        assert estate.uow.parking_cards.get(space.card_id).valid_until == date(2026, 4, 15)


def test_two_renewals_paid_in_any_order_add_up(estate: Estate) -> None:
    """31 March + 6 months = 30 September (its last day), + 1 = 30 October; the other order
    gives 30 April, then 30 October too."""
    space = a_space(estate, valid_until=date(2026, 3, 31))
    first, second = space.renew(1), space.renew(6)
    space.notify(second)
    space.notify(first)
    with estate.uow:
        assert estate.uow.parking_cards.get(space.card_id).valid_until == date(2026, 10, 30)


def test_a_renewal_of_a_card_cancelled_meanwhile_is_refunded(estate: Estate) -> None:
    space = a_space(estate, valid_until=date(2026, 3, 31))
    payment = space.renew(12)
    cancel_card(estate.uow, estate.admin, space.card_id, "车位已转让")
    space.notify(payment)
    with estate.uow:
        stored = estate.uow.payments.get(payment.id)
        assert [case.cause for case in stored.surplus] == ["parking_card.invalid_transition"]
        assert estate.uow.parking_cards.get(space.card_id).valid_until == date(2026, 3, 31)


def test_only_members_of_the_space_renew(estate: Estate) -> None:
    space = a_space(estate, valid_until=date(2026, 3, 31))
    assert code_of(lambda: space.renew(1, payer=estate.resident())) == "household.not_member"


def test_staff_see_the_cards_expiring_soon(estate: Estate) -> None:
    soon = a_space(estate, valid_until=date(2026, 4, 1), room="B1-001")
    lapsed = a_space(estate, valid_until=date(2026, 3, 1), room="B1-002")
    a_space(estate, valid_until=date(2026, 6, 1), room="B1-003")
    cancelled = a_space(estate, valid_until=date(2026, 3, 20), room="B1-004")
    cancel_card(estate.uow, estate.admin, cancelled.card_id, "退租")
    listed = expiring_cards(estate.uow, estate.clock, estate.admin, estate.community_id)
    assert [c.id for c in listed] == [lapsed.card_id, soon.card_id]
    clerk = staff(Permission.NOTICE_PUBLISH)
    assert (
        code_of(lambda: expiring_cards(estate.uow, estate.clock, clerk, estate.community_id))
        == "permission.missing"
    )


def test_one_card_per_parking_space_and_only_on_parking_spaces(estate: Estate) -> None:
    space = a_space(estate, valid_until=date(2026, 3, 31))
    again = IssueCard(
        property_id=space.property_id, plate="浙B54321", monthly_fee=MONTHLY, valid_until=TODAY
    )
    assert code_of(lambda: issue_card(estate.uow, estate.clock, estate.admin, again)) == (
        "parking_card.space_has_a_card"
    )
    home = estate.home()
    on_home = IssueCard(property_id=home, plate="浙B54321", monthly_fee=MONTHLY, valid_until=TODAY)
    assert code_of(lambda: issue_card(estate.uow, estate.clock, estate.admin, on_home)) == (
        "parking_card.not_a_parking_space"
    )
    bad_plate = IssueCard(property_id=home, plate="??", monthly_fee=MONTHLY, valid_until=TODAY)
    assert code_of(lambda: issue_card(estate.uow, estate.clock, estate.admin, bad_plate)) in {
        "parking_card.not_a_parking_space",
        "parking_card.invalid_plate",
    }
