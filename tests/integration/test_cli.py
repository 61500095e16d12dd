"""The `estate` command: the demo runs end to end, and `db upgrade` creates the database."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa

from entrypoints.bootstrap import bootstrap_in_memory
from entrypoints.demo import run_demo
from estate_core.shared.clock import FixedClock


def test_demo_walks_through_binding_billing_payment_and_repair() -> None:
    lines: list[str] = []
    estate = bootstrap_in_memory(clock=FixedClock(datetime(2026, 11, 22, 2, 0, tzinfo=UTC)))
    run_demo(estate, lines.append)
    text = "\n".join(lines)
    assert "3 bills issued" in text
    assert "0 new, 3 already there" in text
    assert "¥250.60 for 89.50 m²" in text
    assert "first notification settled, the duplicate already_settled" in text
    assert "payment.amount_mismatch" in text
    assert "accepted, completed, rated 5★" in text


def test_cli_demo_loads_the_sqlite_database_once(tmp_path: Path) -> None:
    env = {"ESTATE_DATA_DIR": str(tmp_path / "var"), "PATH": "/usr/bin:/bin"}
    command = [sys.executable, "-m", "entrypoints.cli", "demo"]
    first = subprocess.run(command, env=env, capture_output=True, text=True, check=True)
    assert "1. Opened the property company" in first.stdout
    assert "rated 5★" in first.stdout
    second = subprocess.run(command, env=env, capture_output=True, text=True, check=True)
    assert "already loaded" in second.stdout
    assert "13800138001" in second.stdout


def test_db_upgrade_creates_the_sqlite_database_in_the_data_directory(tmp_path: Path) -> None:
    env = {"ESTATE_DATA_DIR": str(tmp_path / "var"), "PATH": "/usr/bin:/bin"}
    subprocess.run(
        [sys.executable, "-m", "entrypoints.cli", "db", "upgrade"],
        env=env,
        check=True,
        capture_output=True,
        timeout=120,
    )
    database = tmp_path / "var" / "estate.db"
    tables = sa.inspect(sa.create_engine(f"sqlite:///{database}")).get_table_names()
    assert {"residents", "properties", "households", "outbox"} <= set(tables)
    assert (tmp_path / "var" / "secret_key").stat().st_mode & 0o777 == 0o600


def test_embedding_example_runs() -> None:
    example = Path(__file__).parents[2] / "docs" / "examples" / "embed_core.py"
    result = subprocess.run(
        [sys.executable, str(example)], capture_output=True, text=True, check=True, timeout=120
    )
    assert "collected ¥600.00 at the counter, receipt RC-2026-000001" in result.stdout
