"""Fixtures of the billing tests."""

from __future__ import annotations

import pytest
from billing_world import World, new_community

from adapters.persistence.memory import InMemoryUnitOfWork
from estate_core.shared.access import StaffActor
from estate_core.shared.clock import FixedClock


@pytest.fixture
def world(uow: InMemoryUnitOfWork, clock: FixedClock, admin: StaffActor) -> World:
    """One community (Asia/Shanghai) and the admin; today is 2026-03-15 local."""
    return World(uow=uow, clock=clock, admin=admin, community_id=new_community(uow))
