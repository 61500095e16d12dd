"""Concurrent answers to one survey on a real PostgreSQL server, with real threads.

Every member of one home submits at the same moment: each unit of work finds no answer of the
home, and a barrier holds them all just before their commit, so all have checked before any
writes. The unique key on (survey, home) lets exactly one insert through; every other member
is refused with ``survey.already_answered``, the code a late second answer gets too. Homes of
their own answering at once never refuse each other: the answers are separate rows and the
survey itself is only read.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator
from uuid import UUID

import pytest
import sqlalchemy as sa
from community_samples import AT
from persistence_samples import a_household, a_property, a_resident, add_owners
from races import all_at_once
from sqlalchemy.engine import URL
from sqlalchemy.orm import Session, sessionmaker

from adapters.persistence.sqlalchemy import SqlAlchemyUnitOfWork, make_engine, make_session_factory
from adapters.persistence.sqlalchemy.tables.engagement import survey_responses
from engagement_builders import GOOD_ANSWERS, a_plan
from estate_core.engagement.services.surveys import AnswerSurvey, answer_survey
from estate_core.engagement.survey import Survey
from estate_core.identity.model import Community
from estate_core.properties.model import MemberRole
from estate_core.shared.access import ResidentActor
from estate_core.shared.clock import FixedClock
from estate_core.shared.errors import Conflict
from estate_core.shared.ids import new_id

THREADS = 12


class MeetingAtCommit(SqlAlchemyUnitOfWork):
    """A unit of work whose commit waits until every thread has reached its own commit."""

    def __init__(
        self, sessions: sessionmaker[Session], tenant_id: UUID, barrier: threading.Barrier
    ) -> None:
        super().__init__(sessions, tenant_id, FixedClock(AT))
        self._barrier = barrier

    def commit(self) -> None:
        self._barrier.wait(timeout=30)
        super().commit()


@pytest.fixture
def pg_sessions(postgresql_database: URL, mapped: None) -> Iterator[sessionmaker[Session]]:
    engine = make_engine(postgresql_database, pool_size=THREADS)
    yield make_session_factory(engine)
    engine.dispose()


def _open_survey(sessions: sessionmaker[Session], tenant_id: UUID, community_id: UUID) -> UUID:
    survey = Survey.draft(
        id=new_id(),
        tenant_id=tenant_id,
        plan=a_plan(frozenset({community_id})),
        created_by=new_id(),
        now=AT,
    )
    survey.open(AT)
    with SqlAlchemyUnitOfWork(sessions, tenant_id) as uow:
        uow.communities.add(Community(id=community_id, tenant_id=tenant_id, name="翠苑小区"))
        uow.surveys.add(survey)
        uow.commit()
    return survey.id


def _answer(
    sessions: sessionmaker[Session],
    tenant_id: UUID,
    barrier: threading.Barrier,
    who: ResidentActor,
    survey_id: UUID,
    home: UUID,
) -> str:
    uow = MeetingAtCommit(sessions, tenant_id, barrier)
    try:
        answer_survey(
            uow,
            FixedClock(AT),
            who,
            AnswerSurvey(survey_id=survey_id, property_id=home, answers=GOOD_ANSWERS),
        )
    except Conflict as refused:
        return refused.code
    return "answered"


def _stored(sessions: sessionmaker[Session], survey_id: UUID) -> Counter[UUID]:
    with sessions() as session:
        homes = session.scalars(
            sa.select(survey_responses.c.property_id).where(
                survey_responses.c.survey_id == survey_id
            )
        )
        return Counter(homes)


def test_members_of_one_home_answering_at_once_store_one_answer(
    pg_sessions: sessionmaker[Session],
) -> None:
    tenant_id, community_id = new_id(), new_id()
    survey_id = _open_survey(pg_sessions, tenant_id, community_id)
    members = [a_resident(tenant_id, f"138{i:08d}") for i in range(THREADS)]
    home = a_property(tenant_id, community_id)
    household = a_household(home)
    household.bind_owner(members[0].id, AT)
    for member in members[1:]:
        household.add_member(member.id, MemberRole.FAMILY, AT)
    with SqlAlchemyUnitOfWork(pg_sessions, tenant_id) as uow:
        for member in members:
            uow.residents.add(member)
        uow.properties.add(home)
        uow.households.add(household)
        uow.commit()
    barrier = threading.Barrier(THREADS)
    outcomes = all_at_once(
        THREADS,
        lambda i: _answer(
            pg_sessions,
            tenant_id,
            barrier,
            ResidentActor(resident_id=members[i].id),
            survey_id,
            home.id,
        ),
    )
    assert Counter(outcomes) == {"answered": 1, "survey.already_answered": THREADS - 1}
    assert _stored(pg_sessions, survey_id) == {home.id: 1}


def test_homes_answering_at_once_never_refuse_each_other(
    pg_sessions: sessionmaker[Session],
) -> None:
    tenant_id, community_id = new_id(), new_id()
    survey_id = _open_survey(pg_sessions, tenant_id, community_id)
    owners = [a_resident(tenant_id, f"139{i:08d}") for i in range(THREADS)]
    with SqlAlchemyUnitOfWork(pg_sessions, tenant_id) as uow:
        homes = add_owners(
            uow, community_id, owners, AT, rooms=[str(100 + i) for i in range(THREADS)]
        )
        uow.commit()
    barrier = threading.Barrier(THREADS)
    outcomes = all_at_once(
        THREADS,
        lambda i: _answer(
            pg_sessions,
            tenant_id,
            barrier,
            ResidentActor(resident_id=owners[i].id),
            survey_id,
            homes[i].id,
        ),
    )
    assert outcomes == ["answered"] * THREADS
    assert _stored(pg_sessions, survey_id) == {home.id: 1 for home in homes}
