"""Concurrent requests against one real database, with real threads.

PostgreSQL: every thread loads the household first, then all bind at once; the optimistic
version lets exactly one commit, and the partial unique index would refuse a second owner even
if the version check were bypassed. SQLite: writers queue (``BEGIN IMMEDIATE``), so the later
ones see the home already bound.
"""

from __future__ import annotations

import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from uuid import UUID

import sqlalchemy as sa
from persistence_samples import a_household, a_property, a_resident
from sqlalchemy.engine import URL, Engine
from sqlalchemy.orm import Session, sessionmaker

from adapters.persistence.sqlalchemy import (
    SqlAlchemyUnitOfWork,
    make_engine,
    make_session_factory,
)
from adapters.persistence.sqlalchemy.tables.outbox import outbox
from adapters.persistence.sqlalchemy.tables.properties import household_members
from estate_core.properties.model import Property
from estate_core.shared.errors import ConcurrencyConflict, Conflict
from estate_core.shared.ids import new_id

AT = datetime(2026, 3, 15, 2, 0, tzinfo=UTC)
CLAIMANTS = 12


def _home_and_claimants(
    sessions: sessionmaker[Session], tenant_id: UUID
) -> tuple[Property, list[UUID]]:
    prop = a_property(tenant_id, new_id())
    residents = [a_resident(tenant_id, f"138{i:08d}") for i in range(CLAIMANTS)]
    with SqlAlchemyUnitOfWork(sessions, tenant_id) as uow:
        uow.properties.add(prop)
        uow.households.add(a_household(prop))
        for resident in residents:
            uow.residents.add(resident)
        uow.commit()
    return prop, [resident.id for resident in residents]


def _owners(engine: Engine) -> int:
    with engine.connect().execution_options(sqlite_deferred=True) as connection:
        count = connection.scalar(
            sa.select(sa.func.count())
            .select_from(household_members)
            .where(household_members.c.role == "owner")
        )
        return int(count or 0)


def _bound_events(engine: Engine) -> int:
    with engine.connect().execution_options(sqlite_deferred=True) as connection:
        count = connection.scalar(
            sa.select(sa.func.count())
            .select_from(outbox)
            .where(outbox.c.event_name == "OwnerBound")
        )
        return int(count or 0)


def _bind_all(
    sessions: sessionmaker[Session],
    tenant_id: UUID,
    prop: Property,
    claimants: list[UUID],
    after_load: threading.Barrier | None,
) -> Counter[str]:
    before_load = threading.Barrier(len(claimants))

    def claim(resident_id: UUID) -> str:
        before_load.wait(timeout=30)
        try:
            with SqlAlchemyUnitOfWork(sessions, tenant_id) as uow:
                household = uow.households.for_property(prop.id)
                assert household is not None
                if after_load is not None:
                    after_load.wait(timeout=30)
                household.bind_owner(resident_id, AT)
                uow.commit()
            return "bound"
        except Conflict as refused:
            return refused.code

    with ThreadPoolExecutor(max_workers=len(claimants)) as pool:
        return Counter(pool.map(claim, claimants))


def test_concurrent_binds_of_one_home_on_postgresql_leave_exactly_one_owner(
    postgresql_database: URL, mapped: None, tenant_id: UUID
) -> None:
    engine = make_engine(postgresql_database, pool_size=CLAIMANTS)
    sessions = make_session_factory(engine)
    try:
        prop, claimants = _home_and_claimants(sessions, tenant_id)
        outcomes = _bind_all(
            sessions, tenant_id, prop, claimants, threading.Barrier(len(claimants))
        )
        assert outcomes == {"bound": 1, ConcurrencyConflict.code: CLAIMANTS - 1}
        assert _owners(engine) == 1
        assert _bound_events(engine) == 1
    finally:
        engine.dispose()


def test_concurrent_binds_of_one_home_on_sqlite_queue_and_leave_exactly_one_owner(
    sqlite_database: URL, mapped: None, tenant_id: UUID
) -> None:
    engine = make_engine(sqlite_database)
    sessions = make_session_factory(engine)
    try:
        prop, claimants = _home_and_claimants(sessions, tenant_id)
        outcomes = _bind_all(sessions, tenant_id, prop, claimants, after_load=None)
        assert outcomes == {"bound": 1, "household.already_bound": CLAIMANTS - 1}
        assert _owners(engine) == 1
        assert _bound_events(engine) == 1
    finally:
        engine.dispose()


def test_postgresql_refuses_a_second_owner_row_even_without_the_version_check(
    postgresql_database: URL, mapped: None, tenant_id: UUID
) -> None:
    engine = make_engine(postgresql_database, pool_size=CLAIMANTS)
    sessions = make_session_factory(engine)
    try:
        _, claimants = _home_and_claimants(sessions, tenant_id)
        with engine.connect() as connection:
            household_id = connection.scalar(sa.text("SELECT id FROM households"))
        start = threading.Barrier(len(claimants))

        def insert_owner(resident_id: UUID) -> str:
            start.wait(timeout=30)
            try:
                with engine.begin() as connection:
                    connection.execute(
                        household_members.insert().values(
                            tenant_id=tenant_id,
                            household_id=household_id,
                            resident_id=resident_id,
                            role="owner",
                            since=AT,
                        )
                    )
                return "inserted"
            except sa.exc.IntegrityError as refused:
                return "refused" if "uq_household_members_one_owner" in str(refused) else "other"

        with ThreadPoolExecutor(max_workers=len(claimants)) as pool:
            outcomes = Counter(pool.map(insert_owner, claimants))
        assert outcomes == {"inserted": 1, "refused": CLAIMANTS - 1}
        assert _owners(engine) == 1
    finally:
        engine.dispose()
