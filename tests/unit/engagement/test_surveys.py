"""Survey use cases on the in-memory store: who answers, once per home, and the results."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from adapters.persistence.memory import InMemoryUnitOfWork
from engagement_builders import GOOD_ANSWERS, Estate, a_plan, staff
from estate_core.engagement.queries import response_rate, survey_results
from estate_core.engagement.questions import Answer
from estate_core.engagement.services.surveys import (
    AnswerSurvey,
    answer_survey,
    close_survey,
    draft_survey,
    surveys_for_resident,
)
from estate_core.identity.model import Community
from estate_core.properties.model import MemberRole
from estate_core.shared.access import Permission, ResidentActor
from estate_core.shared.ids import new_id
from world_builders import code_of


def _answer(estate: Estate, who: ResidentActor, survey_id, home, answers=GOOD_ANSWERS):  # type: ignore[no-untyped-def]
    return answer_survey(
        estate.uow,
        estate.clock,
        who,
        AnswerSurvey(survey_id=survey_id, property_id=home, answers=answers),
    )


def test_owner_and_family_answer_for_their_homes(estate: Estate) -> None:
    owner = estate.resident()
    home = estate.home(owner=owner)
    other_owner = estate.resident()
    other_home = estate.home(owner=other_owner)
    family = estate.family(other_home)
    survey_id = estate.open_survey()
    _answer(estate, owner, survey_id, home)
    _answer(estate, family, survey_id, other_home)
    with estate.uow:
        answered = estate.uow.survey_responses.answered_homes(survey_id, [home, other_home])
    assert answered == {home, other_home}


def test_a_second_answer_from_the_same_home_is_refused(estate: Estate) -> None:
    owner = estate.resident()
    home = estate.home(owner=owner)
    family = estate.family(home)
    survey_id = estate.open_survey()
    _answer(estate, owner, survey_id, home)
    assert code_of(lambda: _answer(estate, family, survey_id, home)) == "survey.already_answered"
    assert code_of(lambda: _answer(estate, owner, survey_id, home)) == "survey.already_answered"


def test_two_answers_of_one_home_at_once_store_one(estate: Estate) -> None:
    """Both units of work find no answer, both add one; the unique key refuses the second."""
    owner = estate.resident()
    home = estate.home(owner=owner)
    family = estate.family(home)
    survey_id = estate.open_survey()
    store, tenant_id = estate.uow._store, estate.uow.tenant_id
    first = InMemoryUnitOfWork(store, tenant_id, estate.clock)
    second = InMemoryUnitOfWork(store, tenant_id, estate.clock)
    with estate.uow:
        survey = estate.uow.surveys.get(survey_id)
    with first, second:
        for uow, who in ((first, owner), (second, family)):
            assert uow.survey_responses.for_home(survey_id, home) is None
            uow.survey_responses.add(
                survey.answer(
                    response_id=new_id(),
                    community_id=estate.community_id,
                    property_id=home,
                    resident_id=who.resident_id,
                    role=MemberRole.OWNER,
                    answers=GOOD_ANSWERS,
                    local_day=date(2026, 3, 15),
                    now=estate.clock.now(),
                )
            )
        first.commit()
        assert code_of(second.commit) == "survey.already_answered"
    with first:
        assert len(first.survey_responses.submitted(survey_id)) == 1


def test_tenants_and_strangers_cannot_answer(estate: Estate) -> None:
    owner = estate.resident()
    home = estate.home(owner=owner)
    tenant = estate.family(home, MemberRole.TENANT)
    stranger = estate.resident()
    survey_id = estate.open_survey()
    assert code_of(lambda: _answer(estate, tenant, survey_id, home)) == (
        "survey.tenants_cannot_answer"
    )
    assert code_of(lambda: _answer(estate, stranger, survey_id, home)) == "survey.not_bound_here"
    unbound_home = estate.home()
    assert code_of(lambda: _answer(estate, stranger, survey_id, unbound_home)) == (
        "survey.not_bound_here"
    )


def test_homes_outside_the_survey_communities_cannot_answer(estate: Estate) -> None:
    owner = estate.resident()
    home = estate.home(estate.other_community_id, owner=owner)
    survey_id = estate.open_survey()
    assert code_of(lambda: _answer(estate, owner, survey_id, home)) == "survey.not_bound_here"


def test_the_window_is_the_community_s_local_dates(estate: Estate) -> None:
    """1 November 00:30 in Shanghai is still 31 October in UTC; the survey takes the answer."""
    owner = estate.resident()
    home = estate.home(owner=owner)
    survey_id = estate.open_survey(opens_on=date(2026, 11, 1), closes_on=date(2026, 11, 30))
    estate.clock.set(datetime(2026, 10, 31, 16, 30, tzinfo=UTC))
    _answer(estate, owner, survey_id, home)
    late_owner = estate.resident()
    late_home = estate.home(owner=late_owner)
    estate.clock.set(datetime(2026, 11, 30, 16, 0, tzinfo=UTC))
    assert code_of(lambda: _answer(estate, late_owner, survey_id, late_home)) == "survey.not_open"


def test_a_closed_survey_takes_no_answer(estate: Estate) -> None:
    owner = estate.resident()
    home = estate.home(owner=owner)
    survey_id = estate.open_survey()
    close_survey(estate.uow, estate.clock, estate.admin, survey_id)
    assert code_of(lambda: _answer(estate, owner, survey_id, home)) == "survey.not_open"


def test_invalid_answers_change_nothing(estate: Estate) -> None:
    owner = estate.resident()
    home = estate.home(owner=owner)
    survey_id = estate.open_survey()
    bad = [Answer(question=0, score=9)]
    assert code_of(lambda: _answer(estate, owner, survey_id, home, bad)) == (
        "survey.invalid_answer"
    )
    _answer(estate, owner, survey_id, home)


def test_residents_see_why_a_home_cannot_answer(estate: Estate) -> None:
    owner = estate.resident()
    home = estate.home(owner=owner)
    tenant_home = estate.home(owner=estate.resident())
    tenancy = estate.family(tenant_home, MemberRole.TENANT)
    survey_id = estate.open_survey()
    _answer(estate, owner, survey_id, home)
    [mine] = surveys_for_resident(estate.uow, estate.clock, owner)
    assert [(h.property_id, h.may_answer, h.reason) for h in mine.homes] == [
        (home, False, "survey.already_answered")
    ]
    [theirs] = surveys_for_resident(estate.uow, estate.clock, tenancy)
    assert theirs.id == survey_id
    assert [h.reason for h in theirs.homes] == ["survey.tenants_cannot_answer"]
    assert surveys_for_resident(estate.uow, estate.clock, estate.resident()) == []


def test_results_per_community_with_the_response_rate(estate: Estate) -> None:
    owners = [estate.resident() for _ in range(4)]
    homes = [estate.home(owner=o) for o in owners]
    estate.home()
    far_owner = estate.resident()
    far_home = estate.home(estate.other_community_id, owner=far_owner)
    communities = frozenset({estate.community_id, estate.other_community_id})
    survey_id = estate.open_survey(communities)
    _answer(estate, owners[0], survey_id, homes[0])
    _answer(
        estate,
        owners[1],
        survey_id,
        homes[1],
        [Answer(question=0, score=2), Answer(question=1, choices=(0,))],
    )
    _answer(estate, far_owner, survey_id, far_home)
    results = survey_results(estate.uow, estate.admin, survey_id)
    here = next(c for c in results.communities if c.community_id == estate.community_id)
    assert (here.bound_homes, here.answered_homes, here.response_rate) == (4, 2, Decimal("0.5"))
    scale, single, multiple, text = here.questions
    assert scale.counts == (0, 1, 0, 0, 1)
    assert scale.mean == Decimal("3.50")
    assert single.counts == (1, 1, 0)
    assert multiple.counts == (1, 0, 0, 1)
    assert multiple.answered == 1
    assert text.texts == ("电梯维修很及时",)
    far = next(c for c in results.communities if c.community_id == estate.other_community_id)
    assert (far.bound_homes, far.answered_homes, far.response_rate) == (1, 1, Decimal("1"))


@pytest.mark.parametrize(
    ("answered", "bound", "rate"), [(0, 0, "0"), (1, 3, "0.3333"), (2, 3, "0.6667")]
)
def test_response_rate_is_rounded_half_up(answered: int, bound: int, rate: str) -> None:
    assert response_rate(answered, bound) == Decimal(rate)


def test_only_survey_staff_in_scope_draft_and_read(estate: Estate) -> None:
    plan = a_plan(frozenset({estate.community_id}))
    outsider = staff(Permission.SURVEY_MANAGE, communities=frozenset({estate.other_community_id}))
    assert code_of(lambda: draft_survey(estate.uow, estate.clock, outsider, plan)) == (
        "permission.out_of_scope"
    )
    clerk = staff(Permission.NOTICE_PUBLISH)
    assert code_of(lambda: draft_survey(estate.uow, estate.clock, clerk, plan)) == (
        "permission.missing"
    )
    survey_id = estate.open_survey()
    assert code_of(lambda: survey_results(estate.uow, clerk, survey_id)) == "permission.missing"
    reader = staff(Permission.REPORT_READ)
    assert survey_results(estate.uow, reader, survey_id).survey_id == survey_id
    owner = estate.resident()
    assert code_of(lambda: survey_results(estate.uow, owner, survey_id)) == (
        "permission.staff_only"
    )


def test_a_survey_for_an_unknown_community_is_refused(estate: Estate) -> None:
    plan = a_plan(frozenset({new_id()}))
    assert code_of(lambda: draft_survey(estate.uow, estate.clock, estate.admin, plan)) == (
        "community.not_found"
    )


def test_a_home_answers_in_its_community_s_time_zone(estate: Estate) -> None:
    """A community in Urumqi (UTC+6) is still on 31 March when Shanghai is on 1 April."""
    west = Community(
        id=new_id(), tenant_id=estate.uow.tenant_id, name="西域", time_zone="Asia/Urumqi"
    )
    with estate.uow:
        estate.uow.communities.add(west)
        estate.uow.commit()
    owner = estate.resident()
    home = estate.home(west.id, owner=owner)
    survey_id = estate.open_survey(frozenset({west.id}))
    estate.clock.set(datetime(2026, 3, 31, 17, 0, tzinfo=UTC))
    _answer(estate, owner, survey_id, home)
