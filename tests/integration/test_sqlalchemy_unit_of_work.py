"""The SQLAlchemy unit of work: one transaction, its outbox, its errors; and the engine set-up."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from uuid import UUID

import pytest
import sqlalchemy as sa
from persistence_samples import a_household, a_property, a_resident
from sqlalchemy.engine import URL, Engine

from adapters.persistence.sqlalchemy import (
    SqlAlchemyUnitOfWork,
    database_url,
    make_engine,
    make_session_factory,
)
from adapters.persistence.sqlalchemy.engine import normalize_url
from adapters.persistence.sqlalchemy.errors import unique_violation
from adapters.persistence.sqlalchemy.tables.identity import residents
from adapters.persistence.sqlalchemy.tables.outbox import outbox
from adapters.persistence.sqlalchemy.tables.properties import household_members
from estate_core.properties.model import Member, MemberRole
from estate_core.shared.errors import Conflict
from estate_core.shared.ids import new_id

AT = datetime(2026, 3, 15, 2, 0, tzinfo=UTC)

MakeUow = Callable[[UUID], SqlAlchemyUnitOfWork]


def _outbox_names(engine: Engine) -> list[str]:
    with engine.connect() as connection:
        return list(connection.scalars(sa.select(outbox.c.event_name).order_by(outbox.c.id)))


def test_a_failed_commit_writes_neither_the_change_nor_its_events(
    make_uow: MakeUow, engine: Engine, tenant_id: UUID
) -> None:
    with make_uow(tenant_id) as uow:
        uow.residents.add(a_resident(tenant_id, "13800000001"))
        uow.commit()
    verified, duplicate = a_resident(tenant_id, "13800000002"), a_resident(tenant_id, "13800000001")
    verified.verify_phone(AT)
    with make_uow(tenant_id) as uow:
        uow.residents.add(verified)
        uow.residents.add(duplicate)
        with pytest.raises(Conflict):
            uow.commit()
    assert _outbox_names(engine) == []
    assert [type(event).__name__ for event in verified.pending_events] == ["ResidentVerified"]
    with make_uow(tenant_id) as uow:
        assert uow.residents.find(verified.id) is None


def test_outbox_messages_commit_with_the_change(
    make_uow: MakeUow, engine: Engine, tenant_id: UUID
) -> None:
    resident = a_resident(tenant_id)
    with make_uow(tenant_id) as uow:
        uow.residents.add(resident)
        resident.verify_phone(AT)
        uow.session.flush()
        with engine.connect().execution_options(sqlite_deferred=True) as other:
            assert other.scalar(sa.select(sa.func.count()).select_from(outbox)) == 0
        uow.commit()
    assert _outbox_names(engine) == ["ResidentVerified"]


def test_an_error_inside_the_block_leaves_the_data_unchanged(
    make_uow: MakeUow, tenant_id: UUID
) -> None:
    resident = a_resident(tenant_id, name="原名")
    with make_uow(tenant_id) as uow:
        uow.residents.add(resident)
        uow.commit()

    def failing_use_case() -> None:
        with make_uow(tenant_id) as uow:
            uow.residents.get(resident.id).rename("新名")
            uow.session.flush()
            raise RuntimeError("the use case failed half-way")

    with pytest.raises(RuntimeError):
        failing_use_case()
    with make_uow(tenant_id) as uow:
        assert uow.residents.get(resident.id).name == "原名"


def test_rollback_forgets_changes_and_the_unit_of_work_goes_on(
    make_uow: MakeUow, tenant_id: UUID
) -> None:
    kept, dropped = a_resident(tenant_id, "13800000001"), a_resident(tenant_id, "13800000002")
    with make_uow(tenant_id) as uow:
        uow.residents.add(dropped)
        uow.rollback()
        uow.residents.add(kept)
        uow.commit()
    with make_uow(tenant_id) as uow:
        assert uow.residents.find(kept.id) is not None
        assert uow.residents.find(dropped.id) is None


def test_a_unit_of_work_is_one_block_at_a_time(make_uow: MakeUow, tenant_id: UUID) -> None:
    uow = make_uow(tenant_id)
    with uow, pytest.raises(RuntimeError, match="already open"), uow:
        pass
    with pytest.raises(RuntimeError, match="not open"):
        uow.commit()


def test_adding_another_tenants_aggregate_is_refused(make_uow: MakeUow, tenant_id: UUID) -> None:
    with make_uow(tenant_id) as uow, pytest.raises(ValueError, match="another tenant"):
        uow.residents.add(a_resident(new_id()))


def test_database_refuses_a_second_owner_a_buggy_caller_adds(
    make_uow: MakeUow, tenant_id: UUID
) -> None:
    prop = a_property(tenant_id, new_id())
    household = a_household(prop)
    first, second = a_resident(tenant_id, "13800000001"), a_resident(tenant_id, "13800000002")
    household.bind_owner(first.id, AT)
    with make_uow(tenant_id) as uow:
        for aggregate in (first, second):
            uow.residents.add(aggregate)
        uow.properties.add(prop)
        uow.households.add(household)
        uow.commit()
    with make_uow(tenant_id) as uow:
        loaded = uow.households.get(household.id)
        loaded.members.append(Member(resident_id=second.id, role=MemberRole.OWNER, since=AT))
        with pytest.raises(Conflict) as raised:
            uow.commit()
    assert raised.value.code == "household.already_bound"


def test_a_member_must_be_a_resident_of_the_same_tenant(
    make_uow: MakeUow, engine: Engine, tenant_id: UUID
) -> None:
    stranger = a_resident(new_id())
    with make_uow(stranger.tenant_id) as uow:
        uow.residents.add(stranger)
        uow.commit()
    prop = a_property(tenant_id, new_id())
    household = a_household(prop)
    household.bind_owner(stranger.id, AT)
    with make_uow(tenant_id) as uow:
        uow.properties.add(prop)
        uow.households.add(household)
        with pytest.raises(sa.exc.IntegrityError):
            uow.commit()
    with engine.connect() as connection:
        assert connection.scalar(sa.select(sa.func.count()).select_from(household_members)) == 0


def test_default_database_is_a_sqlite_file_in_the_data_directory(tmp_path: Path) -> None:
    url = database_url({"ESTATE_DATA_DIR": str(tmp_path / "data")})
    assert normalize_url(url).database == str(tmp_path / "data" / "estate.db")
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            connection.exec_driver_sql("SELECT 1")
    finally:
        engine.dispose()
    assert (tmp_path / "data" / "estate.db").exists()


def test_configured_database_url_wins_and_postgres_urls_use_psycopg_3() -> None:
    configured = database_url({"ESTATE_DATABASE_URL": "postgres://u@db/estate", "X": "1"})
    assert normalize_url(configured).drivername == "postgresql+psycopg"
    assert normalize_url("postgresql://u@db/estate").drivername == "postgresql+psycopg"


def test_sqlite_runs_in_wal_mode_with_foreign_keys_and_a_busy_timeout(sqlite_database: URL) -> None:
    engine = make_engine(sqlite_database)
    try:
        with engine.connect() as connection:
            pragma = connection.exec_driver_sql
            assert pragma("PRAGMA journal_mode").scalar() == "wal"
            assert pragma("PRAGMA foreign_keys").scalar() == 1
            assert pragma("PRAGMA busy_timeout").scalar() == 30_000
    finally:
        engine.dispose()


def test_sqlite_queues_a_second_writer_until_the_first_commits(
    sqlite_database: URL, mapped: None, tenant_id: UUID
) -> None:
    engine = make_engine(sqlite_database)
    sessions = make_session_factory(engine)
    resident = a_resident(tenant_id)
    with SqlAlchemyUnitOfWork(sessions, tenant_id) as uow:
        uow.residents.add(resident)
        uow.commit()
    first_holds_the_lock = threading.Event()
    names_seen: list[str] = []

    def first_writer() -> None:
        with SqlAlchemyUnitOfWork(sessions, tenant_id) as uow:
            uow.residents.get(resident.id).rename("甲")
            first_holds_the_lock.set()
            time.sleep(0.3)
            uow.commit()

    thread = threading.Thread(target=first_writer)
    thread.start()
    first_holds_the_lock.wait(5)
    with SqlAlchemyUnitOfWork(sessions, tenant_id) as uow:
        loaded = uow.residents.get(resident.id)
        names_seen.append(loaded.name)
        loaded.rename(loaded.name + "乙")
        uow.commit()
    thread.join()
    engine.dispose()
    assert names_seen == ["甲"]


def test_each_unique_key_violation_names_the_rule_it_protects(
    make_uow: MakeUow, engine: Engine, tenant_id: UUID
) -> None:
    prop = a_property(tenant_id, new_id())
    household = a_household(prop)
    owner, other = a_resident(tenant_id, "13800000001"), a_resident(tenant_id, "13800000002")
    household.bind_owner(owner.id, AT)
    with make_uow(tenant_id) as uow:
        for aggregate in (owner, other):
            uow.residents.add(aggregate)
        uow.properties.add(prop)
        uow.households.add(household)
        uow.commit()
    member = {"tenant_id": tenant_id, "household_id": household.id, "since": AT}
    duplicates = {
        "household.already_member": household_members.insert().values(
            resident_id=owner.id, role="family", **member
        ),
        "household.already_bound": household_members.insert().values(
            resident_id=other.id, role="owner", **member
        ),
        "residents.duplicate": sa.insert(residents).values(
            tenant_id=tenant_id,
            id=new_id(),
            phone_ciphertext=owner.phone,
            phone_hmac=owner.phone,
            name="",
            disabled=False,
            created_at=AT,
            version=1,
        ),
    }
    codes = []
    for statement in duplicates.values():
        with pytest.raises(sa.exc.IntegrityError) as raised, engine.begin() as connection:
            connection.execute(statement)
        conflict = unique_violation(raised.value)
        codes.append(conflict.code if conflict else None)
    assert codes == list(duplicates)
