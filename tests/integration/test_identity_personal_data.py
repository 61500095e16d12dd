"""Phones are encrypted at rest and found through a keyed hash (DESIGN.md §9, issue 4).

The raw rows (read without the application's column types) and the SQLite file itself hold no
phone number in the clear; the hash is the configured key's; a database read with another key
gives nothing back; an existing database's plain phones are converted by the migration.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
import sqlalchemy as sa
from alembic import command
from identity_samples import AT, a_staff, a_throttle, an_sms_code
from persistence_samples import a_resident, sqlite_url
from sqlalchemy.engine import URL, Engine

from adapters.persistence.sqlalchemy import (
    SqlAlchemyUnitOfWork,
    make_engine,
    make_session_factory,
    upgrade,
)
from adapters.persistence.sqlalchemy.migrate import alembic_config
from adapters.persistence.sqlalchemy.personal_data import (
    PHONE,
    FieldCipher,
    PersonalDataKeyMissing,
    UndecryptableValue,
    configure_personal_data,
    generate_secret_key,
)
from estate_core.shared.ids import new_id

MakeUow = Callable[[UUID], SqlAlchemyUnitOfWork]
RESIDENT_PHONE, STAFF_PHONE = "13812345678", "13987654321"
IDENTITY_TABLES = ("residents", "staff", "sms_codes", "sms_throttles")


@pytest.fixture
def other_key(personal_data_key: FieldCipher) -> Iterator[FieldCipher]:
    """Another key configured for one test; the session's key is put back after it."""
    other = FieldCipher.from_secret_key(generate_secret_key())
    configure_personal_data(other)
    yield other
    configure_personal_data(personal_data_key)


def _raw_rows(engine: Engine, table: str) -> list[dict[str, Any]]:
    """The table's rows as the database driver returns them: no application type involved."""
    with engine.connect().execution_options(sqlite_deferred=True) as connection:
        return [
            dict(row) for row in connection.exec_driver_sql(f"SELECT * FROM {table}").mappings()
        ]


def _holds(value: Any, phone: str) -> bool:
    if isinstance(value, bytes | bytearray | memoryview):
        return phone.encode() in bytes(value)
    return phone in str(value)


def _store_people(make_uow: MakeUow, tenant_id: UUID) -> None:
    with make_uow(tenant_id) as uow:
        uow.residents.add(a_resident(tenant_id, RESIDENT_PHONE))
        uow.staff.add(a_staff(tenant_id, STAFF_PHONE))
        uow.sms_codes.add(an_sms_code(tenant_id, RESIDENT_PHONE)[0])
        uow.sms_throttles.add(a_throttle(tenant_id, f"phone:{RESIDENT_PHONE}", AT))
        uow.commit()


def test_no_raw_row_holds_a_phone_in_the_clear(
    make_uow: MakeUow, engine: Engine, tenant_id: UUID, personal_data_key: FieldCipher
) -> None:
    _store_people(make_uow, tenant_id)
    for table in IDENTITY_TABLES:
        rows = _raw_rows(engine, table)
        assert len(rows) == 1, table
        for column, value in rows[0].items():
            for phone in (RESIDENT_PHONE, STAFF_PHONE):
                assert not _holds(value, phone), f"{table}.{column} holds {phone}"
    resident = _raw_rows(engine, "residents")[0]
    assert resident["phone_hmac"] == personal_data_key.lookup_hash(RESIDENT_PHONE, PHONE)
    ciphertext = bytes(resident["phone_ciphertext"])
    assert personal_data_key.decrypt(ciphertext, PHONE) == RESIDENT_PHONE
    with make_uow(tenant_id) as uow:
        found = uow.residents.find_by_phone(RESIDENT_PHONE)
        assert found is not None
        assert found.phone == RESIDENT_PHONE
        staff = uow.staff.find_by_phone(STAFF_PHONE)
        assert staff is not None
        assert staff.phone == STAFF_PHONE


def test_the_sqlite_file_holds_no_phone_in_the_clear(
    sqlite_database: URL, mapped: None, tenant_id: UUID
) -> None:
    engine = make_engine(sqlite_database)
    sessions = make_session_factory(engine)
    _store_people(lambda tenant: SqlAlchemyUnitOfWork(sessions, tenant), tenant_id)
    engine.dispose()
    path = Path(str(sqlite_database.database))
    with sqlite3.connect(path) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    data = path.read_bytes()
    assert b"13812345678" not in data
    assert b"13987654321" not in data


def test_a_changed_phone_is_found_by_the_new_number_only(
    make_uow: MakeUow, engine: Engine, tenant_id: UUID, personal_data_key: FieldCipher
) -> None:
    resident = a_resident(tenant_id, RESIDENT_PHONE)
    with make_uow(tenant_id) as uow:
        uow.residents.add(resident)
        uow.commit()
    with make_uow(tenant_id) as uow:
        uow.residents.get(resident.id).change_phone("13700000000", AT)
        uow.commit()
    with make_uow(tenant_id) as uow:
        assert uow.residents.find_by_phone(RESIDENT_PHONE) is None
        moved = uow.residents.find_by_phone("13700000000")
        assert moved is not None
        assert moved.id == resident.id
    (row,) = _raw_rows(engine, "residents")
    assert row["phone_hmac"] == personal_data_key.lookup_hash("13700000000", PHONE)


def test_a_database_read_with_another_key_gives_no_phone_back(
    make_uow: MakeUow, tenant_id: UUID, other_key: FieldCipher, personal_data_key: FieldCipher
) -> None:
    configure_personal_data(personal_data_key)
    resident = a_resident(tenant_id, RESIDENT_PHONE)
    with make_uow(tenant_id) as uow:
        uow.residents.add(resident)
        uow.commit()
    configure_personal_data(other_key)
    with make_uow(tenant_id) as uow:
        assert uow.residents.find_by_phone(RESIDENT_PHONE) is None
        with pytest.raises(UndecryptableValue):
            uow.residents.get(resident.id)


def test_a_unit_of_work_without_a_key_says_how_to_configure_one(
    session_factory: Any, tenant_id: UUID, personal_data_key: FieldCipher
) -> None:
    configure_personal_data(None)
    try:
        with pytest.raises(PersonalDataKeyMissing, match="configure_personal_data"):
            SqlAlchemyUnitOfWork(session_factory, tenant_id)
    finally:
        configure_personal_data(personal_data_key)


def test_the_cipher_refuses_a_short_key_and_never_shows_it() -> None:
    with pytest.raises(ValueError, match="at least 32"):
        FieldCipher.from_secret_key("too short")
    secret = generate_secret_key()
    assert secret not in repr(FieldCipher.from_secret_key(secret))


def test_ciphertexts_are_fresh_bound_to_their_field_and_tamper_evident() -> None:
    cipher = FieldCipher.from_secret_key(generate_secret_key())
    first, second = cipher.encrypt(RESIDENT_PHONE, PHONE), cipher.encrypt(RESIDENT_PHONE, PHONE)
    assert first != second
    assert cipher.decrypt(first, PHONE) == cipher.decrypt(second, PHONE) == RESIDENT_PHONE
    tampered = first[:-1] + bytes([first[-1] ^ 1])
    for token, field in ((first, "id_number"), (tampered, PHONE), (b"\x02" + first[1:], PHONE)):
        with pytest.raises(UndecryptableValue):
            cipher.decrypt(token, field)


def test_the_lookup_hash_is_stable_keyed_and_per_field() -> None:
    secret = generate_secret_key()
    cipher, same = FieldCipher.from_secret_key(secret), FieldCipher.from_secret_key(secret)
    other = FieldCipher.from_secret_key(generate_secret_key())
    digest = cipher.lookup_hash(RESIDENT_PHONE, PHONE)
    assert digest == same.lookup_hash(RESIDENT_PHONE, PHONE)
    assert len(digest) == 64
    assert digest != other.lookup_hash(RESIDENT_PHONE, PHONE)
    assert digest != cipher.lookup_hash(RESIDENT_PHONE, "id_number")


def _typed_column(name: str, value: Any) -> sa.ColumnClause[Any]:
    """A column of a plain ``sa.table`` typed for its value, as revision 0001 created it."""
    if isinstance(value, UUID):
        return sa.column(name, sa.Uuid())
    if isinstance(value, datetime):
        return sa.column(name, sa.DateTime(timezone=True))
    return sa.column(name)


@pytest.fixture(params=["sqlite", "postgresql"])
def database_at_0001(request: pytest.FixtureRequest, tmp_path: Path) -> URL:
    if request.param == "sqlite":
        url = sqlite_url(tmp_path / "old" / "estate.db")
    else:
        url = request.getfixturevalue("postgresql_empty")
    upgrade(url, "0001")
    return url


def test_the_migration_encrypts_existing_phones_and_the_downgrade_restores_them(
    database_at_0001: URL, mapped: None, personal_data_key: FieldCipher
) -> None:
    tenant_id, resident_id, household_id, property_id = new_id(), new_id(), new_id(), new_id()
    rows = {
        "residents": {
            "tenant_id": tenant_id,
            "id": resident_id,
            "phone": RESIDENT_PHONE,
            "name": "老住户",
            "disabled": False,
            "created_at": AT,
            "version": 1,
        },
        "properties": {
            "tenant_id": tenant_id,
            "id": property_id,
            "community_id": new_id(),
            "kind": "residence",
            "building": "1",
            "unit": "1",
            "room": "101",
            "area": 90,
            "version": 1,
        },
        "households": {
            "tenant_id": tenant_id,
            "id": household_id,
            "community_id": new_id(),
            "property_id": property_id,
            "version": 1,
        },
        "household_members": {
            "tenant_id": tenant_id,
            "household_id": household_id,
            "resident_id": resident_id,
            "role": "owner",
            "since": AT,
        },
    }
    engine = make_engine(database_at_0001)
    try:
        with engine.begin() as connection:
            for name, row in rows.items():
                columns = [_typed_column(key, value) for key, value in row.items()]
                connection.execute(sa.table(name, *columns).insert().values(**row))
        upgrade(database_at_0001, "0002")
        (row,) = _raw_rows(engine, "residents")
        assert "phone" not in row
        assert row["phone_hmac"] == personal_data_key.lookup_hash(RESIDENT_PHONE, PHONE)
        sessions = make_session_factory(engine)
        with SqlAlchemyUnitOfWork(sessions, tenant_id) as uow:
            found = uow.residents.find_by_phone(RESIDENT_PHONE)
            assert found is not None
            assert (found.id, found.name, found.phone) == (resident_id, "老住户", RESIDENT_PHONE)
        command.downgrade(alembic_config(database_at_0001), "0001")
        (row,) = _raw_rows(engine, "residents")
        assert row["phone"] == RESIDENT_PHONE
        assert len(_raw_rows(engine, "household_members")) == 1
    finally:
        engine.dispose()
