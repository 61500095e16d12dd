"""Stateful property test: random sign-ups, cancellations, check-ins and time on an Activity.

A simple model (each resident's latest sign-up) predicts every outcome; the invariants are that
the places taken never exceed the capacity and always equal the model's head counts.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from uuid import UUID

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from estate_core.community.activity import (
    CHECK_IN_OPENS_BEFORE_START,
    Activity,
    SignUpStatus,
)
from estate_core.shared.errors import DomainError
from estate_core.shared.ids import new_id

NOW = datetime(2026, 3, 15, 2, 0, tzinfo=UTC)
RESIDENTS = [new_id() for _ in range(6)]
GUARD = new_id()


class ActivityMachine(RuleBasedStateMachine):
    activity: Activity
    now: datetime
    model: dict[UUID, tuple[int, SignUpStatus]]
    cancelled: bool

    @initialize(capacity=st.integers(1, 12))
    def organise(self, capacity: int) -> None:
        self.now = NOW
        self.model = {}
        self.cancelled = False
        self.activity = Activity.organise(
            id=new_id(),
            tenant_id=new_id(),
            community_id=new_id(),
            title="篮球赛",
            description="",
            capacity=capacity,
            starts_at=NOW + timedelta(days=2),
            ends_at=NOW + timedelta(days=2, hours=2),
            sign_up_deadline=NOW + timedelta(days=1),
            created_by=GUARD,
            now=NOW,
        )

    def _taken(self) -> int:
        return sum(h for h, s in self.model.values() if s is not SignUpStatus.CANCELLED)

    def _attempt(self, expected: str | None, action: Callable[[], None]) -> bool:
        """Run ``action``; it must succeed when ``expected`` is None, else fail with that code."""
        if expected is None:
            action()
            return True
        with pytest.raises(DomainError) as refused:
            action()
        assert refused.value.code == expected
        return False

    @rule(who=st.sampled_from(RESIDENTS), head_count=st.integers(1, 5))
    def sign_up(self, who: UUID, head_count: int) -> None:
        latest = self.model.get(who)
        if self.cancelled:
            expected: str | None = "activity.invalid_transition"
        elif self.now > self.activity.sign_up_deadline:
            expected = "activity.sign_up_closed"
        elif latest is not None and latest[1] is not SignUpStatus.CANCELLED:
            expected = "activity.already_signed_up"
        elif self._taken() + head_count > self.activity.capacity:
            expected = "activity.full"
        else:
            expected = None
        if self._attempt(expected, lambda: self.activity.sign_up(who, head_count, self.now)):
            self.model[who] = (head_count, SignUpStatus.SIGNED_UP)

    @rule(who=st.sampled_from(RESIDENTS))
    def cancel_sign_up(self, who: UUID) -> None:
        latest = self.model.get(who)
        if latest is None:
            expected: str | None = "activity.not_signed_up"
        elif self.now >= self.activity.starts_at:
            expected = "activity.sign_up_closed"
        elif latest[1] is not SignUpStatus.SIGNED_UP:
            expected = "sign_up.invalid_transition"
        else:
            expected = None
        if self._attempt(expected, lambda: self.activity.cancel_sign_up(who, self.now)):
            assert latest is not None
            self.model[who] = (latest[0], SignUpStatus.CANCELLED)

    @rule(who=st.sampled_from(RESIDENTS))
    def check_in(self, who: UUID) -> None:
        latest = self.model.get(who)
        opens = self.activity.starts_at - CHECK_IN_OPENS_BEFORE_START
        if self.cancelled:
            expected: str | None = "activity.invalid_transition"
        elif latest is None:
            expected = "activity.not_signed_up"
        elif not opens <= self.now <= self.activity.ends_at:
            expected = "activity.check_in_closed"
        elif latest[1] is not SignUpStatus.SIGNED_UP:
            expected = "sign_up.invalid_transition"
        else:
            expected = None
        if self._attempt(expected, lambda: self.activity.check_in(who, GUARD, self.now)):
            assert latest is not None
            self.model[who] = (latest[0], SignUpStatus.CHECKED_IN)

    @rule(hours=st.integers(0, 30))
    def time_passes(self, hours: int) -> None:
        self.now += timedelta(hours=hours)

    @rule()
    def cancel_activity(self) -> None:
        if self.cancelled:
            expected: str | None = "activity.invalid_transition"
        elif self.now >= self.activity.ends_at:
            expected = "activity.already_over"
        else:
            expected = None
        if self._attempt(expected, lambda: self.activity.cancel("下雨", self.now)):
            self.cancelled = True

    @invariant()
    def capacity_is_never_exceeded(self) -> None:
        counts = self.activity.counts()
        assert counts.people <= self.activity.capacity
        assert counts.people == self._taken()
        assert counts.checked_in_people == sum(
            h for h, s in self.model.values() if s is SignUpStatus.CHECKED_IN
        )

    @invariant()
    def one_live_sign_up_per_resident(self) -> None:
        live = [
            s.resident_id for s in self.activity.sign_ups if s.status is not SignUpStatus.CANCELLED
        ]
        assert len(live) == len(set(live))


ActivityMachine.TestCase.settings = settings(max_examples=40, stateful_step_count=30, deadline=None)
test_activity_capacity_holds_under_random_commands = ActivityMachine.TestCase
