"""Fixtures for the engagement tests."""

from __future__ import annotations

import pytest

from adapters.persistence.memory import InMemoryUnitOfWork
from engagement_builders import Estate
from estate_core.shared.access import StaffActor
from estate_core.shared.clock import FixedClock


@pytest.fixture
def estate(uow: InMemoryUnitOfWork, clock: FixedClock, admin: StaffActor) -> Estate:
    return Estate(uow, clock, admin)
