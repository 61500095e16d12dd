"""Activity 小区活动: staff organise, bound residents sign up with a head count, staff check in.

Seed 001 §2.2.5: 物业可在平台发布、组织一些活动，业主在微信平台报名参加，后台统计报名、参加人数.
The sign-ups live inside the activity so that "the head counts of the sign-ups never exceed the
capacity" is one aggregate's invariant: two residents taking the last places at once load the
same version, and the second commit is refused as a concurrency conflict.
"""

from __future__ import annotations

import enum
from datetime import datetime, timedelta
from uuid import UUID

import attrs

from estate_core.community import events
from estate_core.shared.errors import Conflict, InvalidInput, InvalidTransition, NotFound
from estate_core.shared.events import Aggregate

CHECK_IN_OPENS_BEFORE_START = timedelta(hours=1)
"""Check-in opens an hour before the start (people arrive early) and closes at the end."""

MAX_CAPACITY = 100_000


class ActivityState(enum.StrEnum):
    OPEN = "open"
    CANCELLED = "cancelled"


class ActivityAction(enum.StrEnum):
    SIGN_UP = "sign_up"
    CHECK_IN = "check_in"
    CANCEL = "cancel"


ACTIVITY_TRANSITIONS: dict[tuple[ActivityState, ActivityAction], ActivityState] = {
    (ActivityState.OPEN, ActivityAction.SIGN_UP): ActivityState.OPEN,
    (ActivityState.OPEN, ActivityAction.CHECK_IN): ActivityState.OPEN,
    (ActivityState.OPEN, ActivityAction.CANCEL): ActivityState.CANCELLED,
}
"""The activity's transition table; a cancelled activity takes no sign-up and no check-in."""


class SignUpStatus(enum.StrEnum):
    SIGNED_UP = "signed_up"
    CANCELLED = "cancelled"
    CHECKED_IN = "checked_in"


class SignUpAction(enum.StrEnum):
    CANCEL = "cancel"
    CHECK_IN = "check_in"


SIGN_UP_TRANSITIONS: dict[tuple[SignUpStatus, SignUpAction], SignUpStatus] = {
    (SignUpStatus.SIGNED_UP, SignUpAction.CANCEL): SignUpStatus.CANCELLED,
    (SignUpStatus.SIGNED_UP, SignUpAction.CHECK_IN): SignUpStatus.CHECKED_IN,
}
"""The transition table of one sign-up 报名."""

HOLDS_PLACES = frozenset({SignUpStatus.SIGNED_UP, SignUpStatus.CHECKED_IN})


class ActivityFull(Conflict):
    code = "activity.full"


class AlreadySignedUp(Conflict):
    code = "activity.already_signed_up"


class SignUpClosed(Conflict):
    code = "activity.sign_up_closed"


@attrs.frozen(kw_only=True)
class SignUp:
    """One resident's sign-up 报名 for ``head_count`` people (themselves and companions)."""

    resident_id: UUID
    head_count: int
    signed_up_at: datetime
    status: SignUpStatus = SignUpStatus.SIGNED_UP
    cancelled_at: datetime | None = None
    checked_in_at: datetime | None = None
    checked_in_by: UUID | None = None

    def _next(self, action: SignUpAction) -> SignUpStatus:
        next_status = SIGN_UP_TRANSITIONS.get((self.status, action))
        if next_status is None:
            raise InvalidTransition("sign_up", self.status.value, action.value)
        return next_status

    def cancelled(self, at: datetime) -> SignUp:
        return attrs.evolve(self, status=self._next(SignUpAction.CANCEL), cancelled_at=at)

    def checked_in(self, at: datetime, by: UUID) -> SignUp:
        return attrs.evolve(
            self, status=self._next(SignUpAction.CHECK_IN), checked_in_at=at, checked_in_by=by
        )


@attrs.frozen(kw_only=True)
class ActivityCounts:
    """后台统计报名、参加人数: sign-ups and people, signed up and checked in."""

    capacity: int
    sign_ups: int
    people: int
    checked_in_sign_ups: int
    checked_in_people: int

    @property
    def places_left(self) -> int:
        return self.capacity - self.people


def check_schedule(
    capacity: int, starts_at: datetime, ends_at: datetime, deadline: datetime, now: datetime
) -> None:
    """The rules of a new activity: some capacity, a future start, a deadline before the start."""
    if not 1 <= capacity <= MAX_CAPACITY:
        raise InvalidInput("activity.invalid_capacity", f"capacity is 1 to {MAX_CAPACITY} people")
    if not now < starts_at < ends_at:
        raise InvalidInput("activity.invalid_time", "an activity starts in the future, then ends")
    if not now < deadline <= starts_at:
        raise InvalidInput(
            "activity.invalid_deadline", "the sign-up deadline is after now and not after the start"
        )


@attrs.define(slots=False, eq=False, kw_only=True)
class Activity(Aggregate):
    """Activity 小区活动 (transition tables :data:`ACTIVITY_TRANSITIONS`, ``SIGN_UP_TRANSITIONS``).

    A resident holds at most one live sign-up; after cancelling they may sign up again while the
    sign-up is open. Cancelled sign-ups stay as history.
    """

    id: UUID
    tenant_id: UUID
    community_id: UUID
    title: str
    description: str
    capacity: int
    starts_at: datetime
    ends_at: datetime
    sign_up_deadline: datetime
    created_by: UUID
    created_at: datetime
    state: ActivityState = ActivityState.OPEN
    cancel_reason: str = ""
    sign_ups: list[SignUp] = attrs.field(factory=list)

    @classmethod
    def organise(
        cls,
        *,
        id: UUID,
        tenant_id: UUID,
        community_id: UUID,
        title: str,
        description: str,
        capacity: int,
        starts_at: datetime,
        ends_at: datetime,
        sign_up_deadline: datetime,
        created_by: UUID,
        now: datetime,
    ) -> Activity:
        """A new open activity, announced to the community (event ``ActivityCreated``)."""
        check_schedule(capacity, starts_at, ends_at, sign_up_deadline, now)
        activity = cls(
            id=id,
            tenant_id=tenant_id,
            community_id=community_id,
            title=title,
            description=description,
            capacity=capacity,
            starts_at=starts_at,
            ends_at=ends_at,
            sign_up_deadline=sign_up_deadline,
            created_by=created_by,
            created_at=now,
        )
        activity.record(
            events.ActivityCreated(
                activity_id=id, community_id=community_id, title=title, starts_at=starts_at
            )
        )
        return activity

    def _next(self, action: ActivityAction) -> ActivityState:
        next_state = ACTIVITY_TRANSITIONS.get((self.state, action))
        if next_state is None:
            raise InvalidTransition("activity", self.state.value, action.value)
        return next_state

    def live_sign_up(self, resident_id: UUID) -> SignUp | None:
        return next(
            (s for s in self.sign_ups if s.resident_id == resident_id and s.status in HOLDS_PLACES),
            None,
        )

    @property
    def people(self) -> int:
        return sum(s.head_count for s in self.sign_ups if s.status in HOLDS_PLACES)

    def counts(self) -> ActivityCounts:
        live = [s for s in self.sign_ups if s.status in HOLDS_PLACES]
        arrived = [s for s in live if s.status is SignUpStatus.CHECKED_IN]
        return ActivityCounts(
            capacity=self.capacity,
            sign_ups=len(live),
            people=sum(s.head_count for s in live),
            checked_in_sign_ups=len(arrived),
            checked_in_people=sum(s.head_count for s in arrived),
        )

    def sign_up(self, resident_id: UUID, head_count: int, now: datetime) -> None:
        """Take ``head_count`` places until the deadline, never past the capacity."""
        next_state = self._next(ActivityAction.SIGN_UP)
        if head_count < 1:
            raise InvalidInput("activity.invalid_head_count", "sign up at least one person")
        if now > self.sign_up_deadline:
            raise SignUpClosed("the sign-up deadline has passed")
        if self.live_sign_up(resident_id) is not None:
            raise AlreadySignedUp("you have already signed up for this activity")
        left = self.capacity - self.people
        if head_count > left:
            raise ActivityFull(f"only {left} places are left", places_left=left)
        self.state = next_state
        self.sign_ups.append(
            SignUp(resident_id=resident_id, head_count=head_count, signed_up_at=now)
        )
        self.record(
            events.ActivitySignedUp(
                activity_id=self.id, resident_id=resident_id, head_count=head_count
            )
        )

    def cancel_sign_up(self, resident_id: UUID, now: datetime) -> None:
        """A resident withdraws their sign-up, any time before the activity starts."""
        index, current = self._live(resident_id)
        if now >= self.starts_at:
            raise SignUpClosed("a sign-up can be cancelled only before the activity starts")
        self.sign_ups[index] = current.cancelled(now)
        self.record(
            events.ActivitySignUpCancelled(
                activity_id=self.id, resident_id=resident_id, head_count=current.head_count
            )
        )

    def check_in(self, resident_id: UUID, staff_id: UUID, now: datetime) -> None:
        """Staff check a signed-up resident (and their party) in at the event 签到."""
        next_state = self._next(ActivityAction.CHECK_IN)
        index, current = self._live(resident_id)
        if not self.starts_at - CHECK_IN_OPENS_BEFORE_START <= now <= self.ends_at:
            raise Conflict(
                "activity.check_in_closed", "check-in opens an hour before the start until the end"
            )
        self.sign_ups[index] = current.checked_in(now, staff_id)
        self.state = next_state
        self.record(
            events.ActivityCheckedIn(
                activity_id=self.id, resident_id=resident_id, staff_id=staff_id
            )
        )

    def cancel(self, reason: str, now: datetime) -> None:
        """Staff call the activity off before it ends; everyone signed up is told."""
        next_state = self._next(ActivityAction.CANCEL)
        reason = reason.strip()
        if not reason:
            raise InvalidInput("activity.reason_required", "say why the activity is cancelled")
        if now >= self.ends_at:
            raise Conflict("activity.already_over", "the activity is already over")
        self.state = next_state
        self.cancel_reason = reason
        self.record(
            events.ActivityCancelled(
                activity_id=self.id,
                reason=reason,
                resident_ids=frozenset(
                    s.resident_id for s in self.sign_ups if s.status is SignUpStatus.SIGNED_UP
                ),
            )
        )

    def _live(self, resident_id: UUID) -> tuple[int, SignUp]:
        """The index and value of the resident's latest sign-up (cancelled ones included)."""
        for index in range(len(self.sign_ups) - 1, -1, -1):
            if self.sign_ups[index].resident_id == resident_id:
                return index, self.sign_ups[index]
        raise NotFound("activity.not_signed_up", "no sign-up of this resident")
