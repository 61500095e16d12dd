"""SQLAlchemy persistence: SQLite file by default, PostgreSQL in production (DESIGN.md §5, §7).

Bootstrap::

    from adapters.persistence.sqlalchemy import (
        SqlAlchemyUnitOfWork, make_engine, make_session_factory, start_mappers, upgrade,
    )

    upgrade()                      # `estate db upgrade`: create or migrate the database
    start_mappers()                # once per process
    sessions = make_session_factory(make_engine())
    uow = SqlAlchemyUnitOfWork(sessions, tenant_id, clock)

Layout: ``metadata.py`` (naming convention, tenancy helpers), ``types.py`` (money, UTC times,
decimals, enums), ``tables/`` and ``mapping/`` and ``repositories/`` (one module per bounded
context), ``unit_of_work.py`` (transaction and outbox), ``errors.py`` (database errors as
domain errors), ``engine.py`` (configuration, SQLite pragmas), ``migrate.py`` and
``migrations/`` (Alembic).
"""

from adapters.persistence.sqlalchemy.engine import (
    database_url,
    make_engine,
    make_session_factory,
)
from adapters.persistence.sqlalchemy.mapping import clear_mappers, start_mappers
from adapters.persistence.sqlalchemy.migrate import upgrade
from adapters.persistence.sqlalchemy.tables import metadata
from adapters.persistence.sqlalchemy.unit_of_work import SqlAlchemyUnitOfWork

__all__ = [
    "SqlAlchemyUnitOfWork",
    "clear_mappers",
    "database_url",
    "make_engine",
    "make_session_factory",
    "metadata",
    "start_mappers",
    "upgrade",
]
