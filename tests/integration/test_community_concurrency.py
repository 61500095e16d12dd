"""Concurrent sign-ups and reads against one real database, with real threads.

The sign-ups live inside the activity, so every sign-up bumps the activity's version: two
residents taking the last places at once both load the same version and only the first
commit wins; the others get ``ConcurrencyConflict`` (retry) and, once the places are gone,
``activity.full``. The head count never passes the capacity; the database's CHECK on
``activities.people`` would refuse it even if the version check were bypassed.

A resident opening a notice twice at once stores one read receipt: the second insert hits the
unique key, which ``read_notice`` takes as "already read".

PostgreSQL runs the units of work truly in parallel; a barrier holds every thread just before
its commit, so all of them have read before any of them writes. SQLite queues writers
(``BEGIN IMMEDIATE``), so there the free-running sign-ups simply take turns.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator
from uuid import UUID

import pytest
import sqlalchemy as sa
from community_samples import AT, STAFF, a_notice, an_activity
from persistence_samples import a_resident, add_owners
from races import all_at_once
from sqlalchemy.engine import URL
from sqlalchemy.orm import Session, sessionmaker

from adapters.persistence.sqlalchemy import SqlAlchemyUnitOfWork, make_engine, make_session_factory
from adapters.persistence.sqlalchemy.tables.community import activities, notice_reads
from estate_core.community.activity import HOLDS_PLACES
from estate_core.community.services.activities import SignUpForActivity, sign_up_for_activity
from estate_core.community.services.notice_reading import read_notice
from estate_core.shared.access import ResidentActor
from estate_core.shared.clock import FixedClock
from estate_core.shared.errors import ConcurrencyConflict, Conflict
from estate_core.shared.ids import new_id

THREADS = 16
FULL = "activity.full"


class MeetingAtCommit(SqlAlchemyUnitOfWork):
    """A unit of work whose commit waits until every thread has reached its own commit."""

    def __init__(
        self, sessions: sessionmaker[Session], tenant_id: UUID, barrier: threading.Barrier
    ) -> None:
        super().__init__(sessions, tenant_id, FixedClock(AT))
        self._barrier = barrier
        self.refused: list[str] = []

    def commit(self) -> None:
        self._barrier.wait(timeout=30)
        try:
            super().commit()
        except Conflict as refused:
            self.refused.append(refused.code)
            raise


@pytest.fixture
def sessions(database: URL, mapped: None) -> Iterator[sessionmaker[Session]]:
    engine = make_engine(database, pool_size=THREADS)
    yield make_session_factory(engine)
    engine.dispose()


@pytest.fixture
def pg_sessions(postgresql_database: URL, mapped: None) -> Iterator[sessionmaker[Session]]:
    engine = make_engine(postgresql_database, pool_size=THREADS)
    yield make_session_factory(engine)
    engine.dispose()


def _bound_residents(
    sessions: sessionmaker[Session], tenant_id: UUID, community_id: UUID, count: int
) -> list[ResidentActor]:
    """``count`` residents, each the owner of a home in the community."""
    residents = [a_resident(tenant_id, f"138{i:08d}") for i in range(count)]
    with SqlAlchemyUnitOfWork(sessions, tenant_id) as uow:
        add_owners(uow, community_id, residents, AT, rooms=[str(100 + i) for i in range(count)])
        uow.commit()
    return [ResidentActor(resident_id=resident.id) for resident in residents]


def _open_activity(
    sessions: sessionmaker[Session], tenant_id: UUID, community_id: UUID, capacity: int
) -> UUID:
    activity = an_activity(tenant_id, community_id, capacity=capacity)
    with SqlAlchemyUnitOfWork(sessions, tenant_id) as uow:
        uow.activities.add(activity)
        uow.commit()
    return activity.id


def _sign_up(
    uow: SqlAlchemyUnitOfWork, activity_id: UUID, resident: ResidentActor, heads: int = 1
) -> str:
    """What became of the sign-up: ``signed_up`` or the refusal's code."""
    try:
        sign_up_for_activity(
            uow,
            FixedClock(AT),
            resident,
            SignUpForActivity(activity_id=activity_id, head_count=heads),
        )
    except Conflict as refused:
        return refused.code
    return "signed_up"


def _stored_people(
    sessions: sessionmaker[Session], tenant_id: UUID, activity_id: UUID
) -> tuple[int, int]:
    """The stored ``people`` column and the live head counts of the stored sign-ups."""
    with SqlAlchemyUnitOfWork(sessions, tenant_id) as uow:
        people = uow.session.scalar(
            sa.select(activities.c.people).where(activities.c.id == activity_id)
        )
        activity = uow.activities.get(activity_id)
        live = sum(s.head_count for s in activity.sign_ups if s.status in HOLDS_PLACES)
        return int(people or 0), live


def test_residents_racing_for_the_last_place_leave_one_winner_on_postgresql(
    pg_sessions: sessionmaker[Session], tenant_id: UUID
) -> None:
    community_id, capacity = new_id(), 5
    residents = _bound_residents(pg_sessions, tenant_id, community_id, capacity - 1 + THREADS)
    activity_id = _open_activity(pg_sessions, tenant_id, community_id, capacity)
    early, racing = residents[: capacity - 1], residents[capacity - 1 :]
    for resident in early:
        uow = SqlAlchemyUnitOfWork(pg_sessions, tenant_id)
        assert _sign_up(uow, activity_id, resident) == "signed_up"
    barrier = threading.Barrier(THREADS)

    def race(number: int) -> str:
        uow = MeetingAtCommit(pg_sessions, tenant_id, barrier)
        return _sign_up(uow, activity_id, racing[number])

    outcomes = Counter(all_at_once(THREADS, race))
    assert outcomes == {"signed_up": 1, ConcurrencyConflict.code: THREADS - 1}
    assert _stored_people(pg_sessions, tenant_id, activity_id) == (capacity, capacity)


def test_residents_signing_up_at_once_never_pass_the_capacity(
    sessions: sessionmaker[Session], tenant_id: UUID
) -> None:
    """Free-running, each retrying after a conflict: the places fill exactly, then "full"."""
    community_id, capacity = new_id(), 12
    residents = _bound_residents(sessions, tenant_id, community_id, THREADS)
    activity_id = _open_activity(sessions, tenant_id, community_id, capacity)
    heads = [1 + number % 3 for number in range(THREADS)]

    def sign_up_retrying(number: int) -> str:
        uow = SqlAlchemyUnitOfWork(sessions, tenant_id)
        outcome = ConcurrencyConflict.code
        for _ in range(THREADS):
            outcome = _sign_up(uow, activity_id, residents[number], heads[number])
            if outcome != ConcurrencyConflict.code:
                break
        return outcome

    outcomes = all_at_once(THREADS, sign_up_retrying)
    assert set(outcomes) <= {"signed_up", FULL}
    seated = sum(h for h, outcome in zip(heads, outcomes, strict=True) if outcome == "signed_up")
    people, live = _stored_people(sessions, tenant_id, activity_id)
    assert people == live == seated <= capacity
    refused = [h for h, outcome in zip(heads, outcomes, strict=True) if outcome == FULL]
    assert refused
    assert all(h > capacity - seated for h in refused)


def test_one_resident_opening_a_notice_twice_at_once_stores_one_receipt_on_postgresql(
    pg_sessions: sessionmaker[Session], tenant_id: UUID
) -> None:
    community_id, readers = new_id(), 4
    [resident] = _bound_residents(pg_sessions, tenant_id, community_id, 1)
    notice = a_notice(tenant_id, frozenset({community_id}))
    notice.publish(AT, STAFF)
    with SqlAlchemyUnitOfWork(pg_sessions, tenant_id) as uow:
        uow.notices.add(notice)
        uow.commit()
    barrier = threading.Barrier(readers)
    units = [MeetingAtCommit(pg_sessions, tenant_id, barrier) for _ in range(readers)]

    def open_notice(number: int) -> bool:
        return read_notice(units[number], FixedClock(AT), resident, notice.id).read

    assert all_at_once(readers, open_notice) == [True] * readers
    assert sorted(code for unit in units for code in unit.refused) == ["notice_reads.duplicate"] * (
        readers - 1
    )
    with SqlAlchemyUnitOfWork(pg_sessions, tenant_id) as uow:
        stored = uow.session.scalars(sa.select(notice_reads.c.resident_id)).all()
    assert stored == [resident.resident_id]
