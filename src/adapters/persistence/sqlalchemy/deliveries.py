"""Delivery records of pushed messages, by idempotency key (docs/worker.md, "Delivery
guarantees"): looked up before a send, committed right after it, apart from the job's
transaction, so a job run again after a crash does not push twice."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from adapters.persistence.sqlalchemy.queue import insert_ignoring_duplicates
from adapters.persistence.sqlalchemy.tables.worker import message_deliveries


class SqlDeliveries:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def delivered(self, tenant_id: UUID, key: str) -> bool:
        with self._engine.connect() as connection:
            found = connection.execute(
                sa.select(message_deliveries.c.sent_at).where(
                    message_deliveries.c.tenant_id == tenant_id,
                    message_deliveries.c.idempotency_key == key,
                )
            ).first()
        return found is not None

    def record(
        self, tenant_id: UUID, key: str, channel: str, recipient: str, now: datetime
    ) -> None:
        """Committed at once, apart from the job's transaction: the send already happened."""
        row = {
            "tenant_id": tenant_id,
            "idempotency_key": key,
            "channel": channel,
            "recipient": recipient,
            "sent_at": now,
        }
        with self._engine.begin() as connection:
            insert_ignoring_duplicates(connection, message_deliveries, row)
