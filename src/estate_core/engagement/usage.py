"""Usage figures: daily unique visitors 日UV per community and feature (seed 003 §5 UV数统计).

A visit is counted from an authenticated request without keeping who made it: the resident's id
becomes a **keyed daily hash** — HMAC-SHA256 under a key derived from the deployment's secret
and the day — so the same person counts once a day, and hashes of two days cannot be linked
without the secret. Counting never slows a request: the HTTP middleware (wired later) only adds
the visit to a :class:`UsageRecorder` in memory; a worker job drains it and writes the day's
distinct visits in bulk through the :class:`UsageStore` port, where a visit already stored is
skipped. Staff read the figures over at most a year.
"""

from __future__ import annotations

import enum
import hashlib
import hmac
import threading
from collections.abc import Collection
from datetime import date, timedelta
from typing import Protocol
from uuid import UUID

import attrs

from estate_core.shared.errors import InvalidInput

LONGEST_REPORT = timedelta(days=366)


class Feature(enum.StrEnum):
    """The features seed 003's UV figures are kept for."""

    BILLS = "bills"
    PAYMENT = "payment"
    REPAIR = "repair"
    COMPLAINT = "complaint"
    NOTICES = "notices"
    ACTIVITIES = "activities"
    VISITORS = "visitors"
    COUPONS = "coupons"
    MERCHANTS = "merchants"


def visitor_hash(secret: bytes, day: date, resident_id: UUID) -> str:
    """The visitor's anonymous key for ``day``: HMAC(HMAC(secret, day), resident id)."""
    daily_key = hmac.new(secret, f"uv:{day.isoformat()}".encode(), hashlib.sha256).digest()
    return hmac.new(daily_key, resident_id.bytes, hashlib.sha256).hexdigest()[:32]


@attrs.frozen(kw_only=True)
class Visit:
    """One visitor's use of one feature in one community on one day (no personal data)."""

    day: date
    community_id: UUID
    feature: Feature
    visitor: str


@attrs.frozen(kw_only=True)
class DailyVisitors:
    day: date
    community_id: UUID
    feature: Feature
    visitors: int


class UsageStore(Protocol):
    """The counting port: visits stored in bulk, counted per day, community and feature."""

    def add_visits(self, tenant_id: UUID, visits: Collection[Visit]) -> int:
        """Store the visits not stored yet (a repeat is skipped); how many were new."""
        ...

    def daily_visitors(
        self, tenant_id: UUID, community_ids: Collection[UUID], first: date, last: date
    ) -> list[DailyVisitors]:
        """Unique visitors per day, community and feature in ``first..last``, by day."""
        ...


class UsageRecorder:
    """The in-process buffer a request adds to: a set per tenant, so repeats cost nothing and
    the database sees each day's visitor once per flush."""

    def __init__(self, secret: bytes) -> None:
        self._secret = secret
        self._lock = threading.Lock()
        self._visits: dict[UUID, set[Visit]] = {}

    def record(
        self, tenant_id: UUID, community_id: UUID, feature: Feature, resident_id: UUID, day: date
    ) -> None:
        visit = Visit(
            day=day,
            community_id=community_id,
            feature=Feature(feature),
            visitor=visitor_hash(self._secret, day, resident_id),
        )
        with self._lock:
            self._visits.setdefault(tenant_id, set()).add(visit)

    def drain(self) -> dict[UUID, set[Visit]]:
        """Everything recorded since the last drain, and an empty buffer."""
        with self._lock:
            drained, self._visits = self._visits, {}
        return drained

    def put_back(self, tenant_id: UUID, visits: Collection[Visit]) -> None:
        """Visits a failed flush could not store, kept for the next one."""
        with self._lock:
            self._visits.setdefault(tenant_id, set()).update(visits)


def flush_usage(recorder: UsageRecorder, store: UsageStore) -> int:
    """The worker's job: write what the recorder holds, tenant by tenant, in bulk. A tenant
    whose write fails keeps its visits in the recorder for the next run."""
    stored = 0
    for tenant_id, visits in recorder.drain().items():
        try:
            stored += store.add_visits(tenant_id, visits)
        except Exception:
            recorder.put_back(tenant_id, visits)
            raise
    return stored


def check_report_range(first: date, last: date) -> None:
    if not first <= last or last - first >= LONGEST_REPORT:
        raise InvalidInput(
            "usage.invalid_range", "a report covers one day to one year, first day first"
        )
