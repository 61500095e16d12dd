"""Fixtures of the parking tests."""

from __future__ import annotations

import pytest

from adapters.persistence.memory import InMemoryUnitOfWork
from engagement_builders import Estate
from estate_core.shared.access import StaffActor
from estate_core.shared.clock import FixedClock
from parking_builders import open_tenant


@pytest.fixture
def estate(uow: InMemoryUnitOfWork, clock: FixedClock, admin: StaffActor) -> Estate:
    estate = Estate(uow, clock, admin)
    open_tenant(estate)
    return estate
