"""The scheduled jobs: what runs when, for whom, from configuration (docs/worker.md).

A job runs per tenant every few minutes (``every_minutes``), or per community once a day at a
local time (``at``), or once a month on a day (``day``), in the community's own time zone. Each
run is a *slot* (the interval's number, the local date, the local month); every worker's tick
inserts the slot's job row, and the unique key (tenant, job, slot) lets only the first insert
through, so a slot runs once however many workers see it due. The row is then claimed, retried
and dead-lettered like an outbox event. Each job is idempotent: a slot run again (after a
crash) or a later slot finds nothing left to do.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from datetime import date, datetime, time, timedelta
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

import attrs

from adapters.persistence.sqlalchemy.queue import SqlWorkQueue
from entrypoints.worker.config import WorkerConfig

TICK = timedelta(seconds=30)
"""How often a worker looks for slots that fell due."""


class Cadence(enum.StrEnum):
    EVERY = "every"
    """Per tenant, every ``every_minutes``."""
    DAILY = "daily"
    """Per community, once a local day, from ``at``."""
    MONTHLY = "monthly"
    """Per community, once a local month, from ``day`` at ``at``."""


@attrs.frozen(kw_only=True)
class JobSpec:
    name: str
    cadence: Cadence
    every: timedelta = timedelta(minutes=15)
    at: time = time(9, 0)
    day: int = 1
    enabled: bool = True
    options: Mapping[str, Any] = attrs.field(factory=dict)
    """Job-specific settings (``days_before``, ``threshold_fen`` …) as configured."""

    def slot(self, now: datetime, zone: ZoneInfo) -> tuple[str, date] | None:
        """The slot due at ``now`` and its local date, or None when none is due yet."""
        local = now.astimezone(zone)
        if self.cadence is Cadence.EVERY:
            number = int(now.timestamp() // self.every.total_seconds())
            return f"every:{number}", local.date()
        if local.time() < self.at:
            return None
        if self.cadence is Cadence.DAILY:
            return local.date().isoformat(), local.date()
        if local.day < self.day:
            return None
        return f"{local.year:04d}-{local.month:02d}", local.date()


DEFAULTS: tuple[JobSpec, ...] = (
    JobSpec(name="close_unrated_work_orders", cadence=Cadence.EVERY),
    JobSpec(name="close_unrated_complaints", cadence=Cadence.EVERY),
    JobSpec(name="expire_coupons", cadence=Cadence.EVERY),
    JobSpec(name="publish_scheduled_notices", cadence=Cadence.EVERY, every=timedelta(minutes=1)),
    JobSpec(name="close_expired_payments", cadence=Cadence.EVERY, every=timedelta(minutes=5)),
    JobSpec(name="purge_sms_codes", cadence=Cadence.EVERY, every=timedelta(hours=6)),
    JobSpec(name="due_reminders", cadence=Cadence.DAILY, options={"days_before": 3}),
    JobSpec(
        name="dunning",
        cadence=Cadence.MONTHLY,
        day=5,
        at=time(10, 0),
        enabled=False,
        options={"threshold_fen": 100_000},
    ),
    JobSpec(name="billing_run", cadence=Cadence.MONTHLY, at=time(2, 0), enabled=False),
)
"""The jobs and their default timing; dunning and billing runs change residents' money
matters, so a property company switches them on itself."""


def _boolean(raw: Any) -> bool:
    return raw if isinstance(raw, bool) else str(raw).strip().lower() in {"1", "true", "yes", "on"}


def configured(config: WorkerConfig, defaults: tuple[JobSpec, ...] = DEFAULTS) -> list[JobSpec]:
    """The default jobs with each one's ``[worker.schedule.<job>]`` settings applied."""
    specs = []
    for spec in defaults:
        values = config.schedule(spec.name)
        changes: dict[str, Any] = {}
        if "enabled" in values:
            changes["enabled"] = _boolean(values.pop("enabled"))
        if "every_minutes" in values:
            changes["every"] = timedelta(minutes=float(values.pop("every_minutes")))
        if "at" in values:
            changes["at"] = time.fromisoformat(str(values.pop("at")))
        if "day" in values:
            changes["day"] = int(values.pop("day"))
        options = {**spec.options, **values}
        specs.append(attrs.evolve(spec, options=options, **changes))
    return specs


class Scheduler:
    """Creates the job rows of due slots; called by the runner between batches."""

    def __init__(self, queue: SqlWorkQueue, specs: list[JobSpec]) -> None:
        self.queue = queue
        self.specs = [spec for spec in specs if spec.enabled]
        self._last_tick: datetime | None = None
        self._latest: dict[tuple[UUID, str, UUID | None], str] = {}
        """The last slot this worker scheduled per (tenant, job, community): no repeat inserts."""

    def tick(self, now: datetime) -> int:
        """Schedule what fell due (at most every :data:`TICK`); how many slots this created."""
        if self._last_tick is not None and now - self._last_tick < TICK:
            return 0
        self._last_tick = now
        return self.schedule_due(now)

    def schedule_due(self, now: datetime) -> int:
        created = 0
        communities = self.queue.communities()
        tenants = sorted({community.tenant_id for community in communities})
        for spec in self.specs:
            if spec.cadence is Cadence.EVERY:
                for tenant_id in tenants:
                    created += self._schedule(spec, tenant_id, None, now, ZoneInfo("UTC"))
                continue
            for community in communities:
                zone = ZoneInfo(community.time_zone)
                tenant_id, community_id = community.tenant_id, community.community_id
                created += self._schedule(spec, tenant_id, community_id, now, zone)
        return created

    def _schedule(
        self,
        spec: JobSpec,
        tenant_id: UUID,
        community_id: UUID | None,
        now: datetime,
        zone: ZoneInfo,
    ) -> int:
        due = spec.slot(now, zone)
        if due is None:
            return 0
        slot, local_day = due
        if community_id is not None:
            slot = f"{community_id}:{slot}"
        key = (tenant_id, spec.name, community_id)
        if self._latest.get(key) == slot:
            return 0
        self._latest[key] = slot
        payload = {"local_date": local_day.isoformat(), **spec.options}
        if community_id is not None:
            payload["community_id"] = str(community_id)
        return int(self.queue.schedule(tenant_id, spec.name, slot, payload, now))
