"""The usage figures on a dict (unit tests and embedding without a database)."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Collection
from datetime import date
from uuid import UUID

from estate_core.engagement.usage import DailyVisitors, Visit


class InMemoryUsageStore:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._visits: dict[UUID, set[Visit]] = {}

    def add_visits(self, tenant_id: UUID, visits: Collection[Visit]) -> int:
        with self._lock:
            stored = self._visits.setdefault(tenant_id, set())
            new = set(visits) - stored
            stored |= new
            return len(new)

    def daily_visitors(
        self, tenant_id: UUID, community_ids: Collection[UUID], first: date, last: date
    ) -> list[DailyVisitors]:
        wanted = set(community_ids)
        with self._lock:
            counted = Counter(
                (v.day, v.community_id, v.feature)
                for v in self._visits.get(tenant_id, set())
                if v.community_id in wanted and first <= v.day <= last
            )
        return [
            DailyVisitors(day=day, community_id=community_id, feature=feature, visitors=count)
            for (day, community_id, feature), count in sorted(
                counted.items(), key=lambda item: (item[0][0], str(item[0][1]), item[0][2].value)
            )
        ]
