"""Every (state, action) pair of the survey's transition table, and a stateful random walk."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from engagement_builders import GOOD_ANSWERS, a_plan
from estate_core.engagement.survey import (
    SURVEY_TRANSITIONS,
    Survey,
    SurveyAction,
    SurveyState,
)
from estate_core.properties.model import MemberRole
from estate_core.shared.errors import DomainError, InvalidTransition
from estate_core.shared.ids import new_id

NOW = datetime(2026, 3, 15, 2, 0, tzinfo=UTC)
COMMUNITY = new_id()
DAY = date(2026, 3, 15)


def _survey(state: SurveyState) -> Survey:
    survey = Survey.draft(
        id=new_id(),
        tenant_id=new_id(),
        plan=a_plan(frozenset({COMMUNITY})),
        created_by=new_id(),
        now=NOW,
    )
    if state is not SurveyState.DRAFT:
        survey.open(NOW)
    if state is SurveyState.CLOSED:
        survey.close(NOW)
    return survey


def _act(survey: Survey, action: SurveyAction) -> None:
    if action is SurveyAction.REVISE:
        survey.revise(a_plan(frozenset({COMMUNITY})))
    elif action is SurveyAction.OPEN:
        survey.open(NOW)
    elif action is SurveyAction.CLOSE:
        survey.close(NOW)
    else:
        survey.answer(
            response_id=new_id(),
            community_id=COMMUNITY,
            property_id=new_id(),
            resident_id=new_id(),
            role=MemberRole.OWNER,
            answers=GOOD_ANSWERS,
            local_day=DAY,
            now=NOW,
        )


@pytest.mark.parametrize("state", list(SurveyState))
@pytest.mark.parametrize("action", list(SurveyAction))
def test_every_transition_is_the_table_s(state: SurveyState, action: SurveyAction) -> None:
    survey = _survey(state)
    allowed = SURVEY_TRANSITIONS.get((state, action))
    if allowed is None:
        with pytest.raises(DomainError) as raised:
            _act(survey, action)
        expected = (
            "survey.not_open" if action is SurveyAction.ANSWER else "survey.invalid_transition"
        )
        assert raised.value.code == expected
        assert survey.state is state
    else:
        _act(survey, action)
        assert survey.state is allowed


@given(st.dates(min_value=date(2026, 1, 1), max_value=date(2026, 12, 31)))
def test_an_open_survey_takes_answers_only_inside_its_window(day: date) -> None:
    survey = _survey(SurveyState.OPEN)
    assert survey.takes_answers_on(day) is (date(2026, 3, 1) <= day <= date(2026, 3, 31))


@given(st.dates(), st.integers(-5, 400))
def test_a_window_opens_before_it_closes_within_a_year(opens_on: date, days: int) -> None:
    try:
        closes_on = opens_on + timedelta(days=days)
    except OverflowError:
        return
    plan = a_plan(frozenset({COMMUNITY}), opens_on=opens_on, closes_on=closes_on)
    if 0 <= days <= 365:
        assert (
            Survey.draft(
                id=new_id(), tenant_id=new_id(), plan=plan, created_by=new_id(), now=NOW
            ).closes_on
            == closes_on
        )
    else:
        with pytest.raises(DomainError) as raised:
            Survey.draft(id=new_id(), tenant_id=new_id(), plan=plan, created_by=new_id(), now=NOW)
        assert raised.value.code == "survey.invalid_window"


class SurveyMachine(RuleBasedStateMachine):
    """Random actions; the survey's state is always the one the table predicts."""

    survey: Survey
    expected: SurveyState

    @initialize()
    def draft(self) -> None:
        self.survey = _survey(SurveyState.DRAFT)
        self.expected = SurveyState.DRAFT

    @rule(action=st.sampled_from(list(SurveyAction)))
    def act(self, action: SurveyAction) -> None:
        allowed = SURVEY_TRANSITIONS.get((self.expected, action))
        try:
            _act(self.survey, action)
        except (InvalidTransition, DomainError):
            assert allowed is None
            return
        assert allowed is not None
        self.expected = allowed

    @invariant()
    def state_matches(self) -> None:
        assert self.survey.state is self.expected
        assert (self.survey.opened_at is None) is (self.expected is SurveyState.DRAFT)
        assert (self.survey.closed_at is None) is (self.expected is not SurveyState.CLOSED)


SurveyMachine.TestCase.settings = settings(max_examples=50, stateful_step_count=12)
test_survey_machine = SurveyMachine.TestCase
