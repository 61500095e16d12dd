"""The residents' inbox 站内信 in the database: written by the worker, read by residents."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from adapters.persistence.sqlalchemy.queue import insert_ignoring_duplicates
from adapters.persistence.sqlalchemy.tables.worker import inbox_messages
from estate_core.shared.ids import new_id
from estate_core.shared.messaging import InboxItem, ResidentMessage

TITLE_MAX = 200


def write_inbox(
    connection: Connection,
    tenant_id: UUID,
    message: ResidentMessage,
    source_key: str,
    now: datetime,
) -> bool:
    """Put ``message`` in the inbox unless ``source_key`` is there already; True if written."""
    row = {
        "tenant_id": tenant_id,
        "id": new_id(),
        "resident_id": message.resident_id,
        "kind": message.kind,
        "title": message.title[:TITLE_MAX],
        "body": message.body,
        "source_key": source_key,
        "created_at": now,
    }
    return insert_ignoring_duplicates(connection, inbox_messages, row)


class SqlInbox:
    """The :class:`~estate_core.shared.messaging.Inbox` read model."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def messages(self, tenant_id: UUID, resident_id: UUID, limit: int) -> list[InboxItem]:
        table = inbox_messages
        query = (
            sa.select(
                table.c.id,
                table.c.kind,
                table.c.title,
                table.c.body,
                table.c.created_at,
                table.c.read_at,
            )
            .where(table.c.tenant_id == tenant_id, table.c.resident_id == resident_id)
            .order_by(table.c.created_at.desc(), table.c.id.desc())
            .limit(limit)
        )
        with self._engine.connect() as connection:
            rows = connection.execute(query).all()
        return [
            InboxItem(id=r[0], kind=r[1], title=r[2], body=r[3], created_at=r[4], read_at=r[5])
            for r in rows
        ]
