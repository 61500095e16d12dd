"""Column types and CHECK constraints keep the domain's value rules on both backends."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import URL, Engine
from sqlalchemy.exc import IntegrityError, StatementError

from adapters.persistence.sqlalchemy import make_engine
from adapters.persistence.sqlalchemy.types import ExactDecimal, MoneyType, UtcDateTime
from estate_core.shared.ids import new_id
from estate_core.shared.money import Money

samples_metadata = sa.MetaData()
samples = sa.Table(
    "type_samples",
    samples_metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("amount", MoneyType()),
    sa.Column("at", UtcDateTime()),
    sa.Column("rate", ExactDecimal(12, 4)),
)


@pytest.fixture
def scratch(database: URL) -> Iterator[Engine]:
    engine = make_engine(database)
    samples_metadata.create_all(engine)
    yield engine
    samples_metadata.drop_all(engine)
    engine.dispose()


def _round_trip(engine: Engine, **values: Any) -> Any:
    with engine.begin() as connection:
        connection.execute(samples.delete())
        connection.execute(samples.insert().values(id=1, **values))
        return connection.execute(sa.select(samples)).one()


def test_money_is_stored_as_whole_fen_and_read_back_as_money(scratch: Engine) -> None:
    for amount in (Money(0), Money(-1), Money(12_345), Money(9_000_000_000_000_000)):
        assert _round_trip(scratch, amount=amount).amount == amount


def test_a_money_column_refuses_a_plain_number(scratch: Engine) -> None:
    with pytest.raises(StatementError, match="takes Money"):
        _round_trip(scratch, amount=12.5)


def test_times_come_back_as_the_same_instant_in_utc(scratch: Engine) -> None:
    beijing = timezone(timedelta(hours=8))
    at = datetime(2026, 3, 15, 10, 30, 15, 123456, tzinfo=beijing)
    loaded = _round_trip(scratch, at=at).at
    assert loaded == at
    assert loaded.tzinfo is UTC
    assert loaded.hour == 2


def test_a_naive_time_is_refused_rather_than_guessed(scratch: Engine) -> None:
    with pytest.raises(StatementError, match="naive"):
        _round_trip(scratch, at=datetime(2026, 3, 15, 10, 30))  # noqa: DTZ001


def test_decimals_come_back_exact(scratch: Engine) -> None:
    for rate in (Decimal("0.0001"), Decimal("12345678.9999"), Decimal("-3.5000")):
        loaded = _round_trip(scratch, rate=rate).rate
        assert isinstance(loaded, Decimal)
        assert loaded == rate
        assert loaded.as_tuple().exponent == -4


def test_a_decimal_is_never_rounded_by_the_database(scratch: Engine) -> None:
    with pytest.raises(StatementError, match="more than 4 decimals"):
        _round_trip(scratch, rate=Decimal("0.00005"))
    with pytest.raises(StatementError, match="does not fit"):
        _round_trip(scratch, rate=Decimal("123456789"))


def _raw_property(**overrides: str) -> dict[str, Any]:
    """A properties row as plain driver values: what a caller bypassing the types writes."""
    row: dict[str, Any] = {
        "tenant_id": str(new_id()),
        "id": str(new_id()),
        "community_id": str(new_id()),
        "kind": "residence",
        "building": "1",
        "unit": "1",
        "room": "101",
        "area": "80.00",
        "owner_name": None,
        "owner_phone_ciphertext": None,
        "version": 1,
    }
    return row | overrides


@pytest.mark.parametrize(
    ("overrides", "constraint"),
    [
        ({"kind": "castle"}, "ck_properties_kind"),
        ({"area": "-0.01"}, "ck_properties_area_non_negative"),
        ({"owner_name": "张三"}, "ck_properties_owner_of_record_complete"),
    ],
    ids=["unknown-kind", "negative-area", "owner-without-phone"],
)
def test_check_constraints_refuse_rows_a_buggy_caller_writes(
    database: URL, overrides: dict[str, str], constraint: str
) -> None:
    row = _raw_property(**overrides)
    insert = sa.text(
        f"INSERT INTO properties ({', '.join(row)}) VALUES ({', '.join(':' + c for c in row)})"
    )
    engine = make_engine(database)
    try:
        with engine.begin() as connection:
            connection.execute(insert, _raw_property())
        with pytest.raises(IntegrityError, match=constraint), engine.begin() as connection:
            connection.execute(insert, row)
    finally:
        engine.dispose()
