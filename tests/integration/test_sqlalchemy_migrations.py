"""The Alembic migrations build exactly the schema the models describe, on both backends."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from persistence_samples import sqlite_url
from sqlalchemy.engine import URL

from adapters.persistence.sqlalchemy import make_engine, metadata, upgrade
from adapters.persistence.sqlalchemy.migrate import alembic_config, check


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_database(request: pytest.FixtureRequest, tmp_path: Path) -> URL:
    if request.param == "sqlite":
        return sqlite_url(tmp_path / "fresh" / "estate.db")
    url: URL = request.getfixturevalue("postgresql_empty")
    return url


def _differences(url: URL) -> list[Any]:
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(
                connection, opts={"compare_type": True, "compare_server_default": True}
            )
            return list(compare_metadata(context, metadata))
    finally:
        engine.dispose()


def _check_constraints(url: URL) -> set[tuple[str, str]]:
    engine = make_engine(url)
    try:
        inspector = sa.inspect(engine)
        return {
            (table, str(check["name"]))
            for table in inspector.get_table_names()
            for check in inspector.get_check_constraints(table)
        }
    finally:
        engine.dispose()


def test_upgrading_a_new_database_to_head_matches_the_models(empty_database: URL) -> None:
    upgrade(empty_database)
    assert _differences(empty_database) == []
    check(empty_database)


def test_upgrade_is_idempotent_and_downgrade_to_base_removes_every_table(
    empty_database: URL,
) -> None:
    upgrade(empty_database)
    upgrade(empty_database)
    command.downgrade(alembic_config(empty_database), "base")
    engine = make_engine(empty_database)
    try:
        assert set(sa.inspect(engine).get_table_names()) <= {"alembic_version"}
    finally:
        engine.dispose()
    upgrade(empty_database)
    assert _differences(empty_database) == []


def test_hand_written_check_constraints_are_the_models_check_constraints(
    empty_database: URL,
) -> None:
    upgrade(empty_database)
    expected = {
        (table.name, str(constraint.name))
        for table in metadata.tables.values()
        for constraint in table.constraints
        if isinstance(constraint, sa.CheckConstraint)
    }
    assert ("properties", "ck_properties_kind") in expected
    assert _check_constraints(empty_database) == expected
