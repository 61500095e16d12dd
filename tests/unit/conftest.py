"""Shared fixtures for the unit tests: a fixed clock and an in-memory store per test."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import UUID

import pytest

from adapters.persistence.memory import InMemoryStore, InMemoryUnitOfWork
from estate_core.shared.access import Permission, StaffActor
from estate_core.shared.clock import FixedClock
from estate_core.shared.ids import new_id


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(datetime(2026, 3, 15, 2, 0, tzinfo=UTC))


@pytest.fixture
def store() -> InMemoryStore:
    return InMemoryStore()


@pytest.fixture
def tenant_id() -> UUID:
    return new_id()


@pytest.fixture
def uow(store: InMemoryStore, tenant_id: UUID, clock: FixedClock) -> InMemoryUnitOfWork:
    return InMemoryUnitOfWork(store, tenant_id, clock)


@pytest.fixture
def admin() -> StaffActor:
    """A staff member holding every permission in every community."""
    return StaffActor(staff_id=new_id(), permissions=frozenset(Permission))
