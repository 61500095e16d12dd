"""Worker processes against a real database: sharing a queue, a crash, a polite shutdown.

The tests synchronise with the processes through their pipes (a line the handler prints when
the job is in hand, a line on stdin that lets it finish), never by sleeping.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from uuid import UUID

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import URL
from worker_samples import SECRET_KEY, a_worker, outbox_rows, put_events, url_text

from adapters.persistence.sqlalchemy import make_engine
from adapters.persistence.sqlalchemy.inbox import SqlInbox
from adapters.persistence.sqlalchemy.personal_data import FieldCipher, configure_personal_data
from adapters.persistence.sqlalchemy.tables.worker import inbox_messages, message_deliveries
from estate_core.shared.clock import FixedClock, SystemClock
from estate_core.shared.ids import new_id
from world_builders import add_verified_resident

HERE = Path(__file__).parent
EVENTS = 10_000
LEASE_SECONDS = 600
"""Long enough that no slowness of a loaded machine lets the lease lapse before the test says."""


@pytest.fixture(autouse=True)
def _restore_personal_data_key(personal_data_key: FieldCipher) -> Iterator[None]:
    yield
    configure_personal_data(personal_data_key)


def _environment(url: URL, tmp_path: Path, **extra: str) -> dict[str, str]:
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "ESTATE_DATA_DIR": str(tmp_path / "var"),
        "ESTATE_DATABASE_URL": url_text(url),
        "ESTATE_SECRET_KEY": SECRET_KEY,
        "ESTATE_WORKER_IDLE_SECONDS": "0.05",
        **extra,
    }


def _coupon(resident_id: UUID) -> dict[str, str]:
    return {
        "coupon_id": str(new_id()),
        "campaign_id": str(new_id()),
        "resident_id": str(resident_id),
    }


def _job_lines(stderr: str) -> list[dict[str, object]]:
    lines = [json.loads(line) for line in stderr.splitlines() if line.startswith("{")]
    return [line for line in lines if line.get("event") == "job"]


def _count(url: URL, table: sa.Table) -> int:
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            return connection.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()
    finally:
        engine.dispose()


def test_two_workers_on_postgresql_handle_each_of_10000_events_exactly_once(
    postgresql_database: URL, mapped: None, tmp_path: Path
) -> None:
    tenant_id = new_id()
    ids = put_events(
        postgresql_database,
        tenant_id,
        "CouponClaimed",
        [_coupon(new_id()) for _ in range(EVENTS)],
        SystemClock().now() - timedelta(minutes=1),
    )
    env = _environment(postgresql_database, tmp_path, ESTATE_WORKER_BATCH="100")
    command = [sys.executable, "-m", "entrypoints.cli", "worker", "--until-idle"]
    workers = [
        subprocess.Popen(
            command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        for _ in range(2)
    ]
    results = [worker.communicate(timeout=600) for worker in workers]

    assert [worker.returncode for worker in workers] == [0, 0], [err[-2000:] for _, err in results]
    handled = [[line for line in _job_lines(err) if line["kind"] == "outbox"] for _, err in results]
    per_event = Counter(str(line["id"]) for lines in handled for line in lines)
    assert per_event == Counter({str(event_id): 1 for event_id in ids})
    assert {line["outcome"] for lines in handled for line in lines} == {"done"}
    rows = outbox_rows(postgresql_database)
    assert all(row["delivered_at"] is not None and row["attempts"] == 1 for row in rows.values())
    assert _count(postgresql_database, inbox_messages) == EVENTS
    print(f"events handled per worker: {[len(lines) for lines in handled]}")


def _start_holding_worker(url: URL, tmp_path: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, str(HERE / "worker_process.py")],
        env=_environment(url, tmp_path, ESTATE_WORKER_LEASE_SECONDS=str(LEASE_SECONDS)),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_a_worker_killed_mid_job_is_replaced_after_the_lease_and_the_message_goes_once(
    database: URL, mapped: None, tmp_path: Path
) -> None:
    tenant_id = new_id()
    clock = FixedClock(SystemClock().now())
    heir, console = a_worker(database, tmp_path, clock)
    with heir.estate.uow(tenant_id) as uow:
        resident = add_verified_resident(uow, clock, "13800000001")
        uow.commit()
    (event_id,) = put_events(
        database, tenant_id, "Hold", [_coupon(resident.resident_id)], SystemClock().now()
    )
    process = _start_holding_worker(database, tmp_path)
    assert process.stdout is not None
    pushed = process.stdout.readline()
    assert process.stdout.readline() == f"holding {event_id}\n"
    process.send_signal(signal.SIGKILL)
    process.communicate(timeout=60)
    assert process.returncode == -signal.SIGKILL
    assert pushed.startswith(f"message {event_id}:{resident.resident_id}:coupon.issued:")
    assert outbox_rows(database)[event_id]["delivered_at"] is None

    heir.runner.events["Hold"] = heir.runner.events["CouponClaimed"]
    clock.set(SystemClock().now())
    assert heir.runner.run_once() == 0, "the dead worker's lease still holds it"
    clock.advance(timedelta(seconds=LEASE_SECONDS + 1))
    assert heir.runner.run_once() == 1

    row = outbox_rows(database)[event_id]
    assert row["delivered_at"] is not None
    assert row["attempts"] == 2
    assert console.sent == [], "the push was recorded before the crash: not sent again"
    assert _count(database, message_deliveries) == 1
    inbox = SqlInbox(heir.queue.engine).messages(tenant_id, resident.resident_id, 10)
    assert [item.kind for item in inbox] == ["coupon.issued"]


def test_sigterm_lets_the_job_in_hand_finish_gives_back_the_rest_and_exits_0(
    database: URL, mapped: None, tmp_path: Path
) -> None:
    tenant_id = new_id()
    now = SystemClock().now()
    ids = put_events(database, tenant_id, "Hold", [_coupon(new_id()) for _ in range(3)], now)
    process = _start_holding_worker(database, tmp_path)
    assert process.stdout is not None
    assert process.stdin is not None
    holding = process.stdout.readline()
    assert holding.startswith("holding ")
    first = UUID(holding.split()[1])
    rest = set(ids) - {first}
    assert len(rest) == 2
    process.send_signal(signal.SIGTERM)
    process.stdin.write("finish\n")
    process.stdin.flush()
    _, stderr = process.communicate(timeout=60)

    assert process.returncode == 0, stderr[-2000:]
    rows = outbox_rows(database)
    assert rows[first]["delivered_at"] is not None
    for event_id in rest:
        assert rows[event_id]["delivered_at"] is None
        assert (rows[event_id]["locked_by"], rows[event_id]["attempts"]) == (None, 0)
    (line,) = _job_lines(stderr)
    assert (line["id"], line["outcome"], line["attempt"]) == (str(first), "done", 1)
    assert isinstance(line["duration_ms"], float)
