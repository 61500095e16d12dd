"""Engines and sessions from configuration (DESIGN.md §10).

``ESTATE_DATABASE_URL`` chooses the database; without it estate uses the SQLite file
``estate.db`` in ``ESTATE_DATA_DIR`` (default ``./var``), created on first use.

SQLite runs in WAL mode (readers never block the writer), with foreign keys enforced and a busy
timeout, and every transaction starts with ``BEGIN IMMEDIATE``: it takes the write lock at the
start, so concurrent writers queue one after another instead of failing half-way when a read
turns into a write. Pass ``execution_options(sqlite_deferred=True)`` for a read-only
connection that should not queue behind writers.

Bound parameters never appear in an error message or a log (``hide_parameters``): a failed
write would otherwise print an owner's name or a phone's ciphertext to stderr.

PostgreSQL is reached through psycopg 3; ``postgresql://`` and ``postgres://`` URLs are
taken to mean ``postgresql+psycopg://``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import URL, Engine, make_url
from sqlalchemy.orm import Session, sessionmaker

DEFAULT_DATA_DIR = "./var"
SQLITE_FILE = "estate.db"
SQLITE_BUSY_TIMEOUT_MS = 30_000


def database_url(environ: Mapping[str, str] | None = None) -> str:
    """The configured database URL, or the default SQLite file in the data directory."""
    env = os.environ if environ is None else environ
    configured = env.get("ESTATE_DATABASE_URL", "").strip()
    if configured:
        return configured
    data_dir = Path(env.get("ESTATE_DATA_DIR", "").strip() or DEFAULT_DATA_DIR)
    return str(URL.create("sqlite+pysqlite", database=str((data_dir / SQLITE_FILE).resolve())))


class UnsupportedDatabase(sa.exc.ArgumentError):
    """A URL of a database other than PostgreSQL and SQLite, the two estate is tested on."""


def normalize_url(url: str | URL) -> URL:
    parsed = make_url(url)
    if parsed.get_backend_name() not in {"postgresql", "postgres", "sqlite"}:
        raise UnsupportedDatabase(
            f"estate runs on PostgreSQL and SQLite, not {parsed.get_backend_name()}"
        )
    if parsed.drivername in {"postgresql", "postgres"}:
        parsed = parsed.set(drivername="postgresql+psycopg")
    if parsed.drivername == "sqlite":
        parsed = parsed.set(drivername="sqlite+pysqlite")
    return parsed


def _sqlite_on_connect(dbapi_connection: Any, connection_record: Any) -> None:
    # The driver must not issue its own BEGIN: _sqlite_on_begin does.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.execute("PRAGMA foreign_keys = ON")
    finally:
        cursor.close()


def _sqlite_on_begin(connection: sa.Connection) -> None:
    deferred = connection.get_execution_options().get("sqlite_deferred", False)
    connection.exec_driver_sql("BEGIN" if deferred else "BEGIN IMMEDIATE")


def make_engine(url: str | URL | None = None, **kwargs: Any) -> Engine:
    """An engine for ``url`` (default: :func:`database_url`) set up as described above."""
    parsed = normalize_url(url if url is not None else database_url())
    kwargs.setdefault("hide_parameters", True)
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database or ""
        if database and database != ":memory:" and not database.startswith("file:"):
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        engine = sa.create_engine(parsed, **kwargs)
        sa.event.listen(engine, "connect", _sqlite_on_connect)
        sa.event.listen(engine, "begin", _sqlite_on_begin)
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    return sa.create_engine(parsed, **kwargs)


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions for the unit of work.

    ``expire_on_commit=False``: use cases read ids and values off aggregates after commit;
    ``autoflush=False``: repositories flush explicitly, inside the error translation.
    """
    return sessionmaker(bind=engine, expire_on_commit=False, autoflush=False)
