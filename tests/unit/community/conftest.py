"""Fixtures for the community tests."""

from __future__ import annotations

import pytest
from community_estate import Estate

from adapters.moderation import RuleBasedModerator
from adapters.persistence.memory import InMemoryStore, InMemoryUnitOfWork
from estate_core.shared.access import StaffActor
from estate_core.shared.clock import FixedClock


@pytest.fixture
def estate(
    store: InMemoryStore, uow: InMemoryUnitOfWork, clock: FixedClock, admin: StaffActor
) -> Estate:
    return Estate(store, uow, clock, admin)


@pytest.fixture
def moderator() -> RuleBasedModerator:
    return RuleBasedModerator()
