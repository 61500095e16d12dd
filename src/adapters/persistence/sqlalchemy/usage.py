"""The usage figures on SQL: visits written in bulk with one Core ``INSERT ... ON CONFLICT DO
NOTHING RETURNING`` per batch (never one write per request; the returned rows are the new
ones, which rowcount does not give for a batch on PostgreSQL), counted with one grouped
query."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine

from adapters.persistence.sqlalchemy.tables.usage import daily_visitors
from estate_core.engagement.usage import DailyVisitors, Feature, Visit

BATCH = 5_000


class SqlUsageStore:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def _insert(self) -> sa.Insert:
        insert: sa.Insert
        if self._engine.dialect.name == "postgresql":
            insert = postgresql.insert(daily_visitors).on_conflict_do_nothing()
        else:
            insert = sqlite.insert(daily_visitors).on_conflict_do_nothing()
        return insert.returning(daily_visitors.c.visitor)

    def add_visits(self, tenant_id: UUID, visits: Collection[Visit]) -> int:
        rows = [
            {
                "tenant_id": tenant_id,
                "community_id": v.community_id,
                "day": v.day,
                "feature": v.feature,
                "visitor": v.visitor,
            }
            for v in sorted(
                visits, key=lambda v: (v.day, str(v.community_id), v.feature, v.visitor)
            )
        ]
        stored = 0
        with self._engine.begin() as connection:
            for start in range(0, len(rows), BATCH):
                result = connection.execute(self._insert(), rows[start : start + BATCH])
                stored += len(result.all())
        return stored

    def daily_visitors(
        self, tenant_id: UUID, community_ids: Collection[UUID], first: date, last: date
    ) -> list[DailyVisitors]:
        if not community_ids:
            return []
        c = daily_visitors.c
        statement = (
            sa.select(c.day, c.community_id, c.feature, sa.func.count())
            .where(
                c.tenant_id == tenant_id,
                c.community_id.in_(list(community_ids)),
                c.day >= first,
                c.day <= last,
            )
            .group_by(c.day, c.community_id, c.feature)
            .order_by(c.day, c.community_id, c.feature)
        )
        with self._engine.connect() as connection:
            rows = connection.execute(statement).all()
        found = [
            DailyVisitors(day=day, community_id=community, feature=Feature(feature), visitors=n)
            for day, community, feature, n in rows
        ]
        return sorted(found, key=lambda d: (d.day, str(d.community_id), d.feature.value))
