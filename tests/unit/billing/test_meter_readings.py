"""Meter readings 抄表: meters only count up, one reading a day, for metered fees only."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from uuid import UUID

from billing_world import World, new_community
from hypothesis import given, settings
from hypothesis import strategies as st

from adapters.persistence.memory import InMemoryStore, InMemoryUnitOfWork
from estate_core.billing.calculation import Calculation
from estate_core.billing.fee_item import FeeCategory
from estate_core.shared.access import Permission, StaffActor
from estate_core.shared.clock import FixedClock
from estate_core.shared.errors import DomainError
from estate_core.shared.ids import new_id
from world_builders import code_of


def _water(world: World) -> UUID:
    return world.fee(
        "水费", calculation=Calculation.METERED, price="3.45", category=FeeCategory.WATER
    )


def test_a_reading_lower_than_the_last_one_is_refused(world: World) -> None:
    home, water = world.home(), _water(world)
    world.read_reading(home, water, "120.00", date(2026, 2, 1))
    code = code_of(lambda: world.read_reading(home, water, "119.99", date(2026, 3, 1)))
    assert code == "meter.reading_decreased"


def test_a_back_dated_reading_above_a_later_one_is_refused(world: World) -> None:
    home, water = world.home(), _water(world)
    world.read_reading(home, water, "100.00", date(2026, 1, 1))
    world.read_reading(home, water, "120.00", date(2026, 3, 1))
    code = code_of(lambda: world.read_reading(home, water, "121.00", date(2026, 2, 1)))
    assert code == "meter.reading_decreased"
    world.read_reading(home, water, "110.00", date(2026, 2, 1))


def test_an_unchanged_reading_is_accepted(world: World) -> None:
    home, water = world.home(), _water(world)
    world.read_reading(home, water, "100.00", date(2026, 1, 1))
    world.read_reading(home, water, "100.00", date(2026, 2, 1))


def test_a_meter_has_one_reading_a_day(world: World) -> None:
    home, water = world.home(), _water(world)
    world.read_reading(home, water, "100.00", date(2026, 1, 1))
    code = code_of(lambda: world.read_reading(home, water, "101.00", date(2026, 1, 1)))
    assert code == "meter.duplicate_reading"


def test_only_metered_fees_take_readings(world: World) -> None:
    home, property_fee = world.home(), world.fee()
    code = code_of(lambda: world.read_reading(home, property_fee, "1.00", date(2026, 1, 1)))
    assert code == "meter.not_metered"


def test_a_reading_cannot_be_dated_after_today(world: World) -> None:
    home, water = world.home(), _water(world)
    code = code_of(lambda: world.read_reading(home, water, "1.00", date(2026, 3, 16)))
    assert code == "meter.future_reading"


def test_a_reading_is_not_negative(world: World) -> None:
    home, water = world.home(), _water(world)
    assert code_of(lambda: world.read_reading(home, water, "-1", date(2026, 1, 1))) == (
        "meter.invalid_reading"
    )


@settings(max_examples=25, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.integers(min_value=0, max_value=60),
            st.decimals(min_value=0, max_value=1000, places=2),
        ),
        min_size=1,
        max_size=8,
    )
)
def test_accepted_readings_never_decrease_over_time(entries: list[tuple[int, Decimal]]) -> None:
    clock = FixedClock(datetime(2026, 3, 15, 2, 0, tzinfo=UTC))
    uow = InMemoryUnitOfWork(InMemoryStore(), new_id(), clock)
    admin = StaffActor(staff_id=new_id(), permissions=frozenset(Permission))
    world = World(uow=uow, clock=clock, admin=admin, community_id=new_community(uow))
    home, water = world.home(), _water(world)
    accepted: dict[date, Decimal] = {}
    for offset, value in entries:
        day = date(2026, 1, 1) + timedelta(days=offset)
        try:
            world.read_reading(home, water, str(value), day)
        except DomainError:
            continue
        accepted[day] = value
    in_date_order = [accepted[day] for day in sorted(accepted)]
    assert in_date_order == sorted(in_date_order)
