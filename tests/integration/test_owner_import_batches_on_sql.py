"""An owner import longer than a batch (``BATCH_ROWS``) on SQLite and PostgreSQL: the unit of
work is released between batches inside the one transaction, and homes checked in an early
batch are still updated correctly when stored in a later one."""

from __future__ import annotations

from collections.abc import Callable
from uuid import UUID

import sqlalchemy as sa
from billing_samples import World
from sqlalchemy.engine import Engine

from adapters.persistence.sqlalchemy import SqlAlchemyUnitOfWork
from adapters.persistence.sqlalchemy.tables.properties import properties
from estate_core.properties.imports import BATCH_ROWS, ImportOwners, import_owners
from estate_core.properties.model import OwnerOfRecord
from estate_core.shared.clock import FixedClock

ROWS = BATCH_ROWS + 20


def _rows(changed: int | None = None) -> list[dict[str, str]]:
    return [
        {
            "building": str(1 + i // 100),
            "unit": "1",
            "room": str(100 + i % 100),
            "area": "89.25",
            "owner_name": "新业主" if i == changed else f"业主{i}",
            "owner_phone": f"138{i:08d}",
        }
        for i in range(ROWS)
    ]


def test_a_file_of_several_batches_imports_and_reimports(
    make_uow: Callable[[UUID], SqlAlchemyUnitOfWork],
    engine: Engine,
    tenant_id: UUID,
    clock: FixedClock,
) -> None:
    world = World.open(make_uow(tenant_id), clock)
    uow = make_uow(tenant_id)
    first = import_owners(
        uow, clock, world.admin, ImportOwners(community_id=world.community_id, rows=_rows())
    )
    assert (first.created, first.updated, first.unchanged) == (ROWS, 0, 0)
    late = ROWS - 5
    again = import_owners(
        uow,
        clock,
        world.admin,
        ImportOwners(community_id=world.community_id, rows=_rows(changed=late)),
    )
    assert (again.created, again.updated, again.unchanged) == (0, 1, ROWS - 1)
    with engine.connect() as connection:
        count = connection.scalar(sa.select(sa.func.count()).select_from(properties))
    assert count == ROWS
    with uow:
        home = uow.properties.find_by_address(
            world.community_id, str(1 + late // 100), "1", str(100 + late % 100)
        )
        assert home is not None
        assert home.owner_of_record == OwnerOfRecord(name="新业主", phone=f"138{late:08d}")
