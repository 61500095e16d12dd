"""The worker loop: claim a batch, run each handler, mark it done or schedule its retry.

A handler does its work outside any transaction held by the runner (use cases open their own
units of work; pushes leave the database) and may return a *finish*: database writes that must
commit with the done mark, in one transaction (``SqlWorkQueue.complete``), so they happen
exactly once. A failure is retried with
backoff and jitter (``estate_core.shared.jobs.RetryPolicy``) and dead-lettered at the limit with
its last error. A heartbeat thread extends the lease of the rows in hand. SIGTERM or SIGINT
stops claiming: the job in hand finishes, the rest of the batch is given back, the process
exits 0. Every job logs one JSON line (``estate.worker``): kind, job, id, tenant, attempt,
duration, outcome.
"""

from __future__ import annotations

import json
import logging
import random
import signal
import threading
import time
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from types import FrameType
from typing import Any

import attrs
from sqlalchemy.engine import Connection

from adapters.persistence.sqlalchemy.queue import Claimed, SqlWorkQueue
from entrypoints.bootstrap import Estate
from estate_core.shared.clock import Clock
from estate_core.shared.jobs import QueueKind, RetryPolicy
from estate_core.shared.messaging import PermanentDeliveryError

log = logging.getLogger("estate.worker")


@attrs.frozen(kw_only=True)
class WorkerSettings:
    """``ESTATE_WORKER_*`` settings (see docs/worker.md)."""

    batch: int = 50
    lease: timedelta = timedelta(seconds=60)
    heartbeat: timedelta = timedelta(seconds=20)
    idle_wait: timedelta = timedelta(seconds=1)
    retry: RetryPolicy = attrs.field(factory=RetryPolicy)


@attrs.frozen(kw_only=True)
class JobContext:
    """What a handler gets: the row it runs for, the composed application, the time."""

    item: Claimed
    estate: Estate
    now: datetime


Finish = Callable[[Connection], None]
"""Writes committed in the transaction that marks the row done."""

Handler = Callable[[JobContext], Finish | None]


class Runner:
    """One worker process's loop over the queue."""

    def __init__(
        self,
        queue: SqlWorkQueue,
        estate: Estate,
        *,
        events: Mapping[str, Handler],
        jobs: Mapping[str, Handler],
        settings: WorkerSettings,
        clock: Clock,
        tick: Callable[[datetime], object] | None = None,
        rng: random.Random | None = None,
    ) -> None:
        self.queue = queue
        self.estate = estate
        self.events = dict(events)
        self.jobs = dict(jobs)
        self.settings = settings
        self.clock = clock
        self._tick = tick
        self._rng = rng or random.SystemRandom()
        self._stopping = threading.Event()
        self._beat_stop = threading.Event()
        self._held_lock = threading.Lock()
        self._held: list[Claimed] = []

    def stop(self, *_: Any) -> None:
        """Stop claiming; the job in hand finishes. Safe from a signal handler."""
        self._stopping.set()

    @property
    def stopping(self) -> bool:
        return self._stopping.is_set()

    def run(self, *, until_idle: bool = False) -> int:
        """Loop until stopped (or, with ``until_idle``, until nothing is due); the exit code."""
        previous = {sig: signal.signal(sig, self._on_signal) for sig in _STOP_SIGNALS}
        self._beat_stop.clear()
        beating = threading.Thread(target=self._heartbeat, name="worker-heartbeat", daemon=True)
        beating.start()
        try:
            while not self.stopping:
                if self._tick is not None:
                    self._tick(self.clock.now())
                if self.run_once() == 0:
                    if until_idle:
                        break
                    self._stopping.wait(self.settings.idle_wait.total_seconds())
        finally:
            self._stopping.set()
            self._beat_stop.set()
            beating.join()
            for sig, handler in previous.items():
                signal.signal(sig, handler)
        return 0

    def _on_signal(self, signum: int, frame: FrameType | None) -> None:
        log.info(json.dumps({"event": "stopping", "signal": signal.Signals(signum).name}))
        self.stop()

    def run_once(self) -> int:
        """Claim and handle one batch of events and one of jobs; how many were handled."""
        handled = 0
        for kind in QueueKind:
            if self.stopping:
                break
            batch = self.queue.claim(kind, self.clock.now(), self.settings.batch)
            with self._held_lock:
                self._held = list(batch)
            for position, item in enumerate(batch):
                if self.stopping:
                    self.queue.release(batch[position:])
                    break
                self.handle(item)
                handled += 1
                with self._held_lock:
                    self._held = batch[position + 1 :]
        return handled

    def _heartbeat(self) -> None:
        interval = self.settings.heartbeat.total_seconds()
        while not self._beat_stop.wait(interval):
            with self._held_lock:
                held = list(self._held)
            if held:
                self.queue.heartbeat(held, self.clock.now())

    def handle(self, item: Claimed) -> str:
        """Run one claimed row to its outcome: done, retry, dead or lease_lost."""
        started = time.monotonic()
        policy = self.settings.retry
        if item.attempts > policy.max_attempts:
            error = "abandoned: the worker holding it stopped and its lease ran out"
            outcome = self._failed(item, error, permanent=True)
        else:
            try:
                finish = self._run(item) or _nothing
                done = self.queue.complete(item, self.clock.now(), finish)
                outcome = "done" if done else "lease_lost"
            except PermanentDeliveryError as error:
                outcome = self._failed(item, _describe(error), permanent=True)
            except Exception as error:
                outcome = self._failed(item, _describe(error), permanent=False)
        log.info(
            json.dumps(
                {
                    "event": "job",
                    "kind": item.kind.value,
                    "job": item.name,
                    "id": str(item.id),
                    "tenant": str(item.tenant_id),
                    "attempt": item.attempts,
                    "duration_ms": round((time.monotonic() - started) * 1000, 1),
                    "outcome": outcome,
                }
            )
        )
        return outcome

    def _run(self, item: Claimed) -> Finish | None:
        table = self.events if item.kind is QueueKind.OUTBOX else self.jobs
        handler = table.get(item.name)
        if handler is None:
            if item.kind is QueueKind.JOB:
                raise PermanentDeliveryError(f"no handler for the job {item.name!r}")
            return None  # an event no message or action follows from
        return handler(JobContext(item=item, estate=self.estate, now=self.clock.now()))

    def _failed(self, item: Claimed, error: str, *, permanent: bool) -> str:
        now = self.clock.now()
        retry_at = (
            None
            if permanent
            else self.settings.retry.after_failure(item.attempts, now, self._rng.random())
        )
        if not self.queue.fail(item, now, error, retry_at):
            return "lease_lost"
        return "retry" if retry_at is not None else "dead"


_STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)


def _nothing(connection: Connection) -> None:
    """The finish of a handler whose writes are all its own."""


def _describe(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}"
