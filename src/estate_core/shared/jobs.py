"""Background work 后台任务: the retry rule every outbox message and scheduled job follows, and
what staff may see and do about the ones that failed for good (dead letters).

A unit of work moves ``pending → claimed`` (a worker holds it under a lease) ``→ done``, or back
to ``pending`` after a failure, with a delay that doubles each attempt (exponential backoff,
"equal jitter": half fixed, half random, so workers that failed together do not retry together),
until ``max_attempts`` claims have failed: then it is ``dead`` and waits for staff. A claim whose
worker vanished (its lease ran out) is ``pending`` again; it counted as an attempt, so a message
that crashes every worker that takes it ends dead too. The worker (entrypoints/worker) applies
this; the storage (adapters) keeps the state.
"""

from __future__ import annotations

import enum
from datetime import datetime, timedelta
from typing import Protocol
from uuid import UUID

import attrs

from estate_core.shared.access import Actor, Permission, require_staff
from estate_core.shared.errors import InvalidInput, NotFound


class JobState(enum.StrEnum):
    PENDING = "pending"
    CLAIMED = "claimed"
    DONE = "done"
    DEAD = "dead"


class JobAction(enum.StrEnum):
    CLAIM = "claim"
    SUCCEED = "succeed"
    FAIL = "fail"
    LEASE_EXPIRE = "lease_expire"
    RETRY_BY_STAFF = "retry_by_staff"


TRANSITIONS: dict[tuple[JobState, JobAction], frozenset[JobState]] = {
    (JobState.PENDING, JobAction.CLAIM): frozenset({JobState.CLAIMED}),
    (JobState.CLAIMED, JobAction.SUCCEED): frozenset({JobState.DONE}),
    (JobState.CLAIMED, JobAction.FAIL): frozenset({JobState.PENDING, JobState.DEAD}),
    (JobState.CLAIMED, JobAction.LEASE_EXPIRE): frozenset({JobState.PENDING, JobState.DEAD}),
    (JobState.DEAD, JobAction.RETRY_BY_STAFF): frozenset({JobState.PENDING}),
}
"""Every allowed move; anything else is refused (a test walks every pair)."""


@attrs.frozen(kw_only=True)
class RetryPolicy:
    """How often and how soon a failed message or job is tried again."""

    max_attempts: int = 8
    base_delay: timedelta = timedelta(seconds=10)
    max_delay: timedelta = timedelta(hours=1)

    def __attrs_post_init__(self) -> None:
        if self.max_attempts < 1:
            raise InvalidInput("job.invalid_policy", "max_attempts must be at least 1")
        if self.base_delay <= timedelta(0) or self.max_delay < self.base_delay:
            raise InvalidInput("job.invalid_policy", "need 0 < base_delay <= max_delay")

    def ceiling(self, attempts: int) -> timedelta:
        """The longest wait after the ``attempts``-th failed attempt: base × 2^(attempts−1),
        capped at ``max_delay``."""
        base, cap = _microseconds(self.base_delay), _microseconds(self.max_delay)
        doubled = base << min(max(attempts - 1, 0), 63)  # past 2**63 µs every cap is reached
        return timedelta(microseconds=min(doubled, cap))

    def delay(self, attempts: int, draw: float) -> timedelta:
        """The wait after the ``attempts``-th failure; ``draw`` is uniform in [0, 1)."""
        if not 0.0 <= draw < 1.0:
            raise ValueError("draw must be in [0, 1)")
        ceiling = _microseconds(self.ceiling(attempts))
        half = ceiling // 2
        return timedelta(microseconds=ceiling - half + int(half * draw))

    def after_failure(self, attempts: int, now: datetime, draw: float) -> datetime | None:
        """When to try again after ``attempts`` failed claims, or None: dead-letter it now."""
        if attempts >= self.max_attempts:
            return None
        return now + self.delay(attempts, draw)


def _microseconds(delay: timedelta) -> int:
    return (delay.days * 86_400 + delay.seconds) * 1_000_000 + delay.microseconds


def next_state(
    state: JobState, action: JobAction, *, attempts: int, policy: RetryPolicy
) -> JobState:
    """The state after ``action``; ``attempts`` counts claims so far, this one included."""
    allowed = TRANSITIONS.get((state, action))
    if allowed is None:
        raise InvalidInput("job.invalid_transition", f"cannot {action.value} a {state.value} job")
    if action in (JobAction.FAIL, JobAction.LEASE_EXPIRE):
        return JobState.DEAD if attempts >= policy.max_attempts else JobState.PENDING
    (only,) = allowed
    return only


class QueueKind(enum.StrEnum):
    OUTBOX = "outbox"
    """A domain event to dispatch (its messages)."""
    JOB = "job"
    """A scheduled job slot."""


@attrs.frozen(kw_only=True)
class DeadLetter:
    """A message or job that failed ``attempts`` times, with the last error, for staff to see."""

    kind: QueueKind
    id: UUID
    tenant_id: UUID
    name: str
    attempts: int
    last_error: str
    failed_at: datetime


@attrs.frozen(kw_only=True)
class QueueStats:
    """The worker's health as a read model (for /readyz or /metrics)."""

    depth: int
    """Messages and jobs waiting or in hand, not dead."""
    oldest_age_seconds: float
    """Age of the oldest waiting one; 0 when the queue is empty."""
    dead_letters: int


class DeadLetters(Protocol):
    """The storage of the worker's queue, as staff use it."""

    def dead_letters(self, tenant_id: UUID | None, limit: int) -> list[DeadLetter]:
        """Oldest failures first; ``tenant_id`` None: every tenant (the platform operator)."""
        ...

    def retry(self, tenant_id: UUID, kind: QueueKind, item_id: UUID, now: datetime) -> bool:
        """A dead letter pending again with a fresh count of attempts; False if none matched."""
        ...


def list_dead_letters(
    queue: DeadLetters, actor: Actor, tenant_id: UUID, *, limit: int = 100
) -> list[DeadLetter]:
    """The tenant's failed messages and jobs, for an administrator (``tenant.manage``)."""
    require_staff(actor, Permission.TENANT_MANAGE)
    return queue.dead_letters(tenant_id, limit)


def retry_dead_letter(
    queue: DeadLetters,
    actor: Actor,
    tenant_id: UUID,
    kind: QueueKind,
    item_id: UUID,
    now: datetime,
) -> None:
    """Staff send a dead letter back to the queue once the cause is fixed."""
    require_staff(actor, Permission.TENANT_MANAGE)
    if not queue.retry(tenant_id, kind, item_id, now):
        raise NotFound("job.dead_letter_not_found", f"no dead {kind.value} {item_id}")
