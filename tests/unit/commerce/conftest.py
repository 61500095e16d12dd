"""Fixtures of the commerce tests."""

from __future__ import annotations

import pytest
from commerce_world import World, build_world

from adapters.persistence.memory import InMemoryUnitOfWork
from estate_core.shared.access import StaffActor
from estate_core.shared.clock import FixedClock


@pytest.fixture
def world(uow: InMemoryUnitOfWork, clock: FixedClock, admin: StaffActor) -> World:
    return build_world(uow, clock, admin)
