"""Staff accounts: data scope, no escalation, disabling (seed 001 §2.3.4, §3.1.1)."""

from __future__ import annotations

from uuid import UUID

import pytest
from identity_world import hire

from adapters.persistence.memory import InMemoryStore, InMemoryUnitOfWork
from estate_core.identity import services
from estate_core.identity import staff_services as staff
from estate_core.identity.roles import BUILTIN_ROLE_PERMISSIONS, BuiltinRole
from estate_core.shared.access import Permission, StaffActor
from estate_core.shared.clock import FixedClock
from estate_core.shared.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from estate_core.shared.ids import new_id
from estate_core.shared.pagination import PageRequest

IP = "203.0.113.9"


@pytest.fixture
def communities(uow: InMemoryUnitOfWork, company_admin: StaffActor) -> tuple[UUID, UUID]:
    first = services.create_community(uow, company_admin, services.CreateCommunity(name="一期"))
    second = services.create_community(uow, company_admin, services.CreateCommunity(name="二期"))
    return first, second


def test_a_staff_actor_holds_the_union_of_their_roles(
    uow: InMemoryUnitOfWork, clock: FixedClock, company_admin: StaffActor
) -> None:
    staff_id = hire(uow, clock, company_admin, "13700000001", "technician", "cashier")
    actor = staff.staff_actor(uow, staff_id)
    assert actor.permissions == (
        BUILTIN_ROLE_PERMISSIONS[BuiltinRole.TECHNICIAN]
        | BUILTIN_ROLE_PERMISSIONS[BuiltinRole.CASHIER]
    )


def test_a_merchant_clerk_is_tied_to_exactly_one_merchant(
    uow: InMemoryUnitOfWork, clock: FixedClock, company_admin: StaffActor
) -> None:
    merchant_id = new_id()
    clerk_id = hire(
        uow, clock, company_admin, "13700000001", "merchant_clerk", merchant_id=merchant_id
    )
    assert staff.staff_actor(uow, clerk_id).merchant_id == merchant_id
    for roles, merchant in [
        (("merchant_clerk",), None),
        (("merchant_clerk", "cashier"), merchant_id),
        (("cashier",), merchant_id),
    ]:
        with pytest.raises(InvalidInput) as raised:
            hire(uow, clock, company_admin, "13700000002", *roles, merchant_id=merchant)
        assert raised.value.code == "staff.merchant_clerk_scope"


def test_a_listed_scope_limits_the_staff_to_those_communities(
    uow: InMemoryUnitOfWork,
    clock: FixedClock,
    company_admin: StaffActor,
    communities: tuple[UUID, UUID],
) -> None:
    first, second = communities
    staff_id = hire(
        uow, clock, company_admin, "13700000001", "manager", community_ids=frozenset({first})
    )
    actor = staff.staff_actor(uow, staff_id)
    assert actor.can(Permission.BILL_VOID, first)
    assert not actor.can(Permission.BILL_VOID, second)
    with pytest.raises(PermissionDenied) as raised:
        actor.require(Permission.BILL_VOID, second)
    assert raised.value.code == "permission.out_of_scope"


def test_a_scope_must_list_communities_of_this_tenant(
    uow: InMemoryUnitOfWork, clock: FixedClock, company_admin: StaffActor
) -> None:
    with pytest.raises(NotFound):
        hire(
            uow, clock, company_admin, "13700000001", "manager", community_ids=frozenset({new_id()})
        )
    with pytest.raises(InvalidInput) as empty:
        hire(uow, clock, company_admin, "13700000001", "manager", community_ids=frozenset())
    assert empty.value.code == "staff.empty_scope"


def test_staff_management_needs_staff_manage(
    uow: InMemoryUnitOfWork, clock: FixedClock, company_admin: StaffActor
) -> None:
    manager = staff.staff_actor(uow, hire(uow, clock, company_admin, "13700000001", "manager"))
    with pytest.raises(PermissionDenied) as raised:
        hire(uow, clock, manager, "13700000002", "technician")
    assert raised.value.code == "permission.missing"
    with pytest.raises(PermissionDenied):
        staff.list_staff(uow, manager, PageRequest())


def test_nobody_grants_a_permission_they_do_not_hold(
    uow: InMemoryUnitOfWork, clock: FixedClock, company_admin: StaffActor
) -> None:
    staff.create_role(
        uow,
        company_admin,
        staff.CreateRole(
            code="hr",
            name="人事",
            permissions=frozenset({Permission.STAFF_MANAGE, Permission.WORKORDER_WORK}),
        ),
    )
    hr = staff.staff_actor(uow, hire(uow, clock, company_admin, "13700000001", "hr"))
    hire(uow, clock, hr, "13700000002", "technician")
    with pytest.raises(PermissionDenied) as raised:
        hire(uow, clock, hr, "13700000003", "admin")
    assert raised.value.code == "staff.grant_exceeds_own"
    with pytest.raises(PermissionDenied):
        staff.disable_staff(
            uow, hr, staff.DisableStaff(staff_id=company_admin.staff_id, reason="x")
        )


def test_a_scoped_staff_manager_grants_only_inside_their_scope(
    uow: InMemoryUnitOfWork,
    clock: FixedClock,
    company_admin: StaffActor,
    communities: tuple[UUID, UUID],
) -> None:
    first, second = communities
    scoped_admin = staff.staff_actor(
        uow,
        hire(uow, clock, company_admin, "13700000001", "admin", community_ids=frozenset({first})),
    )
    hire(uow, clock, scoped_admin, "13700000002", "technician", community_ids=frozenset({first}))
    for scope in (None, frozenset({first, second})):
        with pytest.raises(PermissionDenied) as raised:
            hire(uow, clock, scoped_admin, "13700000003", "technician", community_ids=scope)
        assert raised.value.code == "permission.out_of_scope"


def test_changing_access_replaces_roles_and_scope(
    uow: InMemoryUnitOfWork,
    clock: FixedClock,
    company_admin: StaffActor,
    communities: tuple[UUID, UUID],
    store: InMemoryStore,
) -> None:
    first, _ = communities
    staff_id = hire(uow, clock, company_admin, "13700000001", "technician")
    staff.change_staff_access(
        uow,
        company_admin,
        staff.ChangeStaffAccess(
            staff_id=staff_id, roles=("customer_service",), community_ids=frozenset({first})
        ),
    )
    actor = staff.staff_actor(uow, staff_id)
    assert actor.permissions == BUILTIN_ROLE_PERMISSIONS[BuiltinRole.CUSTOMER_SERVICE]
    assert actor.community_ids == frozenset({first})
    assert "StaffAccessChanged" in [m.event_name for m in store.outbox]


def test_nobody_disables_or_changes_their_own_account(
    uow: InMemoryUnitOfWork, company_admin: StaffActor
) -> None:
    with pytest.raises(Conflict) as disabled:
        staff.disable_staff(
            uow, company_admin, staff.DisableStaff(staff_id=company_admin.staff_id, reason="x")
        )
    assert disabled.value.code == "staff.cannot_disable_self"
    with pytest.raises(Conflict) as changed:
        staff.change_staff_access(
            uow,
            company_admin,
            staff.ChangeStaffAccess(staff_id=company_admin.staff_id, roles=("technician",)),
        )
    assert changed.value.code == "staff.cannot_change_self"


def test_disabled_staff_cannot_act_until_enabled(
    uow: InMemoryUnitOfWork, clock: FixedClock, company_admin: StaffActor
) -> None:
    staff_id = hire(uow, clock, company_admin, "13700000001", "technician")
    staff.disable_staff(uow, company_admin, staff.DisableStaff(staff_id=staff_id, reason="离职"))
    with pytest.raises(PermissionDenied) as raised:
        staff.staff_actor(uow, staff_id)
    assert raised.value.code == "staff.disabled"
    with pytest.raises(Conflict) as twice:
        staff.disable_staff(uow, company_admin, staff.DisableStaff(staff_id=staff_id, reason="x"))
    assert twice.value.code == "staff.invalid_transition"
    staff.enable_staff(uow, company_admin, staff.EnableStaff(staff_id=staff_id))
    assert staff.staff_actor(uow, staff_id).can(Permission.WORKORDER_WORK)


def test_staff_phones_are_unique_within_a_tenant(
    uow: InMemoryUnitOfWork, clock: FixedClock, company_admin: StaffActor
) -> None:
    hire(uow, clock, company_admin, "13700000001", "technician")
    with pytest.raises(Conflict) as raised:
        hire(uow, clock, company_admin, "137-0000-0001", "cashier")
    assert raised.value.code == "staff.phone_taken"


def test_staff_are_listed_page_by_page(
    uow: InMemoryUnitOfWork, clock: FixedClock, company_admin: StaffActor
) -> None:
    for n in range(3):
        hire(uow, clock, company_admin, f"1370000000{n}", "technician")
    first = staff.list_staff(uow, company_admin, PageRequest(limit=2))
    second = staff.list_staff(uow, company_admin, PageRequest(limit=2, after=first.next_cursor))
    assert len(first.items) + len(second.items) == 4
    assert second.next_cursor is None
