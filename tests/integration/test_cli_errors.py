"""The `estate` command answers operational errors with one sentence and a non-zero exit
(issue 15); `--debug` shows the traceback. A changed secret key is refused at start."""

from __future__ import annotations

import socket
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from adapters.persistence.sqlalchemy import database_url, upgrade
from adapters.persistence.sqlalchemy.migrate import SchemaNotCurrent, SchemaTooNew, require_current
from adapters.persistence.sqlalchemy.personal_data import (
    FieldCipher,
    configure_personal_data,
    generate_secret_key,
)
from entrypoints.bootstrap import bootstrap
from entrypoints.cli_errors import explain
from entrypoints.config import Settings

KEY = generate_secret_key()
OTHER_KEY = generate_secret_key()


def _estate(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "entrypoints.cli", *args]
    return subprocess.run(
        command, env={"PATH": "/usr/bin:/bin", **env}, capture_output=True, text=True, timeout=120
    )


def _one_sentence(result: subprocess.CompletedProcess[str]) -> str:
    """The error line of a refused command, checked to be one line and no traceback."""
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    [line] = [line for line in result.stderr.splitlines() if line.startswith("estate: ")]
    return line


@pytest.fixture
def var(tmp_path: Path) -> Path:
    return tmp_path / "var"


@pytest.fixture
def upgraded(var: Path) -> dict[str, str]:
    env = {"ESTATE_DATA_DIR": str(var), "ESTATE_SECRET_KEY": KEY}
    assert _estate(env, "db", "upgrade").returncode == 0
    return env


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_a_short_secret_key_is_refused_in_one_sentence(var: Path) -> None:
    line = _one_sentence(
        _estate({"ESTATE_DATA_DIR": str(var), "ESTATE_SECRET_KEY": "short"}, "demo")
    )
    assert "ESTATE_SECRET_KEY has 5 characters; it needs at least 32" in line


def test_debug_shows_the_traceback(var: Path) -> None:
    env = {"ESTATE_DATA_DIR": str(var), "ESTATE_SECRET_KEY": "short"}
    result = _estate(env, "--debug", "db", "upgrade")
    assert result.returncode != 0
    assert "Traceback" in result.stderr
    assert "ConfigurationError" in result.stderr


def test_a_damaged_secret_key_file_is_refused(var: Path) -> None:
    var.mkdir()
    (var / "secret_key").write_bytes(b"\xff\xfe not ascii")
    line = _one_sentence(_estate({"ESTATE_DATA_DIR": str(var)}, "db", "upgrade"))
    assert "cannot read the secret key file" in line


def test_a_data_directory_that_is_a_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / "var").write_text("not a directory")
    line = _one_sentence(_estate({"ESTATE_DATA_DIR": str(tmp_path / "var")}, "db", "upgrade"))
    assert "is a file, not a directory" in line


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("not a url", "is not a database URL"),
        ("mysql://estate@localhost/estate", "names a database estate cannot use"),
    ],
)
def test_a_malformed_or_unsupported_database_url_is_refused(var: Path, url: str, says: str) -> None:
    env = {"ESTATE_DATA_DIR": str(var), "ESTATE_SECRET_KEY": KEY, "ESTATE_DATABASE_URL": url}
    assert says in _one_sentence(_estate(env, "db", "upgrade"))


def test_an_unreachable_database_is_refused_without_its_password(var: Path) -> None:
    url = f"postgresql://estate:hunter2secret@127.0.0.1:{_closed_port()}/estate"
    env = {"ESTATE_DATA_DIR": str(var), "ESTATE_SECRET_KEY": KEY, "ESTATE_DATABASE_URL": url}
    result = _estate(env, "demo")
    line = _one_sentence(result)
    assert "cannot use the database" in line
    assert "hunter2secret" not in result.stderr + result.stdout


def test_a_missing_or_invalid_config_file_is_refused(tmp_path: Path) -> None:
    missing = _estate({"ESTATE_CONFIG": str(tmp_path / "estate.toml")}, "db", "upgrade")
    assert "cannot read the config file" in _one_sentence(missing)
    (tmp_path / "estate.toml").write_text("data_dir = [\n")
    invalid = _estate({"ESTATE_CONFIG": str(tmp_path / "estate.toml")}, "db", "upgrade")
    assert "is not valid TOML" in _one_sentence(invalid)


def test_a_file_that_is_not_a_database_is_refused(var: Path) -> None:
    var.mkdir()
    (var / "estate.db").write_bytes(b"this is a spreadsheet, not a database\n" * 200)
    env = {"ESTATE_DATA_DIR": str(var), "ESTATE_SECRET_KEY": KEY}
    assert "is not an SQLite database" in _one_sentence(_estate(env, "db", "upgrade"))


def test_a_database_at_a_newer_revision_is_refused_and_left_alone(
    var: Path, upgraded: dict[str, str]
) -> None:
    with sqlite3.connect(var / "estate.db") as connection:
        connection.execute("UPDATE alembic_version SET version_num = '9999_from_the_future'")
    line = _one_sentence(_estate(upgraded, "demo"))
    assert "schema revision 9999_from_the_future" in line
    with sqlite3.connect(var / "estate.db") as connection:
        assert connection.execute("SELECT count(*) FROM tenants").fetchone() == (0,)


def test_a_changed_secret_key_is_refused_at_start(var: Path, upgraded: dict[str, str]) -> None:
    line = _one_sentence(_estate({**upgraded, "ESTATE_SECRET_KEY": OTHER_KEY}, "demo"))
    assert "ESTATE_SECRET_KEY is not the key this database was written with" in line
    assert _estate(upgraded, "demo").returncode == 0


def test_a_database_from_before_the_fingerprint_is_checked_against_its_stored_phones(
    var: Path, upgraded: dict[str, str]
) -> None:
    assert _estate(upgraded, "demo").returncode == 0
    with sqlite3.connect(var / "estate.db") as connection:
        connection.execute("DELETE FROM key_fingerprints")
    refused = _estate({**upgraded, "ESTATE_SECRET_KEY": OTHER_KEY}, "demo")
    assert "not the key this database was written with" in _one_sentence(refused)
    again = _estate(upgraded, "demo")
    assert again.returncode == 0
    assert "already loaded" in again.stdout


def test_communities_lists_the_demo_community_with_its_id(upgraded: dict[str, str]) -> None:
    loaded = _estate(upgraded, "demo")
    [shown] = [line for line in loaded.stdout.splitlines() if "(community " in line]
    community_id = shown.split("(community ")[1][:36]
    listed = _estate(upgraded, "communities")
    assert listed.returncode == 0, listed.stderr
    assert f"  {community_id}  阳光花园" in listed.stdout


@pytest.fixture
def locked_database(tmp_path: Path) -> Iterator[Path]:
    """An SQLite file another connection holds the write lock of."""
    path = tmp_path / "estate.db"
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("CREATE TABLE t (x INTEGER)")
    holder.execute("BEGIN IMMEDIATE")
    yield path
    holder.execute("ROLLBACK")
    holder.close()


def test_a_database_locked_by_another_writer_is_explained_in_one_sentence(
    locked_database: Path,
) -> None:
    engine = sa.create_engine(f"sqlite:///{locked_database}", connect_args={"timeout": 0})
    try:
        with pytest.raises(sa.exc.OperationalError) as raised, engine.connect() as connection:
            connection.exec_driver_sql("BEGIN IMMEDIATE")
    finally:
        engine.dispose()
    sentence = explain(raised.value)
    assert sentence is not None
    assert sentence.startswith("the database is locked by another writer")


def test_a_bug_keeps_its_traceback() -> None:
    assert explain(ZeroDivisionError("division by zero")) is None


@pytest.fixture
def session_key_restored(personal_data_key: FieldCipher) -> Iterator[None]:
    """bootstrap() configures the process's personal-data key: give the session's back."""
    yield
    configure_personal_data(personal_data_key)


@pytest.mark.usefixtures("session_key_restored")
def test_bootstrap_refuses_a_database_that_is_not_at_the_latest_schema(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, database_url=None, secret_key=KEY)
    url = database_url(settings.environment())
    with pytest.raises(SchemaNotCurrent, match="at no schema"):
        bootstrap(settings)
    upgrade(url, "0007")
    with pytest.raises(SchemaNotCurrent, match="at schema revision 0007"):
        bootstrap(settings)
    upgrade(url)
    require_current(url)
    with sqlite3.connect(tmp_path / "estate.db") as connection:
        connection.execute("UPDATE alembic_version SET version_num = '9999_from_the_future'")
    with pytest.raises(SchemaTooNew):
        require_current(url)
