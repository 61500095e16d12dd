"""Fixtures of the service tests."""

from __future__ import annotations

import pytest
from service_world import World, build_world

from adapters.persistence.memory import InMemoryUnitOfWork
from estate_core.shared.clock import FixedClock


@pytest.fixture
def world(uow: InMemoryUnitOfWork, clock: FixedClock) -> World:
    return build_world(uow, clock)
