"""The activity and visitor-pass repositories keep one contract on memory, SQLite and PostgreSQL.

Sign-ups and gate entries are lists of frozen values inside their aggregate: they come back in
the order they were made, changed in place when a sign-up is cancelled or checked in, and a
concurrent change of the same aggregate is refused, whichever part of it either side changed.
"""

from __future__ import annotations

from datetime import timedelta
from uuid import UUID

import pytest
from community_samples import AT, STAFF, a_visitor_pass, an_activity, newest_first, save, walk
from persistence_samples import Backend, a_property, a_resident

from estate_core.community.activity import ActivityCounts, SignUp, SignUpStatus
from estate_core.community.visitor import VisitorEntry
from estate_core.identity.model import Resident
from estate_core.properties.model import Property
from estate_core.shared.errors import ConcurrencyConflict, Conflict
from estate_core.shared.ids import new_id

GUARD = new_id()


def _residents(backend: Backend, tenant_id: UUID, count: int) -> list[Resident]:
    residents = [a_resident(tenant_id, f"138{i:08d}") for i in range(count)]
    save(backend, tenant_id, *residents)
    return residents


def _home(backend: Backend, tenant_id: UUID) -> tuple[Property, Resident]:
    home, host = a_property(tenant_id, new_id()), a_resident(tenant_id)
    save(backend, tenant_id, home, host)
    return home, host


def test_activity_keeps_its_sign_ups_in_order_through_cancel_sign_up_again_and_check_in(
    backend: Backend, tenant_id: UUID
) -> None:
    first, second = _residents(backend, tenant_id, 2)
    activity = an_activity(tenant_id, new_id(), capacity=5)
    activity.sign_up(first.id, 2, AT)
    save(backend, tenant_id, activity)
    with backend.uow(tenant_id) as uow:
        loaded = uow.activities.get(activity.id)
        loaded.sign_up(second.id, 3, AT + timedelta(minutes=1))
        loaded.cancel_sign_up(first.id, AT + timedelta(minutes=2))
        uow.commit()
    with backend.uow(tenant_id) as uow:
        loaded = uow.activities.get(activity.id)
        loaded.sign_up(first.id, 1, AT + timedelta(minutes=2))
        loaded.check_in(second.id, STAFF, activity.starts_at)
        uow.commit()
    with backend.uow(tenant_id) as uow:
        loaded = uow.activities.get(activity.id)
        assert list(loaded.sign_ups) == [
            SignUp(
                resident_id=first.id,
                head_count=2,
                signed_up_at=AT,
                status=SignUpStatus.CANCELLED,
                cancelled_at=AT + timedelta(minutes=2),
            ),
            SignUp(
                resident_id=second.id,
                head_count=3,
                signed_up_at=AT + timedelta(minutes=1),
                status=SignUpStatus.CHECKED_IN,
                checked_in_at=activity.starts_at,
                checked_in_by=STAFF,
            ),
            SignUp(resident_id=first.id, head_count=1, signed_up_at=AT + timedelta(minutes=2)),
        ]
        assert loaded.counts() == ActivityCounts(
            capacity=5, sign_ups=2, people=4, checked_in_sign_ups=1, checked_in_people=3
        )


def test_cancelled_activity_keeps_its_reason(backend: Backend, tenant_id: UUID) -> None:
    activity = an_activity(tenant_id, new_id())
    save(backend, tenant_id, activity)
    with backend.uow(tenant_id) as uow:
        uow.activities.get(activity.id).cancel("暴雨预警", AT)
        uow.commit()
    with backend.uow(tenant_id) as uow:
        loaded = uow.activities.get(activity.id)
        assert (loaded.state.value, loaded.cancel_reason) == ("cancelled", "暴雨预警")


def test_activities_of_a_community_are_listed_by_start_and_finished_ones_can_be_hidden(
    backend: Backend, tenant_id: UUID
) -> None:
    community_id = new_id()
    hours = [30, 10, 10, 10, 50, 20, -20]
    activities = [
        an_activity(tenant_id, community_id, starts_at=AT + timedelta(hours=h)) for h in hours
    ]
    elsewhere = an_activity(tenant_id, new_id())
    save(backend, tenant_id, *activities, elsewhere)
    by_start = sorted(activities, key=lambda a: (a.starts_at, str(a.id)))
    with backend.uow(tenant_id) as uow:
        listed = walk(lambda page: uow.activities.in_community(community_id, page))
        assert listed == [a.id for a in by_start]
        current = walk(
            lambda page: uow.activities.in_community(community_id, page, ending_after=AT)
        )
        assert current == [a.id for a in by_start if a.ends_at > AT]
        assert len(current) == len(activities) - 1


def test_sign_ups_for_one_activity_in_two_units_of_work_cannot_both_commit(
    interleaving_backend: Backend, tenant_id: UUID
) -> None:
    first, second = _residents(interleaving_backend, tenant_id, 2)
    activity = an_activity(tenant_id, new_id(), capacity=1)
    save(interleaving_backend, tenant_id, activity)
    one, other = interleaving_backend.uow(tenant_id), interleaving_backend.uow(tenant_id)
    with one, other:
        one.activities.get(activity.id).sign_up(first.id, 1, AT)
        other.activities.get(activity.id).sign_up(second.id, 1, AT)
        one.commit()
        with pytest.raises(ConcurrencyConflict):
            other.commit()
    with interleaving_backend.uow(tenant_id) as uow:
        assert [s.resident_id for s in uow.activities.get(activity.id).sign_ups] == [first.id]


def test_visitor_pass_keeps_its_visit_token_and_entries(backend: Backend, tenant_id: UUID) -> None:
    home, host = _home(backend, tenant_id)
    issued = a_visitor_pass(tenant_id, home.community_id, home.id, host.id, max_entries=3)
    save(backend, tenant_id, issued)
    with backend.uow(tenant_id) as uow:
        loaded = uow.visitor_passes.find_by_token(issued.token)
        assert loaded is not None
        assert loaded.id == issued.id
        assert loaded.visit == issued.visit
        loaded.admit(GUARD, AT + timedelta(hours=1))
        uow.commit()
    with backend.uow(tenant_id) as uow:
        loaded = uow.visitor_passes.get(issued.id)
        loaded.admit(GUARD, AT + timedelta(hours=1))
        loaded.revoke(AT + timedelta(hours=2), by_staff=True)
        uow.commit()
    with backend.uow(tenant_id) as uow:
        loaded = uow.visitor_passes.get(issued.id)
        entry = VisitorEntry(at=AT + timedelta(hours=1), guard_id=GUARD)
        assert list(loaded.entries) == [entry, entry]
        assert (loaded.entries_left, loaded.state.value, loaded.revoked_at) == (
            1,
            "revoked",
            AT + timedelta(hours=2),
        )
        assert uow.visitor_passes.find_by_token("not-a-token") is None


def test_second_pass_with_the_same_token_is_refused(backend: Backend, tenant_id: UUID) -> None:
    home, host = _home(backend, tenant_id)
    issued = a_visitor_pass(tenant_id, home.community_id, home.id, host.id)
    save(backend, tenant_id, issued)
    copy = a_visitor_pass(tenant_id, home.community_id, home.id, host.id)
    copy.token = issued.token
    with backend.uow(tenant_id) as uow:
        uow.visitor_passes.add(copy)
        with pytest.raises(Conflict) as raised:
            uow.commit()
    assert raised.value.code == "visitor_passes.duplicate"


def test_visitor_history_and_gate_log_walk_every_pass_newest_first(
    backend: Backend, tenant_id: UUID
) -> None:
    home, host = _home(backend, tenant_id)
    other_home = a_property(tenant_id, home.community_id, room="102")
    neighbour = a_resident(tenant_id, "13900000000")
    save(backend, tenant_id, other_home, neighbour)
    minutes = [0, 7, 7, 7, 3, 12]
    mine = [
        a_visitor_pass(
            tenant_id, home.community_id, home.id, host.id, created_at=AT + timedelta(minutes=m)
        )
        for m in minutes
    ]
    theirs = a_visitor_pass(tenant_id, home.community_id, other_home.id, neighbour.id)
    elsewhere = a_property(tenant_id, new_id())
    away = a_visitor_pass(tenant_id, elsewhere.community_id, elsewhere.id, host.id)
    save(backend, tenant_id, elsewhere, *mine, theirs, away)
    with backend.uow(tenant_id) as uow:
        history = walk(lambda page: uow.visitor_passes.of_resident(host.id, page))
        assert history == [
            p.id for p in sorted([*mine, away], key=lambda p: newest_first(p.created_at, p.id))
        ]
        gate = walk(lambda page: uow.visitor_passes.in_community(home.community_id, page))
        assert gate == [
            p.id for p in sorted([*mine, theirs], key=lambda p: newest_first(p.created_at, p.id))
        ]


def test_two_guards_admitting_on_a_single_entry_pass_cannot_both_commit(
    interleaving_backend: Backend, tenant_id: UUID
) -> None:
    home, host = _home(interleaving_backend, tenant_id)
    issued = a_visitor_pass(tenant_id, home.community_id, home.id, host.id)
    save(interleaving_backend, tenant_id, issued)
    one, other = interleaving_backend.uow(tenant_id), interleaving_backend.uow(tenant_id)
    with one, other:
        one.visitor_passes.get(issued.id).admit(GUARD, AT)
        other.visitor_passes.get(issued.id).admit(new_id(), AT)
        one.commit()
        with pytest.raises(ConcurrencyConflict):
            other.commit()
    with interleaving_backend.uow(tenant_id) as uow:
        assert [e.guard_id for e in uow.visitor_passes.get(issued.id).entries] == [GUARD]


def test_activity_and_pass_events_reach_the_outbox(backend: Backend, tenant_id: UUID) -> None:
    home, host = _home(backend, tenant_id)
    activity = an_activity(tenant_id, home.community_id)
    issued = a_visitor_pass(tenant_id, home.community_id, home.id, host.id)
    with backend.uow(tenant_id) as uow:
        uow.activities.add(activity)
        uow.visitor_passes.add(issued)
        activity.sign_up(host.id, 2, AT)
        issued.admit(GUARD, AT)
        uow.commit()
    names = sorted(m.event_name for m in backend.outbox())
    assert names == ["ActivityCreated", "ActivitySignedUp", "VisitorAdmitted", "VisitorPassIssued"]
    [signed] = [m.payload for m in backend.outbox() if m.event_name == "ActivitySignedUp"]
    assert signed == {"activity_id": str(activity.id), "resident_id": str(host.id), "head_count": 2}
