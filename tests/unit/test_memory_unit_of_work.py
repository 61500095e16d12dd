"""The in-memory unit of work behaves like a database transaction."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import UUID

import pytest

from adapters.persistence.memory import InMemoryStore, InMemoryUnitOfWork
from estate_core.identity.model import Resident
from estate_core.shared.errors import ConcurrencyConflict, Conflict
from estate_core.shared.ids import new_id


def _resident(tenant_id: UUID, phone: str = "13800000001") -> Resident:
    return Resident(
        id=new_id(), tenant_id=tenant_id, phone=phone, created_at=datetime(2026, 1, 1, tzinfo=UTC)
    )


def test_uncommitted_changes_are_rolled_back(uow: InMemoryUnitOfWork) -> None:
    resident = _resident(uow.tenant_id)
    with uow:
        uow.residents.add(resident)
    with uow:
        assert uow.residents.find(resident.id) is None


def test_committed_changes_are_visible_to_the_next_unit_of_work(uow: InMemoryUnitOfWork) -> None:
    resident = _resident(uow.tenant_id)
    with uow:
        uow.residents.add(resident)
        uow.commit()
    with uow:
        loaded = uow.residents.get(resident.id)
        loaded.name = "changed without commit"
    with uow:
        assert uow.residents.get(resident.id).name == ""


def test_other_tenants_rows_are_invisible(store: InMemoryStore) -> None:
    first, second = InMemoryUnitOfWork(store, new_id()), InMemoryUnitOfWork(store, new_id())
    resident = _resident(first.tenant_id)
    with first:
        first.residents.add(resident)
        first.commit()
    with second:
        assert second.residents.find(resident.id) is None
        assert second.residents.find_by_phone(resident.phone) is None


def test_lost_update_is_refused(store: InMemoryStore, tenant_id: UUID) -> None:
    resident = _resident(tenant_id)
    setup = InMemoryUnitOfWork(store, tenant_id)
    with setup:
        setup.residents.add(resident)
        setup.commit()
    first, second = InMemoryUnitOfWork(store, tenant_id), InMemoryUnitOfWork(store, tenant_id)
    with first, second:
        first.residents.get(resident.id).name = "first"
        second.residents.get(resident.id).name = "second"
        first.commit()
        with pytest.raises(ConcurrencyConflict):
            second.commit()


def test_unique_keys_are_enforced_on_commit(uow: InMemoryUnitOfWork) -> None:
    with uow:
        uow.residents.add(_resident(uow.tenant_id))
        uow.commit()
    with uow:
        uow.residents.add(_resident(uow.tenant_id))
        with pytest.raises(Conflict) as raised:
            uow.commit()
    assert raised.value.code == "residents.duplicate"
