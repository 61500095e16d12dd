"""Alembic environment: estate's metadata, its engine set-up, batch mode for SQLite.

Autogenerate renders the application's column types as the plain SQLAlchemy types they store
(``UtcDateTime`` as ``sa.DateTime(timezone=True)``, an enum as ``sa.String(n)``...), so a
migration never imports application code; write the enum's and money's CHECK constraints by
hand, as revision 0001 does.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import context
from alembic.autogenerate.api import AutogenContext

from adapters.persistence.sqlalchemy import types
from adapters.persistence.sqlalchemy.engine import database_url, make_engine, normalize_url
from adapters.persistence.sqlalchemy.tables import metadata

config = context.config
url = config.attributes.get("estate_url") or normalize_url(database_url())


def render_item(kind: str, obj: Any, autogen_context: AutogenContext) -> str | bool:
    if kind != "type":
        return False
    if isinstance(obj, types.UtcDateTime):
        return "sa.DateTime(timezone=True)"
    if isinstance(obj, types.MoneyType):
        return "sa.BigInteger()"
    if isinstance(obj, types.ExactDecimal):
        return f"sa.Numeric({obj.precision}, {obj.scale})"
    if isinstance(obj, sa.Enum):
        return f"sa.String({obj.length})"
    rendered: str | None = getattr(obj, "alembic_render", None)
    if rendered is not None:
        return rendered
    return False


def _options() -> dict[str, Any]:
    return {
        "target_metadata": metadata,
        "render_as_batch": True,
        "compare_type": True,
        "compare_server_default": True,
        "render_item": render_item,
    }


def run_offline() -> None:
    context.configure(url=url, literal_binds=True, **_options())
    with context.begin_transaction():
        context.run_migrations()


def _sqlite_foreign_keys_off(connection: sa.Connection) -> None:
    """SQLite's way to alter a referenced table (https://sqlite.org/lang_altertable.html).

    Batch mode copies the table, drops it and renames the copy; with foreign keys on, the drop
    counts every row referring to it as a violation and the commit fails. So: foreign keys off
    before the transaction begins (inside one the PRAGMA does nothing), migrate, then
    :func:`_sqlite_check_foreign_keys` before committing. The engine is the migration's own.
    """
    driver = connection.connection.dbapi_connection
    if driver is None:
        raise RuntimeError("the migration connection is closed")
    cursor = driver.cursor()
    try:
        cursor.execute("PRAGMA foreign_keys = OFF")
    finally:
        cursor.close()


def _sqlite_check_foreign_keys(connection: sa.Connection) -> None:
    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").all()
    if broken:
        raise RuntimeError(f"the migration left rows referring to nothing: {broken[:5]}")


def run_online() -> None:
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            sqlite = connection.dialect.name == "sqlite"
            if sqlite:
                _sqlite_foreign_keys_off(connection)
            context.configure(connection=connection, **_options())
            with context.begin_transaction():
                context.run_migrations()
                if sqlite:
                    _sqlite_check_foreign_keys(connection)
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_offline()
else:
    run_online()
