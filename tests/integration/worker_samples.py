"""Building a worker over a test database, and filling its outbox."""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.engine import URL

from adapters.messaging.console import ConsoleChannel
from adapters.persistence.sqlalchemy import make_engine
from adapters.persistence.sqlalchemy.tables.outbox import outbox
from entrypoints.config import Settings
from entrypoints.worker.compose import Worker, build_worker
from entrypoints.worker.config import WorkerConfig
from entrypoints.worker.runner import Handler, WorkerSettings
from estate_core.shared.clock import FixedClock
from estate_core.shared.ids import new_id
from estate_core.shared.jobs import RetryPolicy
from estate_core.shared.messaging import MessageChannel

SECRET_KEY = "worker tests: a secret key long enough for the key derivation"

FAST = WorkerSettings(
    batch=20,
    lease=timedelta(seconds=30),
    heartbeat=timedelta(seconds=10),
    idle_wait=timedelta(milliseconds=10),
    retry=RetryPolicy(max_attempts=3, base_delay=timedelta(seconds=10)),
)


def url_text(url: URL) -> str:
    return url.render_as_string(hide_password=False)


def a_worker(
    url: URL,
    tmp: Path,
    clock: FixedClock,
    *,
    events: Mapping[str, Handler] | None = None,
    jobs: Mapping[str, Handler] | None = None,
    settings: WorkerSettings = FAST,
    environ: Mapping[str, str] | None = None,
    channels: Sequence[MessageChannel] = (),
) -> tuple[Worker, ConsoleChannel]:
    """A worker whose pushes go to a console kept in memory, then to ``channels``."""
    console = ConsoleChannel(io.StringIO())
    worker = build_worker(
        Settings(data_dir=tmp, database_url=url_text(url), secret_key=SECRET_KEY),
        WorkerConfig(environ or {}),
        clock=clock,
        channels=[console, *channels],
        extra_events=events,
        extra_jobs=jobs,
        worker_settings=settings,
    )
    return worker, console


def put_events(
    url: URL, tenant_id: UUID, name: str, payloads: list[dict[str, Any]], at: datetime
) -> list[UUID]:
    """Outbox rows as a unit of work writes them."""
    ids = [new_id() for _ in payloads]
    rows = [
        {
            "tenant_id": tenant_id,
            "id": row_id,
            "event_name": name,
            "payload": payload,
            "occurred_at": at,
        }
        for row_id, payload in zip(ids, payloads, strict=True)
    ]
    engine = make_engine(url)
    try:
        with engine.begin() as connection:
            for start in range(0, len(rows), 1000):
                connection.execute(sa.insert(outbox), rows[start : start + 1000])
    finally:
        engine.dispose()
    return ids


def outbox_rows(url: URL) -> dict[UUID, dict[str, Any]]:
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(sa.select(outbox)).mappings().all()
    finally:
        engine.dispose()
    return {row["id"]: dict(row) for row in rows}
