"""The schema keeps the tenancy rule (DESIGN.md §3, §7) and maps every field of the domain.

Walks the metadata, so a table or mapping added later by any context is checked too.
"""

from __future__ import annotations

from typing import Any

import attrs
import pytest
import sqlalchemy as sa
from persistence_samples import CREATED, a_household, a_property
from sqlalchemy.ext.associationproxy import AssociationProxy
from sqlalchemy.orm import Mapper

from adapters.persistence.memory import InMemoryStore, InMemoryUnitOfWork
from adapters.persistence.sqlalchemy import clear_mappers, metadata, start_mappers
from adapters.persistence.sqlalchemy.mapping import mapper_registry
from adapters.persistence.sqlalchemy.metadata import CROSS_TENANT
from estate_core.properties.model import Household, Member, MemberRole
from estate_core.shared.events import Aggregate
from estate_core.shared.ids import new_id

TABLES = sorted(metadata.tables.values(), key=lambda table: table.name)


def _names(columns: Any) -> list[str]:
    return [column.name for column in columns]


@pytest.mark.parametrize("table", TABLES, ids=lambda table: table.name)
def test_every_table_carries_a_required_tenant_id(table: sa.Table) -> None:
    assert "tenant_id" in table.c
    assert not table.c.tenant_id.nullable
    assert isinstance(table.c.tenant_id.type, sa.Uuid)


@pytest.mark.parametrize("table", TABLES, ids=lambda table: table.name)
def test_every_key_starts_with_tenant_id(table: sa.Table) -> None:
    keys: list[Any] = [table.primary_key]
    keys += [c for c in table.constraints if isinstance(c, sa.UniqueConstraint)]
    keys += [index for index in table.indexes if index.unique]
    for key in keys:
        assert _names(key.columns)[0] == "tenant_id", key.name


@pytest.mark.parametrize("table", TABLES, ids=lambda table: table.name)
def test_every_reference_stays_inside_the_tenant(table: sa.Table) -> None:
    for foreign_key in table.foreign_key_constraints:
        assert _names(foreign_key.columns)[0] == "tenant_id", foreign_key.name
        assert foreign_key.elements[0].column.name == "tenant_id", foreign_key.name


@pytest.mark.parametrize("table", TABLES, ids=lambda table: table.name)
def test_every_index_starts_with_tenant_id_or_says_why_not(table: sa.Table) -> None:
    for index in table.indexes:
        if _names(index.columns)[0] != "tenant_id":
            assert index.info.get(CROSS_TENANT), f"{index.name} spans tenants without a reason"


@pytest.mark.parametrize("table", TABLES, ids=lambda table: table.name)
def test_every_constraint_has_a_stable_name(table: sa.Table) -> None:
    names = [c.name for c in table.constraints] + [index.name for index in table.indexes]
    for name in names:
        assert name, f"an unnamed constraint on {table.name}"
        assert len(str(name)) <= 63


@pytest.fixture
def mappers(mapped: None) -> list[Mapper[Any]]:
    return list(mapper_registry.mappers)


def test_every_field_of_a_mapped_aggregate_is_stored(mappers: list[Mapper[Any]]) -> None:
    aggregates = [m for m in mappers if issubclass(m.class_, Aggregate)]
    assert {m.class_.__name__ for m in aggregates} >= {"Resident", "Property", "Household"}
    for mapper in aggregates:
        stored = set(mapper.attrs.keys()) | {
            name
            for name, descriptor in mapper.all_orm_descriptors.items()
            if isinstance(descriptor, AssociationProxy)
        }
        missing = {field.name for field in attrs.fields(mapper.class_)} - stored
        assert not missing, f"{mapper.class_.__name__} fields without a column: {missing}"


def test_every_mapped_aggregate_has_an_optimistic_version(mappers: list[Mapper[Any]]) -> None:
    for mapper in mappers:
        if issubclass(mapper.class_, Aggregate):
            assert mapper.version_id_col is not None, mapper.class_.__name__
            assert mapper.version_id_col.name == "version"


def test_starting_the_mappers_twice_maps_once(mapped: None) -> None:
    count = len(mapper_registry.mappers)
    start_mappers()
    assert len(mapper_registry.mappers) == count


def test_clearing_the_mappers_gives_the_memory_store_plain_classes(mapped: None) -> None:
    clear_mappers()
    tenant_id = new_id()
    prop = a_property(tenant_id, new_id())
    household = a_household(prop)
    household.members.append(Member(resident_id=new_id(), role=MemberRole.FAMILY, since=CREATED))
    assert type(household.members) is list
    assert not hasattr(Household, "_member_rows")
    uow = InMemoryUnitOfWork(InMemoryStore(), tenant_id)
    with uow:
        uow.households.add(household)
        uow.commit()
    with uow:
        assert len(uow.households.get(household.id).members) == 1
