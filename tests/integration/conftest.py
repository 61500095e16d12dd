"""Fixtures for the integration tests: real SQLite files and a real PostgreSQL 15 server.

The PostgreSQL server is started by the tests themselves from the installed binaries
(``/usr/lib/postgresql/15/bin``, or ``ESTATE_PG_BIN``) and lives for the test session only:
``initdb`` into a temporary directory, ``pg_ctl start`` on a free loopback port, ``pg_ctl stop -m
fast`` at the end. PostgreSQL refuses to run as root, so under root the binaries run as the
``postgres`` user (``runuser``), which the Debian package creates.

Every test gets an empty database already migrated to head. The migrations run once per
session: on PostgreSQL into one database (created and dropped by pytest-postgresql's
``DatabaseJanitor``) whose rows each test deletes when it ends; on SQLite into a template file
that each test copies. Migration tests get a new empty database of their own.
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from uuid import UUID

import pytest
import sqlalchemy as sa
from persistence_samples import Backend, sqlite_url
from pytest_postgresql.executors import NoopExecutor
from pytest_postgresql.janitor import DatabaseJanitor
from sqlalchemy.engine import URL, Engine
from sqlalchemy.orm import Session, sessionmaker

from adapters.persistence.memory import InMemoryStore, InMemoryUnitOfWork
from adapters.persistence.sqlalchemy import (
    SqlAlchemyUnitOfWork,
    make_engine,
    make_session_factory,
    metadata,
    start_mappers,
    upgrade,
)
from adapters.persistence.sqlalchemy.personal_data import (
    FieldCipher,
    configure_personal_data,
    generate_secret_key,
)
from adapters.persistence.sqlalchemy.tables.outbox import outbox
from estate_core.shared.clock import FixedClock
from estate_core.shared.events import OutboxMessage
from estate_core.shared.ids import new_id

PG_BIN = Path(os.environ.get("ESTATE_PG_BIN", "/usr/lib/postgresql/15/bin"))
PG_USER = "postgres"
PG_HOST = "127.0.0.1"


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((PG_HOST, 0))
        port: int = probe.getsockname()[1]
        return port


def _as_postgres(command: list[str]) -> list[str]:
    """PostgreSQL's binaries refuse root: under root, run them as the postgres user."""
    if os.geteuid() == 0:
        return ["runuser", "-u", PG_USER, "--", *command]
    return command


def _run(command: list[str]) -> None:
    done = subprocess.run(_as_postgres(command), capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed:\n{done.stdout}\n{done.stderr}")


@pytest.fixture(scope="session")
def postgresql_server() -> Iterator[NoopExecutor]:
    """A PostgreSQL 15 server for this test session, on a free port of 127.0.0.1."""
    if not (PG_BIN / "pg_ctl").exists():
        pytest.fail(
            f"PostgreSQL 15 server binaries not found in {PG_BIN}: install them with "
            "`apt-get install postgresql-15` (or set ESTATE_PG_BIN to their directory)",
            pytrace=False,
        )
    if os.geteuid() == 0:
        try:
            account = pwd.getpwnam(PG_USER)
        except KeyError:
            pytest.fail(
                "running as root needs the `postgres` user that `apt-get install "
                "postgresql-15` creates",
                pytrace=False,
            )
    base = Path(tempfile.mkdtemp(prefix="estate-pg-"))
    if os.geteuid() == 0:
        os.chown(base, account.pw_uid, account.pw_gid)
    data, port, pg_ctl = base / "data", _free_port(), str(PG_BIN / "pg_ctl")
    options = (
        f"-k {base} -p {port} -c listen_addresses={PG_HOST} -c fsync=off "
        "-c synchronous_commit=off -c full_page_writes=off"
    )
    started = False
    try:
        _run(
            [
                str(PG_BIN / "initdb"),
                "-D",
                str(data),
                "-A",
                "trust",
                "-U",
                PG_USER,
                "-E",
                "UTF8",
                "-N",
            ]
        )
        _run([pg_ctl, "-D", str(data), "-o", options, "-l", str(base / "log"), "-w", "start"])
        started = True
        yield NoopExecutor(host=PG_HOST, port=port, user=PG_USER, options="", dbname="estate")
    finally:
        if started:
            _run([pg_ctl, "-D", str(data), "-m", "fast", "-w", "stop"])
        shutil.rmtree(base, ignore_errors=True)


def postgresql_url(server: NoopExecutor, dbname: str) -> URL:
    return URL.create(
        "postgresql+psycopg",
        username=server.user,
        host=server.host,
        port=server.port,
        database=dbname,
    )


@pytest.fixture
def postgresql_empty(postgresql_server: NoopExecutor) -> Iterator[URL]:
    """A new, empty database (no tables), dropped after the test."""
    with DatabaseJanitor(
        user=postgresql_server.user,
        host=postgresql_server.host,
        port=postgresql_server.port,
        dbname="estate_empty",
    ):
        yield postgresql_url(postgresql_server, "estate_empty")


@pytest.fixture(scope="session")
def postgresql_migrated(postgresql_server: NoopExecutor) -> Iterator[URL]:
    """One database migrated to head for the session; each test leaves it empty."""
    with DatabaseJanitor(
        user=postgresql_server.user,
        host=postgresql_server.host,
        port=postgresql_server.port,
        dbname="estate_test",
    ):
        url = postgresql_url(postgresql_server, "estate_test")
        upgrade(url)
        yield url


@pytest.fixture
def postgresql_database(postgresql_migrated: URL) -> Iterator[URL]:
    """The migrated database, emptied after the test.

    Cloning a template database per test costs about 0.6 s here (CREATE DATABASE copies the
    whole catalog); deleting the few rows a test wrote costs milliseconds. A test's engines are
    disposed before this runs (they depend on this fixture), so nothing holds a lock.
    """
    yield postgresql_migrated
    _empty_tables(postgresql_migrated)


def _empty_tables(url: URL) -> None:
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    try:
        with engine.begin() as connection:
            for table in reversed(metadata.sorted_tables):
                connection.execute(table.delete())
    finally:
        engine.dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("sqlite-template") / "estate.db"
    upgrade(sqlite_url(path))
    return path


@pytest.fixture
def sqlite_database(sqlite_template: Path, tmp_path: Path) -> URL:
    """A migrated SQLite file of this test's own."""
    path = tmp_path / "estate.db"
    shutil.copyfile(sqlite_template, path)
    return sqlite_url(path)


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request: pytest.FixtureRequest) -> URL:
    """A fresh migrated database on each SQL backend."""
    url: URL = request.getfixturevalue(f"{request.param}_database")
    return url


@pytest.fixture(scope="session", autouse=True)
def personal_data_key() -> Iterator[FieldCipher]:
    """A key generated for this session, as ``ESTATE_SECRET_KEY`` gives one at start-up."""
    cipher = FieldCipher.from_secret_key(generate_secret_key())
    configure_personal_data(cipher)
    yield cipher
    configure_personal_data(None)


@pytest.fixture
def mapped() -> None:
    """The aggregates mapped for this test. Mapping costs a few hundred milliseconds, so it
    stays in place for the following SQL tests; tests/conftest.py unmaps before any test that
    does not ask for it (the in-memory store needs the plain classes)."""
    start_mappers()


@pytest.fixture
def engine(database: URL, mapped: None) -> Iterator[Engine]:
    engine = make_engine(database)
    yield engine
    engine.dispose()


@pytest.fixture
def session_factory(engine: Engine) -> sessionmaker[Session]:
    return make_session_factory(engine)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(datetime(2026, 3, 15, 2, 0, tzinfo=UTC))


@pytest.fixture
def tenant_id() -> UUID:
    return new_id()


@pytest.fixture
def make_uow(
    session_factory: sessionmaker[Session], clock: FixedClock
) -> Callable[[UUID], SqlAlchemyUnitOfWork]:
    return lambda tenant: SqlAlchemyUnitOfWork(session_factory, tenant, clock)


def _read_outbox(engine: Engine) -> list[OutboxMessage]:
    with engine.connect() as connection:
        rows = connection.execute(sa.select(outbox).order_by(outbox.c.occurred_at, outbox.c.id))
        return [
            OutboxMessage(
                id=row.id,
                tenant_id=row.tenant_id,
                event_name=row.event_name,
                payload=row.payload,
                occurred_at=row.occurred_at,
            )
            for row in rows
        ]


def _backend(request: pytest.FixtureRequest, clock: FixedClock) -> Iterator[Backend]:
    name = request.param
    if name == "memory":
        store = InMemoryStore()
        yield Backend(
            name, lambda tenant: InMemoryUnitOfWork(store, tenant, clock), lambda: store.outbox
        )
        return
    request.getfixturevalue("mapped")
    engine = make_engine(request.getfixturevalue(f"{name}_database"))
    factory = make_session_factory(engine)
    try:
        yield Backend(
            name,
            lambda tenant: SqlAlchemyUnitOfWork(factory, tenant, clock),
            lambda: _read_outbox(engine),
        )
    finally:
        engine.dispose()


@pytest.fixture(params=["memory", "sqlite", "postgresql"])
def backend(request: pytest.FixtureRequest, clock: FixedClock) -> Iterator[Backend]:
    """The same repositories on dicts, on a SQLite file and on PostgreSQL."""
    yield from _backend(request, clock)


@pytest.fixture(params=["memory", "postgresql"])
def interleaving_backend(request: pytest.FixtureRequest, clock: FixedClock) -> Iterator[Backend]:
    """The backends where two open units of work may both read the same row, then write.

    Not SQLite: there every unit of work begins with ``BEGIN IMMEDIATE``, so a second writer
    waits for the first to finish (tests/integration/test_sqlalchemy_unit_of_work.py) and
    two interleaved units of work in one thread would wait for each other.
    """
    yield from _backend(request, clock)
