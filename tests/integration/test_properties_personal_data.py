"""The owner-of-record phone of a property is encrypted at rest (revision 0007)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from alembic import command
from persistence_samples import sqlite_url
from sqlalchemy.engine import URL, Engine

from adapters.persistence.sqlalchemy import (
    SqlAlchemyUnitOfWork,
    make_engine,
    make_session_factory,
    upgrade,
)
from adapters.persistence.sqlalchemy.migrate import alembic_config
from adapters.persistence.sqlalchemy.personal_data import PHONE, FieldCipher
from estate_core.properties.model import OwnerOfRecord, Property, PropertyKind
from estate_core.shared.ids import new_id

OWNER_PHONE = "13812345678"


def _raw_properties(engine: Engine) -> list[dict[str, Any]]:
    with engine.connect().execution_options(sqlite_deferred=True) as connection:
        rows = connection.exec_driver_sql("SELECT * FROM properties").mappings()
        return [dict(row) for row in rows]


@pytest.fixture(params=["sqlite", "postgresql"])
def database_at_0006(request: pytest.FixtureRequest, tmp_path: Path) -> URL:
    if request.param == "sqlite":
        url = sqlite_url(tmp_path / "old" / "estate.db")
    else:
        url = request.getfixturevalue("postgresql_empty")
    upgrade(url, "0006")
    return url


def test_the_owner_phone_is_stored_encrypted_and_read_back(
    database: URL, mapped: None, personal_data_key: FieldCipher
) -> None:
    tenant_id = new_id()
    prop = Property(
        id=new_id(),
        tenant_id=tenant_id,
        community_id=new_id(),
        kind=PropertyKind.RESIDENCE,
        building="1",
        unit="1",
        room="101",
        area=Decimal("90.00"),
        owner_of_record=OwnerOfRecord(name="张三", phone=OWNER_PHONE),
    )
    engine = make_engine(database)
    try:
        sessions = make_session_factory(engine)
        with SqlAlchemyUnitOfWork(sessions, tenant_id) as uow:
            uow.properties.add(prop)
            uow.commit()
        (row,) = _raw_properties(engine)
        assert OWNER_PHONE.encode() not in bytes(row["owner_phone_ciphertext"])
        assert all(OWNER_PHONE not in str(value) for value in row.values())
        with SqlAlchemyUnitOfWork(sessions, tenant_id) as uow:
            loaded = uow.properties.get(prop.id).owner_of_record
        assert loaded == OwnerOfRecord(name="张三", phone=OWNER_PHONE)
    finally:
        engine.dispose()


def test_the_migration_encrypts_existing_owner_phones_and_the_downgrade_restores_them(
    database_at_0006: URL, personal_data_key: FieldCipher
) -> None:
    row = {
        "tenant_id": new_id(),
        "id": new_id(),
        "community_id": new_id(),
        "kind": "residence",
        "building": "1",
        "unit": "1",
        "room": "101",
        "area": 90,
        "owner_name": "张三",
        "owner_phone": OWNER_PHONE,
        "version": 1,
    }
    engine = make_engine(database_at_0006)
    try:
        columns = [
            sa.column(name, sa.Uuid()) if name.endswith("id") else sa.column(name) for name in row
        ]
        with engine.begin() as connection:
            connection.execute(sa.table("properties", *columns).insert().values(**row))
        upgrade(database_at_0006, "0007")
        (encrypted,) = _raw_properties(engine)
        assert "owner_phone" not in encrypted
        ciphertext = bytes(encrypted["owner_phone_ciphertext"])
        assert personal_data_key.decrypt(ciphertext, PHONE) == OWNER_PHONE
        command.downgrade(alembic_config(database_at_0006), "0006")
        (restored,) = _raw_properties(engine)
        assert restored["owner_phone"] == OWNER_PHONE
        assert "owner_phone_ciphertext" not in restored
    finally:
        engine.dispose()
