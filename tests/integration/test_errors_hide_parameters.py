"""A failed write never prints its bound parameters (issue 15): an owner's name or a phone's
ciphertext must not reach stderr or a log through a database error's message."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import URL, Engine

from adapters.persistence.sqlalchemy import make_engine
from adapters.persistence.sqlalchemy.tables.properties import properties
from estate_core.shared.ids import new_id

OWNER_NAME = "欧阳秘密业主"
PHONE = "13912345678"


@pytest.fixture
def postgresql_engine(postgresql_database: URL) -> Iterator[Engine]:
    engine = make_engine(postgresql_database)
    yield engine
    engine.dispose()


def test_a_value_too_long_for_its_column_fails_without_printing_the_row(
    postgresql_engine: Engine,
) -> None:
    tenant_id = new_id()
    row = {
        "tenant_id": tenant_id,
        "id": new_id(),
        "community_id": new_id(),
        "kind": "residence",
        "building": "楼" * 41,
        "unit": "1",
        "room": "101",
        "area": Decimal("88.00"),
        "owner_name": OWNER_NAME,
        "owner_phone_ciphertext": PHONE,
        "version": 1,
    }
    with pytest.raises(sa.exc.DBAPIError) as raised, postgresql_engine.begin() as connection:
        connection.execute(properties.insert(), row)
    message = str(raised.value)
    assert "value too long" in message
    assert OWNER_NAME not in message
    assert PHONE not in message
    assert "\\x01" not in message
    assert "parameters hidden" in message
