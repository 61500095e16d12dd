"""VisitorPass 访客通行证 use cases: registration, the gate, revocation and history."""

from __future__ import annotations

import base64
import re
from datetime import UTC, datetime, timedelta
from uuid import UUID

import pytest
from community_estate import Estate, staff
from hypothesis import given, settings
from hypothesis import strategies as st

from adapters.persistence.memory import InMemoryUnitOfWork
from estate_core.community.services.visitors import (
    GateCheck,
    IssuedPass,
    RegisterVisitor,
    VerifyVisitorPass,
    community_visitor_log,
    register_visitor,
    revoke_visitor_pass,
    verify_visitor_pass,
    visitor_history,
)
from estate_core.community.visitor import (
    PASS_TRANSITIONS,
    PassAction,
    PassState,
    Visit,
    VisitorPass,
)
from estate_core.properties.model import MemberRole
from estate_core.properties.services import remove_member
from estate_core.shared.access import Permission, ResidentActor
from estate_core.shared.errors import DomainError, InvalidTransition
from estate_core.shared.ids import new_id
from estate_core.shared.pagination import PageRequest


def _member(estate: Estate) -> tuple[ResidentActor, UUID]:
    owner = estate.resident()
    return owner, estate.home(owner=owner)


def _register(estate: Estate, host: ResidentActor, home: UUID, **changes: object) -> IssuedPass:
    fields: dict[str, object] = {
        "property_id": home,
        "visitor_name": "李四",
        "visitor_phone": "13700001111",
        "head_count": 2,
        "plate": "川A 12345",
    }
    fields.update(changes)
    return register_visitor(estate.uow, estate.clock, host, RegisterVisitor(**fields))


def _verify(estate: Estate, token: str, **changes: object) -> GateCheck:
    guard = changes.pop("guard", estate.admin)
    return verify_visitor_pass(
        estate.uow, estate.clock, guard, VerifyVisitorPass(token=token, **changes)
    )


def _refused(estate: Estate, token: str, **changes: object) -> str:
    with pytest.raises(DomainError) as refused:
        _verify(estate, token, **changes)
    return refused.value.code


def test_member_registers_a_visitor_and_the_guard_admits_the_party_once(estate: Estate) -> None:
    host, home = _member(estate)
    issued = _register(estate, host, home)
    assert issued.valid_until - issued.valid_from == timedelta(hours=24)
    assert issued.max_entries == 1

    check = _verify(estate, issued.token)
    assert (check.visitor_name, check.head_count, check.plate) == ("李四", 2, "川A12345")
    assert check.visitor_phone == "137****1111"
    assert check.address.startswith("1-1-")
    assert check.entries_left == 0
    assert _refused(estate, issued.token) == "visitor_pass.used_up"
    (admitted,) = estate.events("VisitorAdmitted")
    assert admitted["guard_id"] == str(estate.admin.staff_id)


def test_admission_records_the_time_and_the_guard(estate: Estate) -> None:
    host, home = _member(estate)
    issued = _register(estate, host, home, max_entries=2)
    guard = staff(Permission.VISITOR_VERIFY, communities=frozenset({estate.community_id}))
    estate.clock.advance(timedelta(hours=1))
    _verify(estate, issued.token, guard=guard)
    (entry,) = visitor_history(estate.uow, host, PageRequest()).items[0].entries
    assert (entry.at, entry.guard_id) == (estate.clock.now(), guard.staff_id)


def test_multi_entry_pass_admits_up_to_its_limit(estate: Estate) -> None:
    host, home = _member(estate)
    issued = _register(estate, host, home, max_entries=3)
    assert [_verify(estate, issued.token).entries_left for _ in range(3)] == [2, 1, 0]
    assert _refused(estate, issued.token) == "visitor_pass.used_up"


def test_expired_visitor_pass_is_refused_at_the_gate(estate: Estate) -> None:
    host, home = _member(estate)
    issued = _register(estate, host, home)
    estate.clock.advance(timedelta(hours=24, seconds=1))
    assert _refused(estate, issued.token) == "visitor_pass.expired"


def test_pass_is_refused_before_its_window_opens(estate: Estate) -> None:
    host, home = _member(estate)
    tomorrow = estate.clock.now() + timedelta(days=1)
    issued = _register(estate, host, home, valid_from=tomorrow)
    assert _refused(estate, issued.token) == "visitor_pass.not_yet_valid"
    estate.clock.set(tomorrow)
    assert _verify(estate, issued.token).entries_left == 0


def test_revoked_pass_is_refused_at_the_gate(estate: Estate) -> None:
    host, home = _member(estate)
    issued = _register(estate, host, home)
    revoke_visitor_pass(estate.uow, estate.clock, host, issued.pass_id)
    assert _refused(estate, issued.token) == "visitor_pass.revoked"
    with pytest.raises(DomainError) as twice:
        revoke_visitor_pass(estate.uow, estate.clock, estate.admin, issued.pass_id)
    assert twice.value.code == "visitor_pass.invalid_transition"


def test_only_the_creator_or_staff_may_revoke(estate: Estate) -> None:
    host, home = _member(estate)
    family = estate.family(home)
    issued = _register(estate, host, home)
    with pytest.raises(DomainError) as refused:
        revoke_visitor_pass(estate.uow, estate.clock, family, issued.pass_id)
    assert refused.value.code == "visitor_pass.not_found"
    with pytest.raises(DomainError) as no_permission:
        revoke_visitor_pass(
            estate.uow, estate.clock, staff(Permission.NOTICE_PUBLISH), issued.pass_id
        )
    assert no_permission.value.code == "permission.missing"
    revoke_visitor_pass(estate.uow, estate.clock, estate.admin, issued.pass_id)
    (revoked,) = estate.events("VisitorPassRevoked")
    assert revoked["by_staff"] is True


def test_only_an_active_member_registers_visitors(estate: Estate) -> None:
    _, home = _member(estate)
    with pytest.raises(DomainError) as stranger:
        _register(estate, estate.resident(), home)
    assert stranger.value.code == "household.not_member"
    tenant = estate.family(home, MemberRole.TENANT)
    assert _register(estate, tenant, home).token


def test_pass_stops_working_when_its_creator_leaves_the_home(estate: Estate) -> None:
    _, home = _member(estate)
    family = estate.family(home)
    issued = _register(estate, family, home)
    remove_member(estate.uow, estate.admin, home, family.resident_id)
    assert _refused(estate, issued.token) == "visitor_pass.host_left"


def test_pass_of_a_disabled_creator_is_refused(estate: Estate) -> None:
    host, home = _member(estate)
    issued = _register(estate, host, home)
    estate.disable(host)
    assert _refused(estate, issued.token) == "visitor_pass.host_left"


def test_visit_window_is_at_most_seven_days(estate: Estate) -> None:
    host, home = _member(estate)
    start = estate.clock.now()
    with pytest.raises(DomainError) as refused:
        _register(
            estate, host, home, valid_from=start, valid_until=start + timedelta(days=7, seconds=1)
        )
    assert refused.value.code == "visitor_pass.window_too_long"
    week = _register(estate, host, home, valid_from=start, valid_until=start + timedelta(days=7))
    assert week.valid_until - week.valid_from == timedelta(days=7)


def test_visit_must_not_be_over_already(estate: Estate) -> None:
    host, home = _member(estate)
    past = estate.clock.now() - timedelta(days=2)
    with pytest.raises(DomainError) as refused:
        _register(estate, host, home, valid_from=past, valid_until=past + timedelta(days=1))
    assert refused.value.code == "visitor_pass.invalid_window"


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"visitor_phone": "12345"}, "phone.invalid"),
        ({"plate": "ABC"}, "visitor_pass.invalid_plate"),
        ({"head_count": 0}, "visitor_pass.invalid_head_count"),
        ({"max_entries": 0}, "visitor_pass.invalid_max_entries"),
        ({"visitor_name": "  "}, "visitor_pass.invalid_name"),
        ({"valid_from": datetime(2026, 3, 16, 8, 0)}, "time.naive"),  # noqa: DTZ001
    ],
)
def test_registration_input_is_checked(
    estate: Estate, changes: dict[str, object], code: str
) -> None:
    host, home = _member(estate)
    with pytest.raises(DomainError) as refused:
        _register(estate, host, home, **changes)
    assert refused.value.code == code


def test_guard_must_be_in_scope_and_at_the_right_gate(estate: Estate) -> None:
    host, home = _member(estate)
    issued = _register(estate, host, home, max_entries=2)
    elsewhere = staff(Permission.VISITOR_VERIFY, communities=frozenset({estate.other_community_id}))
    assert _refused(estate, issued.token, guard=elsewhere) == "permission.out_of_scope"
    assert _refused(estate, issued.token, guard=estate.resident()) == "permission.staff_only"
    assert (
        _refused(estate, issued.token, community_id=estate.other_community_id)
        == "visitor_pass.wrong_community"
    )
    assert _verify(estate, issued.token, community_id=estate.community_id).entries_left == 1


def test_unknown_token_is_not_found(estate: Estate) -> None:
    assert _refused(estate, "not-a-real-token") == "visitor_pass.not_found"


def test_other_tenants_cannot_use_a_pass(estate: Estate) -> None:
    host, home = _member(estate)
    issued = _register(estate, host, home)
    other = InMemoryUnitOfWork(estate.store, new_id(), estate.clock)
    with pytest.raises(DomainError) as refused:
        verify_visitor_pass(
            other, estate.clock, estate.admin, VerifyVisitorPass(token=issued.token)
        )
    assert refused.value.code == "visitor_pass.not_found"


def test_visitor_history_is_per_member_newest_first_and_paged(estate: Estate) -> None:
    host, home = _member(estate)
    family = estate.family(home)
    issued = []
    for _ in range(3):
        issued.append(_register(estate, host, home).pass_id)
        estate.clock.advance(timedelta(minutes=5))
    _register(estate, family, home)

    first = visitor_history(estate.uow, host, PageRequest(limit=2))
    rest = visitor_history(estate.uow, host, PageRequest(limit=2, after=first.next_cursor))
    assert [p.id for p in [*first.items, *rest.items]] == issued[::-1]
    assert rest.next_cursor is None
    assert first.items[0].visitor_phone == "13700001111"
    assert first.items[0].token is not None


def test_staff_log_masks_phones_and_hides_tokens(estate: Estate) -> None:
    host, home = _member(estate)
    _register(estate, host, home)
    (row,) = community_visitor_log(
        estate.uow, estate.admin, estate.community_id, PageRequest()
    ).items
    assert (row.visitor_phone, row.token) == ("137****1111", None)


def _pass(now: datetime) -> VisitorPass:
    return VisitorPass.issue(
        id=new_id(),
        tenant_id=new_id(),
        community_id=new_id(),
        property_id=new_id(),
        resident_id=new_id(),
        visit=Visit(
            visitor_name="王五",
            visitor_phone="13700002222",
            head_count=1,
            plate="",
            valid_from=now,
            valid_until=now + timedelta(hours=2),
        ),
        now=now,
    )


@settings(max_examples=25, deadline=None)
@given(count=st.integers(min_value=2, max_value=200))
def test_visitor_tokens_are_unique_and_carry_at_least_128_random_bits(count: int) -> None:
    now = datetime(2026, 3, 15, tzinfo=UTC)
    tokens = [_pass(now).token for _ in range(count)]
    assert len(set(tokens)) == count
    for token in tokens:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        assert len(raw) * 8 >= 128
        assert re.fullmatch(r"[A-Za-z0-9_-]+", token)


def test_refused_pass_transitions_change_nothing() -> None:
    now = datetime(2026, 3, 15, tzinfo=UTC)
    revoked = _pass(now)
    revoked.revoke(now, by_staff=False)
    revoked.take_events()
    assert (PassState.REVOKED, PassAction.REVOKE) not in PASS_TRANSITIONS
    with pytest.raises(InvalidTransition):
        revoked.revoke(now, by_staff=True)
    with pytest.raises(DomainError) as admit:
        revoked.admit(new_id(), now)
    assert admit.value.code == "visitor_pass.revoked"
    assert (revoked.state, revoked.entries, revoked.pending_events) == (PassState.REVOKED, [], ())
