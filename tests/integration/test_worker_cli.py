"""`estate jobs list|retry|stats`: the operator sees a dead letter, sends it back, and the
queue's figures follow."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import attrs
import pytest
from sqlalchemy.engine import URL
from worker_samples import FAST, SECRET_KEY, a_worker, outbox_rows, put_events, url_text

from adapters.persistence.sqlalchemy.personal_data import FieldCipher, configure_personal_data
from entrypoints.worker.runner import JobContext
from estate_core.shared.clock import FixedClock
from estate_core.shared.ids import new_id
from estate_core.shared.jobs import RetryPolicy

NOW = datetime(2026, 3, 15, 2, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _restore_personal_data_key(personal_data_key: FieldCipher) -> Iterator[None]:
    yield
    configure_personal_data(personal_data_key)


def _estate(url: URL, tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "ESTATE_DATA_DIR": str(tmp_path / "var"),
        "ESTATE_DATABASE_URL": url_text(url),
        "ESTATE_SECRET_KEY": SECRET_KEY,
    }
    return subprocess.run(
        [sys.executable, "-m", "entrypoints.cli", "jobs", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _fail(context: JobContext) -> None:
    raise RuntimeError("template not approved")


def test_the_operator_lists_and_retries_a_dead_letter(
    sqlite_database: URL, mapped: None, tmp_path: Path
) -> None:
    tenant_id = new_id()
    (event_id,) = put_events(sqlite_database, tenant_id, "Boom", [{}], NOW)
    clock = FixedClock(NOW)
    once = attrs.evolve(FAST, retry=RetryPolicy(max_attempts=1))
    worker, _ = a_worker(sqlite_database, tmp_path, clock, events={"Boom": _fail}, settings=once)
    assert worker.runner.run_once() == 1

    listed = _estate(sqlite_database, tmp_path, "list")
    assert listed.returncode == 0, listed.stderr
    (line,) = listed.stdout.splitlines()
    assert line.split("\t")[:4] == ["outbox", str(tenant_id), str(event_id), "Boom"]
    assert line.endswith("RuntimeError: template not approved")
    assert json.loads(_estate(sqlite_database, tmp_path, "stats").stdout)["dead_letters"] == 1

    retry = ["retry", "outbox", str(event_id), "--tenant"]
    assert _estate(sqlite_database, tmp_path, *retry, str(new_id())).returncode == 1
    retried = _estate(sqlite_database, tmp_path, *retry, str(tenant_id))
    assert retried.returncode == 0, retried.stderr
    row = outbox_rows(sqlite_database)[event_id]
    assert (row["dead_at"], row["attempts"]) == (None, 0)
    assert json.loads(_estate(sqlite_database, tmp_path, "stats").stdout)["depth"] == 1
