"""The worker's loop in process, on SQLite and PostgreSQL: claims, retries, dead letters, leases,
the schedule's slots, idempotent pushes and the queue's health figures."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from identity_samples import a_community, a_tenant
from sqlalchemy.engine import URL
from worker_samples import FAST, a_worker, outbox_rows, put_events

from adapters.persistence.sqlalchemy import make_engine
from adapters.persistence.sqlalchemy.inbox import SqlInbox
from adapters.persistence.sqlalchemy.personal_data import FieldCipher, configure_personal_data
from adapters.persistence.sqlalchemy.tables.worker import jobs, message_deliveries
from entrypoints.worker.compose import queue_health
from entrypoints.worker.runner import JobContext
from entrypoints.worker.schedule import Cadence, JobSpec, Scheduler
from estate_core.shared.access import Permission, ResidentActor, StaffActor
from estate_core.shared.clock import FixedClock
from estate_core.shared.errors import NotFound, PermissionDenied
from estate_core.shared.ids import new_id
from estate_core.shared.jobs import QueueKind, QueueStats, list_dead_letters, retry_dead_letter
from estate_core.shared.messaging import my_inbox
from world_builders import add_verified_resident

NOW = datetime(2026, 3, 15, 2, 0, tzinfo=UTC)
ADMIN = StaffActor(staff_id=new_id(), permissions=frozenset({Permission.TENANT_MANAGE}))


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(NOW)


@pytest.fixture(autouse=True)
def _restore_personal_data_key(personal_data_key: FieldCipher) -> Iterator[None]:
    """The worker configures its own key; give the session's back afterwards."""
    yield
    configure_personal_data(personal_data_key)


class Flaky:
    """A handler that fails its first ``failures`` runs, then succeeds; counts its runs."""

    def __init__(self, failures: int) -> None:
        self.failures = failures
        self.runs = 0

    def __call__(self, context: JobContext) -> None:
        self.runs += 1
        if self.runs <= self.failures:
            raise RuntimeError(f"provider down (run {self.runs})")


def test_events_with_messages_reach_the_inbox_and_the_console_once(
    database: URL, mapped: None, tmp_path: Path, clock: FixedClock
) -> None:
    tenant_id, resident_id = new_id(), new_id()
    payload = {
        "coupon_id": str(new_id()),
        "campaign_id": str(new_id()),
        "resident_id": str(resident_id),
    }
    put_events(database, tenant_id, "CouponClaimed", [payload, payload], NOW)
    put_events(database, tenant_id, "FeeItemCreated", [{"fee_item_id": str(new_id())}], NOW)
    worker, console = a_worker(database, tmp_path, clock)

    assert worker.runner.run_once() == 3

    inbox = my_inbox(
        SqlInbox(worker.queue.engine), ResidentActor(resident_id=resident_id), tenant_id
    )
    assert [item.title for item in inbox] == ["优惠券已到账", "优惠券已到账"]
    assert console.sent == []  # the resident has no account in this tenant: inbox only
    assert all(row["delivered_at"] == NOW for row in outbox_rows(database).values())
    assert worker.runner.run_once() == 0


def test_a_failing_handler_backs_off_dies_at_the_limit_and_staff_revive_it(
    database: URL, mapped: None, tmp_path: Path, clock: FixedClock
) -> None:
    tenant_id = new_id()
    flaky = Flaky(failures=FAST.retry.max_attempts)
    (event_id,) = put_events(database, tenant_id, "Boom", [{}], NOW)
    worker, _ = a_worker(database, tmp_path, clock, events={"Boom": flaky})
    runner, queue = worker.runner, worker.queue

    waits = []
    for attempt in range(1, FAST.retry.max_attempts):
        assert runner.run_once() == 1
        row = outbox_rows(database)[event_id]
        assert row["attempts"] == attempt
        assert row["last_error"] == f"RuntimeError: provider down (run {attempt})"
        wait = row["available_at"] - clock.now()
        ceiling = FAST.retry.ceiling(attempt)
        assert ceiling / 2 <= wait <= ceiling
        waits.append(wait)
        assert runner.run_once() == 0, "not before its backoff"
        clock.set(row["available_at"])
    assert runner.run_once() == 1

    (letter,) = list_dead_letters(queue, ADMIN, tenant_id)
    assert (letter.kind, letter.id, letter.name) == (QueueKind.OUTBOX, event_id, "Boom")
    assert letter.attempts == FAST.retry.max_attempts
    assert letter.last_error == "RuntimeError: provider down (run 3)"
    assert queue.stats(clock.now()).dead_letters == 1
    clock.advance(timedelta(days=1))
    assert runner.run_once() == 0, "dead letters wait for staff"
    with pytest.raises(PermissionDenied):
        list_dead_letters(queue, StaffActor(staff_id=new_id(), permissions=frozenset()), tenant_id)
    assert list_dead_letters(queue, ADMIN, new_id()) == []

    retry_dead_letter(queue, ADMIN, tenant_id, QueueKind.OUTBOX, event_id, clock.now())
    assert runner.run_once() == 1
    assert outbox_rows(database)[event_id]["delivered_at"] == clock.now()
    assert flaky.runs == FAST.retry.max_attempts + 1
    assert queue.stats(clock.now()).dead_letters == 0
    with pytest.raises(NotFound):
        retry_dead_letter(queue, ADMIN, tenant_id, QueueKind.OUTBOX, event_id, clock.now())


def test_a_claim_whose_worker_vanished_is_taken_again_after_the_lease(
    database: URL, mapped: None, tmp_path: Path, clock: FixedClock
) -> None:
    tenant_id = new_id()
    (event_id,) = put_events(database, tenant_id, "Boom", [{}], NOW)
    lost, _ = a_worker(database, tmp_path, clock, events={"Boom": Flaky(0)})
    (claimed,) = lost.queue.claim(QueueKind.OUTBOX, clock.now(), 10)
    heir_handler = Flaky(0)
    heir, _ = a_worker(database, tmp_path, clock, events={"Boom": heir_handler})

    assert heir.runner.run_once() == 0, "held under a lease"
    clock.advance(FAST.lease - timedelta(seconds=1))
    assert lost.queue.heartbeat([claimed], clock.now()) == 1
    clock.advance(FAST.lease - timedelta(seconds=1))
    assert heir.runner.run_once() == 0, "the heartbeat extended the lease"
    clock.advance(timedelta(seconds=2))
    assert heir.runner.run_once() == 1
    assert heir_handler.runs == 1
    row = outbox_rows(database)[event_id]
    assert (row["attempts"], row["delivered_at"]) == (2, clock.now())
    assert lost.runner.handle(claimed) == "lease_lost", "the first worker cannot finish it too"


def test_a_message_that_kills_every_worker_ends_dead(
    database: URL, mapped: None, tmp_path: Path, clock: FixedClock
) -> None:
    tenant_id = new_id()
    (event_id,) = put_events(database, tenant_id, "Boom", [{}], NOW)
    worker, _ = a_worker(database, tmp_path, clock, events={"Boom": Flaky(0)})
    for _ in range(FAST.retry.max_attempts):
        assert len(worker.queue.claim(QueueKind.OUTBOX, clock.now(), 10)) == 1
        clock.advance(FAST.lease + timedelta(seconds=1))
    assert worker.runner.run_once() == 1
    (letter,) = worker.queue.dead_letters(tenant_id, 10)
    assert letter.id == event_id
    assert letter.last_error.startswith("abandoned")


def test_the_schedule_creates_each_slot_once_in_the_community_time_zone(
    database: URL, mapped: None, tmp_path: Path, clock: FixedClock
) -> None:
    tenant_id = new_id()
    first, _ = a_worker(database, tmp_path, clock)
    with first.estate.uow(tenant_id) as uow:
        uow.tenants.add(a_tenant(tenant_id))
        uow.communities.add(a_community(tenant_id, "阳光花园"))
        uow.communities.add(a_community(tenant_id, "金桂园"))
        uow.commit()
    second, _ = a_worker(database, tmp_path, clock)
    specs = [
        JobSpec(name="every", cadence=Cadence.EVERY),
        JobSpec(name="daily", cadence=Cadence.DAILY, at=time(8, 55)),
        JobSpec(name="monthly", cadence=Cadence.MONTHLY, day=16, at=time(0, 30)),
    ]
    one, two = Scheduler(first.queue, specs), Scheduler(second.queue, specs)

    clock.set(datetime(2026, 3, 15, 0, 50, tzinfo=UTC))  # 08:50 in Shanghai
    assert one.schedule_due(clock.now()) == 1, "the interval's slot, once for the tenant"
    assert two.schedule_due(clock.now()) == 0, "another worker finds it there"
    clock.set(datetime(2026, 3, 15, 0, 56, tzinfo=UTC))  # 08:56, same 15 minutes
    assert two.schedule_due(clock.now()) == 2, "the daily job for each community"
    assert one.schedule_due(clock.now()) == 0
    clock.set(datetime(2026, 3, 15, 16, 30, tzinfo=UTC))  # 00:30 on the 16th in Shanghai
    created = one.schedule_due(clock.now()) + two.schedule_due(clock.now())
    assert created == 1 + 2, "a new interval and the month's run; the day's job waits for 08:55"

    engine = make_engine(database)
    with engine.connect() as connection:
        slots = connection.execute(sa.select(jobs.c.name, jobs.c.slot)).all()
    engine.dispose()
    assert sorted(name for name, _ in slots) == ["daily"] * 2 + ["every"] * 2 + ["monthly"] * 2
    assert {slot.split(":")[-1] for name, slot in slots if name == "daily"} == {"2026-03-15"}
    assert {slot.split(":")[-1] for name, slot in slots if name == "monthly"} == {"2026-03"}


def test_a_push_is_recorded_with_its_key_and_not_sent_again(
    database: URL, mapped: None, tmp_path: Path, clock: FixedClock
) -> None:
    tenant_id = new_id()
    worker, console = a_worker(database, tmp_path, clock)
    with worker.estate.uow(tenant_id) as uow:
        resident = add_verified_resident(uow, clock, "13800000001")
        uow.commit()
    payload = {
        "coupon_id": str(new_id()),
        "campaign_id": str(new_id()),
        "resident_id": str(resident.resident_id),
    }
    (event_id,) = put_events(database, tenant_id, "CouponClaimed", [payload], NOW)
    (claimed,) = worker.queue.claim(QueueKind.OUTBOX, clock.now(), 10)
    handler = worker.runner.events["CouponClaimed"]
    context = JobContext(item=claimed, estate=worker.estate, now=clock.now())

    handler(context)  # pushed, then the worker stops before marking it done
    clock.advance(FAST.lease + timedelta(seconds=1))
    assert worker.runner.run_once() == 1

    assert [key for key, _ in console.sent] == [
        f"{event_id}:{resident.resident_id}:coupon.issued::console"
    ]
    engine = make_engine(database)
    with engine.connect() as connection:
        deliveries = connection.execute(sa.select(message_deliveries)).mappings().all()
    engine.dispose()
    assert [(d["channel"], d["recipient"]) for d in deliveries] == [
        ("console", str(resident.resident_id))
    ]
    inbox = SqlInbox(worker.queue.engine).messages(tenant_id, resident.resident_id, 10)
    assert len(inbox) == 1


def test_queue_health_counts_waiting_and_dead_and_ages_the_oldest(
    database: URL, mapped: None, tmp_path: Path, clock: FixedClock
) -> None:
    tenant_id = new_id()
    worker, _ = a_worker(database, tmp_path, clock, events={"Boom": Flaky(99)})
    assert worker.queue.stats(clock.now()) == QueueStats(
        depth=0, oldest_age_seconds=0.0, dead_letters=0
    )
    put_events(database, tenant_id, "Boom", [{}], NOW - timedelta(minutes=5))
    put_events(database, tenant_id, "Quiet", [{}, {}], NOW)
    assert worker.queue.stats(clock.now()) == QueueStats(
        depth=3, oldest_age_seconds=300.0, dead_letters=0
    )
    for _ in range(FAST.retry.max_attempts):
        worker.runner.run_once()
        clock.advance(FAST.retry.max_delay)
    assert queue_health(worker.queue.engine, clock.now()) == QueueStats(
        depth=0, oldest_age_seconds=0.0, dead_letters=1
    )
