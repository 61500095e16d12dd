"""Activity 小区活动 use cases: sign-up, capacity, cancelling, check-in and counts."""

from __future__ import annotations

from datetime import timedelta
from uuid import UUID

import pytest
from community_estate import Estate, staff

from adapters.persistence.memory import InMemoryStore, InMemoryUnitOfWork
from estate_core.community.activity import ActivityCounts, SignUpStatus
from estate_core.community.services.activities import (
    ActivityView,
    CancelActivity,
    CheckIn,
    CreateActivity,
    SignUpForActivity,
    activities_in_community,
    activity_counts,
    activity_sign_ups,
    cancel_activity,
    cancel_sign_up,
    check_in,
    create_activity,
    sign_up_for_activity,
)
from estate_core.shared.access import Permission, ResidentActor
from estate_core.shared.errors import ConcurrencyConflict, DomainError
from estate_core.shared.ids import new_id
from estate_core.shared.pagination import PageRequest

START_IN = timedelta(days=7)


def _activity(
    estate: Estate, capacity: int = 10, starts_in: timedelta = START_IN, **changes: object
) -> UUID:
    now = estate.clock.now()
    fields: dict[str, object] = {
        "community_id": estate.community_id,
        "title": "中秋游园会",
        "description": "猜灯谜、做月饼",
        "capacity": capacity,
        "starts_at": now + starts_in,
        "ends_at": now + starts_in + timedelta(hours=3),
        "sign_up_deadline": now + starts_in - timedelta(days=1),
    }
    fields.update(changes)
    return create_activity(estate.uow, estate.clock, estate.admin, CreateActivity(**fields))


def _bound(estate: Estate) -> ResidentActor:
    resident = estate.resident()
    estate.home(owner=resident)
    return resident


def _sign_up(
    estate: Estate, resident: ResidentActor, activity_id: UUID, head_count: int = 1
) -> ActivityView:
    return sign_up_for_activity(
        estate.uow,
        estate.clock,
        resident,
        SignUpForActivity(activity_id=activity_id, head_count=head_count),
    )


def _counts(estate: Estate, activity_id: UUID) -> ActivityCounts:
    return activity_counts(estate.uow, estate.admin, activity_id)


def test_bound_resident_signs_up_with_a_head_count(estate: Estate) -> None:
    activity_id = _activity(estate)
    view = _sign_up(estate, _bound(estate), activity_id, head_count=3)
    assert (view.people, view.places_left, view.my_head_count) == (3, 7, 3)
    assert _counts(estate, activity_id).sign_ups == 1
    assert len(estate.events("ActivitySignedUp")) == 1


def test_family_member_counts_as_bound(estate: Estate) -> None:
    activity_id = _activity(estate)
    family = estate.family(estate.home(owner=estate.resident()))
    assert _sign_up(estate, family, activity_id).people == 1


def test_unbound_resident_cannot_sign_up(estate: Estate) -> None:
    activity_id = _activity(estate)
    with pytest.raises(DomainError) as refused:
        _sign_up(estate, estate.resident(), activity_id)
    assert refused.value.code == "household.not_member"


def test_resident_bound_in_another_community_cannot_sign_up(estate: Estate) -> None:
    activity_id = _activity(estate)
    elsewhere = estate.resident()
    estate.home(estate.other_community_id, owner=elsewhere)
    with pytest.raises(DomainError) as refused:
        _sign_up(estate, elsewhere, activity_id)
    assert refused.value.code == "household.not_member"


def test_signups_never_exceed_capacity(estate: Estate) -> None:
    activity_id = _activity(estate, capacity=5)
    _sign_up(estate, _bound(estate), activity_id, head_count=3)
    late = _bound(estate)
    with pytest.raises(DomainError) as refused:
        _sign_up(estate, late, activity_id, head_count=3)
    assert refused.value.code == "activity.full"
    assert refused.value.details["places_left"] == 2
    assert _sign_up(estate, late, activity_id, head_count=2).places_left == 0
    with pytest.raises(DomainError) as full:
        _sign_up(estate, _bound(estate), activity_id)
    assert full.value.code == "activity.full"
    assert _counts(estate, activity_id).people == 5


def test_concurrent_sign_ups_for_the_last_places_cannot_overfill(
    estate: Estate, store: InMemoryStore
) -> None:
    activity_id = _activity(estate, capacity=2)
    first, second = _bound(estate), _bound(estate)
    uow_a = InMemoryUnitOfWork(store, estate.uow.tenant_id, estate.clock)
    uow_b = InMemoryUnitOfWork(store, estate.uow.tenant_id, estate.clock)
    with uow_a, uow_b:
        uow_a.activities.get(activity_id).sign_up(first.resident_id, 2, estate.clock.now())
        uow_b.activities.get(activity_id).sign_up(second.resident_id, 2, estate.clock.now())
        uow_a.commit()
        with pytest.raises(ConcurrencyConflict):
            uow_b.commit()
    assert _counts(estate, activity_id).people == 2


def test_one_sign_up_per_resident(estate: Estate) -> None:
    activity_id = _activity(estate)
    resident = _bound(estate)
    _sign_up(estate, resident, activity_id)
    with pytest.raises(DomainError) as refused:
        _sign_up(estate, resident, activity_id, head_count=2)
    assert refused.value.code == "activity.already_signed_up"


def test_sign_up_closes_after_the_deadline(estate: Estate) -> None:
    activity_id = _activity(estate)
    resident = _bound(estate)
    estate.clock.advance(START_IN - timedelta(days=1) + timedelta(seconds=1))
    with pytest.raises(DomainError) as refused:
        _sign_up(estate, resident, activity_id)
    assert refused.value.code == "activity.sign_up_closed"


def test_cancelling_frees_the_places_and_allows_signing_up_again(estate: Estate) -> None:
    activity_id = _activity(estate, capacity=3)
    resident = _bound(estate)
    _sign_up(estate, resident, activity_id, head_count=3)
    cancel_sign_up(estate.uow, estate.clock, resident, activity_id)
    assert _counts(estate, activity_id).people == 0
    assert _sign_up(estate, resident, activity_id, head_count=2).my_head_count == 2


def test_sign_up_cannot_be_cancelled_once_the_activity_started(estate: Estate) -> None:
    activity_id = _activity(estate)
    resident = _bound(estate)
    _sign_up(estate, resident, activity_id)
    estate.clock.advance(START_IN)
    with pytest.raises(DomainError) as refused:
        cancel_sign_up(estate.uow, estate.clock, resident, activity_id)
    assert refused.value.code == "activity.sign_up_closed"


def test_cancelling_without_a_sign_up_is_not_found(estate: Estate) -> None:
    activity_id = _activity(estate)
    with pytest.raises(DomainError) as refused:
        cancel_sign_up(estate.uow, estate.clock, _bound(estate), activity_id)
    assert refused.value.code == "activity.not_signed_up"


def test_staff_check_in_counts_the_party(estate: Estate) -> None:
    activity_id = _activity(estate)
    arriving, absent = _bound(estate), _bound(estate)
    _sign_up(estate, arriving, activity_id, head_count=3)
    _sign_up(estate, absent, activity_id, head_count=2)
    estate.clock.advance(START_IN)
    counts = check_in(
        estate.uow,
        estate.clock,
        estate.admin,
        CheckIn(activity_id=activity_id, resident_id=arriving.resident_id),
    )
    assert counts == ActivityCounts(
        capacity=10, sign_ups=2, people=5, checked_in_sign_ups=1, checked_in_people=3
    )
    with pytest.raises(DomainError) as twice:
        check_in(
            estate.uow,
            estate.clock,
            estate.admin,
            CheckIn(activity_id=activity_id, resident_id=arriving.resident_id),
        )
    assert twice.value.code == "sign_up.invalid_transition"


def test_check_in_is_refused_long_before_the_event(estate: Estate) -> None:
    activity_id = _activity(estate)
    resident = _bound(estate)
    _sign_up(estate, resident, activity_id)
    with pytest.raises(DomainError) as refused:
        check_in(
            estate.uow,
            estate.clock,
            estate.admin,
            CheckIn(activity_id=activity_id, resident_id=resident.resident_id),
        )
    assert refused.value.code == "activity.check_in_closed"


def test_check_in_needs_activity_manage_in_the_community(estate: Estate) -> None:
    activity_id = _activity(estate)
    resident = _bound(estate)
    _sign_up(estate, resident, activity_id)
    estate.clock.advance(START_IN)
    elsewhere = staff(
        Permission.ACTIVITY_MANAGE, communities=frozenset({estate.other_community_id})
    )
    with pytest.raises(DomainError) as refused:
        check_in(
            estate.uow,
            estate.clock,
            elsewhere,
            CheckIn(activity_id=activity_id, resident_id=resident.resident_id),
        )
    assert refused.value.code == "permission.out_of_scope"


def test_cancelled_activity_takes_no_sign_up_and_tells_those_signed_up(estate: Estate) -> None:
    activity_id = _activity(estate)
    resident = _bound(estate)
    _sign_up(estate, resident, activity_id)
    cancel_activity(
        estate.uow,
        estate.clock,
        estate.admin,
        CancelActivity(activity_id=activity_id, reason="台风"),
    )
    (cancelled,) = estate.events("ActivityCancelled")
    assert cancelled["resident_ids"] == [str(resident.resident_id)]
    with pytest.raises(DomainError) as refused:
        _sign_up(estate, _bound(estate), activity_id)
    assert refused.value.code == "activity.invalid_transition"


def test_activity_needs_a_deadline_before_its_start(estate: Estate) -> None:
    now = estate.clock.now()
    with pytest.raises(DomainError) as refused:
        _activity(estate, sign_up_deadline=now + START_IN + timedelta(minutes=1))
    assert refused.value.code == "activity.invalid_deadline"
    with pytest.raises(DomainError) as no_room:
        _activity(estate, capacity=0)
    assert no_room.value.code == "activity.invalid_capacity"
    with pytest.raises(DomainError) as past:
        _activity(estate, starts_at=now - timedelta(hours=1))
    assert past.value.code == "activity.invalid_time"


def test_residents_see_upcoming_activities_with_their_own_head_count(estate: Estate) -> None:
    later = _activity(estate, starts_in=START_IN + timedelta(days=1))
    sooner = _activity(estate)
    resident = _bound(estate)
    _sign_up(estate, resident, later, head_count=2)
    page = activities_in_community(
        estate.uow, estate.clock, resident, estate.community_id, PageRequest()
    )
    assert [(a.id, a.my_head_count) for a in page.items] == [(sooner, None), (later, 2)]
    estate.clock.advance(START_IN + timedelta(hours=4))
    page = activities_in_community(
        estate.uow, estate.clock, resident, estate.community_id, PageRequest()
    )
    assert [a.id for a in page.items] == [later]


def test_staff_list_of_sign_ups_masks_phones(estate: Estate) -> None:
    activity_id = _activity(estate)
    resident = _bound(estate)
    _sign_up(estate, resident, activity_id, head_count=2)
    page = activity_sign_ups(estate.uow, estate.admin, activity_id, PageRequest())
    (row,) = page.items
    assert (row.resident_id, row.head_count, row.status) == (
        resident.resident_id,
        2,
        SignUpStatus.SIGNED_UP,
    )
    assert "****" in row.phone


def test_activity_in_an_unknown_community_is_refused(estate: Estate) -> None:
    with pytest.raises(DomainError) as refused:
        _activity(estate, community_id=new_id())
    assert refused.value.code == "community.not_found"
