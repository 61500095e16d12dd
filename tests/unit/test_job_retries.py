"""The retry rule of the worker's queue: backoff with jitter, dead letters, the state machine."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from estate_core.shared.errors import InvalidInput
from estate_core.shared.jobs import (
    TRANSITIONS,
    JobAction,
    JobState,
    RetryPolicy,
    next_state,
)

NOW = datetime(2026, 3, 15, 2, 0, tzinfo=UTC)

policies = st.builds(
    RetryPolicy,
    max_attempts=st.integers(1, 20),
    base_delay=st.timedeltas(timedelta(milliseconds=1), timedelta(minutes=10)),
    max_delay=st.timedeltas(timedelta(minutes=10), timedelta(days=2)),
)
draws = st.floats(0.0, 1.0, exclude_max=True)


@given(policies, st.integers(1, 100), draws)
def test_each_wait_lies_between_half_and_all_of_a_doubling_ceiling(
    policy: RetryPolicy, attempts: int, draw: float
) -> None:
    ceiling = policy.ceiling(attempts)
    microsecond = timedelta(microseconds=1)
    doubled = policy.base_delay // microsecond * 2 ** (attempts - 1)
    assert ceiling // microsecond == min(doubled, policy.max_delay // microsecond)
    assert ceiling / 2 <= policy.delay(attempts, draw) <= ceiling


@given(policies, st.integers(1, 99))
def test_ceilings_never_shrink_and_stop_at_the_cap(policy: RetryPolicy, attempts: int) -> None:
    assert policy.ceiling(attempts) <= policy.ceiling(attempts + 1) <= policy.max_delay


@given(policies, st.integers(1, 40), draws)
def test_a_failure_is_retried_later_until_the_last_attempt_then_dead(
    policy: RetryPolicy, attempts: int, draw: float
) -> None:
    retry_at = policy.after_failure(attempts, NOW, draw)
    if attempts >= policy.max_attempts:
        assert retry_at is None
    else:
        assert retry_at is not None
        assert retry_at > NOW


def test_a_policy_that_cannot_work_is_refused() -> None:
    with pytest.raises(InvalidInput):
        RetryPolicy(max_attempts=0)
    with pytest.raises(InvalidInput):
        RetryPolicy(base_delay=timedelta(hours=2), max_delay=timedelta(hours=1))
    with pytest.raises(ValueError, match="draw"):
        RetryPolicy().delay(1, 1.0)


@pytest.mark.parametrize("state", list(JobState))
@pytest.mark.parametrize("action", list(JobAction))
def test_every_state_and_action_pair_is_allowed_only_as_the_table_says(
    state: JobState, action: JobAction
) -> None:
    policy = RetryPolicy(max_attempts=3)
    allowed = TRANSITIONS.get((state, action))
    if allowed is None:
        with pytest.raises(InvalidInput) as refused:
            next_state(state, action, attempts=1, policy=policy)
        assert refused.value.code == "job.invalid_transition"
    else:
        assert next_state(state, action, attempts=1, policy=policy) in allowed


class JobLife(RuleBasedStateMachine):
    """Random claims, failures, crashes, successes and staff retries of one job, checked against
    the counting rule: it dies exactly when its claims reach the limit, and only staff revive it."""

    def __init__(self) -> None:
        super().__init__()
        self.policy = RetryPolicy(max_attempts=4)
        self.state = JobState.PENDING
        self.attempts = 0
        self.finished = False

    def _move(self, action: JobAction) -> None:
        self.state = next_state(self.state, action, attempts=self.attempts, policy=self.policy)

    @precondition(lambda self: self.state is JobState.PENDING)
    @rule()
    def claim(self) -> None:
        self.attempts += 1
        self._move(JobAction.CLAIM)

    @precondition(lambda self: self.state is JobState.CLAIMED)
    @rule(crashed=st.booleans())
    def fail(self, crashed: bool) -> None:
        self._move(JobAction.LEASE_EXPIRE if crashed else JobAction.FAIL)
        expected = JobState.DEAD if self.attempts >= self.policy.max_attempts else JobState.PENDING
        assert self.state is expected

    @precondition(lambda self: self.state is JobState.CLAIMED)
    @rule()
    def succeed(self) -> None:
        self._move(JobAction.SUCCEED)
        self.finished = True

    @precondition(lambda self: self.state is JobState.DEAD)
    @rule()
    def staff_retry(self) -> None:
        self._move(JobAction.RETRY_BY_STAFF)
        self.attempts = 0

    @rule(action=st.sampled_from(list(JobAction)))
    def anything_else_is_refused(self, action: JobAction) -> None:
        if (self.state, action) in TRANSITIONS:
            return
        with pytest.raises(InvalidInput):
            self._move(action)

    @invariant()
    def attempts_stay_within_the_limit(self) -> None:
        assert 0 <= self.attempts <= self.policy.max_attempts

    @invariant()
    def done_is_final(self) -> None:
        assert self.finished == (self.state is JobState.DONE)


TestJobLife = JobLife.TestCase
TestJobLife.settings = settings(max_examples=200, stateful_step_count=30)
