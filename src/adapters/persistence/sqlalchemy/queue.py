"""The worker's queue in the database: outbox messages and scheduled job slots, claimed in
batches under a lease.

A claim is one ``UPDATE … WHERE (tenant_id, id) IN (SELECT … FOR UPDATE SKIP LOCKED) RETURNING``:
on PostgreSQL concurrent workers skip each other's rows instead of waiting on them, so any number
of worker processes on any number of machines share the queue. SQLite has no row locks (the
clause is left out); its transactions start with ``BEGIN IMMEDIATE`` (engine.py), so claims there
are serial, which suits its one worker. A claim stamps ``locked_by`` and ``locked_until`` and
counts the attempt; the holder extends the lease while it works (:meth:`SqlWorkQueue.heartbeat`),
and a row whose lease ran out is claimable again. Marking a row done checks it is still held by
this worker, in the transaction of the handler's own writes, so a worker that lost its lease
cannot commit the work a second time.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

import attrs
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, Engine

from adapters.persistence.sqlalchemy.tables.identity import communities
from adapters.persistence.sqlalchemy.tables.outbox import outbox
from adapters.persistence.sqlalchemy.tables.worker import jobs
from estate_core.shared.ids import new_id
from estate_core.shared.jobs import DeadLetter, QueueKind, QueueStats

ERROR_MAX = 4000
"""Characters of the last error kept with a row."""


@attrs.frozen(kw_only=True)
class Claimed:
    """A row this worker holds: an outbox event or a scheduled job slot."""

    kind: QueueKind
    id: UUID
    tenant_id: UUID
    name: str
    payload: dict[str, Any]
    attempts: int
    """Claims so far, this one included."""
    slot: str | None = None


@attrs.frozen(kw_only=True)
class CommunityClock:
    tenant_id: UUID
    community_id: UUID
    time_zone: str


def _table(kind: QueueKind) -> sa.Table:
    return outbox if kind is QueueKind.OUTBOX else jobs


def _finished(table: sa.Table) -> sa.Column[Any]:
    return table.c.delivered_at if table is outbox else table.c.done_at


def _waiting(table: sa.Table) -> sa.ColumnElement[bool]:
    return sa.and_(_finished(table).is_(None), table.c.dead_at.is_(None))


def insert_ignoring_duplicates(
    connection: Connection, table: sa.Table, row: dict[str, Any]
) -> bool:
    """Insert ``row`` unless its key exists; True when it was inserted."""
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    key = next(iter(table.primary_key.columns))
    statement = dialect.insert(table).values(**row).on_conflict_do_nothing().returning(key)
    return connection.execute(statement).first() is not None


class SqlWorkQueue:
    """Claims, leases, completions, retries and dead letters of one worker process."""

    def __init__(self, engine: Engine, worker_id: str, lease: timedelta) -> None:
        self._engine = engine
        self.worker_id = worker_id
        self.lease = lease

    @property
    def engine(self) -> Engine:
        return self._engine

    def claim(self, kind: QueueKind, now: datetime, limit: int) -> list[Claimed]:
        """Up to ``limit`` rows due now and held by nobody (or by a worker whose lease ran out)."""
        table = _table(kind)
        order = table.c.occurred_at if table is outbox else table.c.available_at
        due = (
            sa.select(table.c.tenant_id, table.c.id)
            .where(
                _waiting(table),
                sa.or_(table.c.available_at.is_(None), table.c.available_at <= now),
                sa.or_(table.c.locked_until.is_(None), table.c.locked_until < now),
            )
            .order_by(order, table.c.id)
            .limit(limit)
        )
        if self._engine.dialect.name == "postgresql":
            due = due.with_for_update(skip_locked=True)
        name = table.c.event_name if table is outbox else table.c.name
        slot = table.c.slot if table is jobs else sa.null()
        statement = (
            sa.update(table)
            .where(sa.tuple_(table.c.tenant_id, table.c.id).in_(due.scalar_subquery()))
            .values(
                locked_by=self.worker_id,
                locked_until=now + self.lease,
                attempts=table.c.attempts + 1,
            )
            .returning(table.c.tenant_id, table.c.id, name, table.c.payload, table.c.attempts, slot)
        )
        with self._engine.begin() as connection:
            rows = connection.execute(statement).all()
        claimed = [
            Claimed(
                kind=kind,
                tenant_id=row[0],
                id=row[1],
                name=row[2],
                payload=row[3],
                attempts=row[4],
                slot=row[5],
            )
            for row in rows
        ]
        return sorted(claimed, key=lambda item: item.id)

    def _held(self, table: sa.Table, items: Sequence[Claimed]) -> sa.ColumnElement[bool]:
        mine = table.c.locked_by == self.worker_id
        if len(items) == 1:
            (item,) = items
            return sa.and_(table.c.tenant_id == item.tenant_id, table.c.id == item.id, mine)
        keys = [(item.tenant_id, item.id) for item in items]
        return sa.and_(sa.tuple_(table.c.tenant_id, table.c.id).in_(keys), mine)

    def heartbeat(self, items: Iterable[Claimed], now: datetime) -> int:
        """Extend the lease of the rows this worker still holds; how many it still holds."""
        held = 0
        for kind in QueueKind:
            of_kind = [item for item in items if item.kind is kind]
            if not of_kind:
                continue
            table = _table(kind)
            with self._engine.begin() as connection:
                held += connection.execute(
                    sa.update(table)
                    .where(self._held(table, of_kind), _waiting(table))
                    .values(locked_until=now + self.lease)
                ).rowcount
        return held

    def complete(self, item: Claimed, now: datetime, work: Callable[[Connection], None]) -> bool:
        """Run ``work`` and mark the row done in one transaction; False (and nothing written)
        when this worker no longer holds the row."""
        table = _table(item.kind)
        with self._engine.begin() as connection:
            work(connection)
            marked = connection.execute(
                sa.update(table)
                .where(self._held(table, [item]))
                .values(
                    {
                        _finished(table): now,
                        table.c.locked_by: None,
                        table.c.locked_until: None,
                        table.c.last_error: None,
                    }
                )
            ).rowcount
            if marked != 1:
                connection.rollback()
                return False
        return True

    def fail(self, item: Claimed, now: datetime, error: str, retry_at: datetime | None) -> bool:
        """Record a failure: pending again from ``retry_at``, or dead when it is None."""
        table = _table(item.kind)
        values: dict[str, Any] = {
            "locked_by": None,
            "locked_until": None,
            "last_error": error[:ERROR_MAX],
            "available_at": retry_at,
        }
        if retry_at is None:
            values["dead_at"] = now
        with self._engine.begin() as connection:
            return (
                connection.execute(
                    sa.update(table).where(self._held(table, [item])).values(values)
                ).rowcount
                == 1
            )

    def release(self, items: Sequence[Claimed]) -> None:
        """Give back rows claimed but not started (shutting down): claimable at once, and the
        claim does not count as an attempt."""
        for kind in QueueKind:
            of_kind = [item for item in items if item.kind is kind]
            if not of_kind:
                continue
            table = _table(kind)
            with self._engine.begin() as connection:
                connection.execute(
                    sa.update(table)
                    .where(self._held(table, of_kind))
                    .values(locked_by=None, locked_until=None, attempts=table.c.attempts - 1)
                )

    def schedule(
        self, tenant_id: UUID, name: str, slot: str, payload: dict[str, Any], now: datetime
    ) -> bool:
        """Create the job of this slot unless a worker already did; True when this call did."""
        row = {
            "tenant_id": tenant_id,
            "id": new_id(),
            "name": name,
            "slot": slot,
            "payload": payload,
            "created_at": now,
            "available_at": now,
        }
        with self._engine.begin() as connection:
            return insert_ignoring_duplicates(connection, jobs, row)

    def communities(self) -> list[CommunityClock]:
        """Every community of every tenant with its time zone, for the schedule."""
        with self._engine.connect() as connection:
            rows = connection.execute(
                sa.select(communities.c.tenant_id, communities.c.id, communities.c.time_zone)
            ).all()
        return [CommunityClock(tenant_id=r[0], community_id=r[1], time_zone=r[2]) for r in rows]

    def dead_letters(self, tenant_id: UUID | None, limit: int) -> list[DeadLetter]:
        found: list[DeadLetter] = []
        for kind in QueueKind:
            table = _table(kind)
            name = table.c.event_name if table is outbox else table.c.name
            query = sa.select(
                table.c.tenant_id,
                table.c.id,
                name,
                table.c.attempts,
                table.c.last_error,
                table.c.dead_at,
            ).where(table.c.dead_at.is_not(None))
            if tenant_id is not None:
                query = query.where(table.c.tenant_id == tenant_id)
            with self._engine.connect() as connection:
                rows = connection.execute(query.order_by(table.c.dead_at).limit(limit)).all()
            found += [
                DeadLetter(
                    kind=kind,
                    tenant_id=row[0],
                    id=row[1],
                    name=row[2],
                    attempts=row[3],
                    last_error=row[4] or "",
                    failed_at=row[5],
                )
                for row in rows
            ]
        return sorted(found, key=lambda letter: letter.failed_at)[:limit]

    def retry(self, tenant_id: UUID, kind: QueueKind, item_id: UUID, now: datetime) -> bool:
        table = _table(kind)
        with self._engine.begin() as connection:
            return (
                connection.execute(
                    sa.update(table)
                    .where(
                        table.c.tenant_id == tenant_id,
                        table.c.id == item_id,
                        table.c.dead_at.is_not(None),
                    )
                    .values(dead_at=None, attempts=0, available_at=now)
                ).rowcount
                == 1
            )

    def stats(self, now: datetime) -> QueueStats:
        depth, oldest, dead = 0, now, 0
        with self._engine.connect() as connection:
            for kind in QueueKind:
                table = _table(kind)
                since = table.c.occurred_at if table is outbox else table.c.created_at
                count, first = connection.execute(
                    sa.select(sa.func.count(), sa.func.min(since)).where(_waiting(table))
                ).one()
                depth += count
                if first is not None:
                    oldest = min(oldest, first)
                dead += connection.execute(
                    sa.select(sa.func.count()).where(table.c.dead_at.is_not(None))
                ).scalar_one()
        return QueueStats(
            depth=depth,
            oldest_age_seconds=max((now - oldest).total_seconds(), 0.0),
            dead_letters=dead,
        )
