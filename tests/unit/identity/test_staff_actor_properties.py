"""Properties of staff actors: permissions are the union of the roles held, and the data scope
and the no-escalation rule hold for any roles and scopes."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import UUID

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from estate_core.identity.roles import BUILTIN_ROLE_PERMISSIONS, BuiltinRole, Role
from estate_core.identity.staff import Staff, StaffAccountDisabled, require_may_grant
from estate_core.shared.access import Permission, StaffActor
from estate_core.shared.errors import PermissionDenied
from estate_core.shared.ids import new_id

TENANT = new_id()
AT = datetime(2026, 3, 15, tzinfo=UTC)
COMMUNITIES = [new_id() for _ in range(4)]
CUSTOM_CODES = ["guard", "finance", "hr"]
PROPERTY_ROLES = [role.value for role in BuiltinRole if role is not BuiltinRole.MERCHANT_CLERK]

permission_sets = st.frozensets(st.sampled_from(list(Permission)))
scopes = st.none() | st.frozensets(st.sampled_from(COMMUNITIES), min_size=1)


@st.composite
def custom_roles(draw: st.DrawFn) -> list[Role]:
    return [
        Role(id=new_id(), tenant_id=TENANT, code=code, name=code, permissions=draw(permission_sets))
        for code in CUSTOM_CODES
    ]


@st.composite
def staff_members(draw: st.DrawFn) -> Staff:
    if draw(st.booleans()) and draw(st.booleans()):
        roles, merchant_id = [BuiltinRole.MERCHANT_CLERK.value], new_id()
    else:
        roles = draw(
            st.lists(st.sampled_from(PROPERTY_ROLES + CUSTOM_CODES), min_size=1, unique=True)
        )
        merchant_id = None
    return Staff.create(
        id=new_id(),
        tenant_id=TENANT,
        name="员工",
        phone="13700000001",
        roles=roles,
        community_ids=draw(scopes),
        merchant_id=merchant_id,
        at=AT,
    )


def _expected(staff: Staff, roles: list[Role]) -> frozenset[Permission]:
    custom = {role.code: role.permissions for role in roles}
    granted: frozenset[Permission] = frozenset()
    for code in staff.roles:
        if code in custom:
            granted |= custom[code]
        else:
            granted |= BUILTIN_ROLE_PERMISSIONS[BuiltinRole(code)]
    return granted


@settings(max_examples=100, deadline=None)
@given(staff=staff_members(), roles=custom_roles())
def test_an_actor_holds_exactly_the_union_of_their_roles_within_their_scope(
    staff: Staff, roles: list[Role]
) -> None:
    actor = staff.actor(roles)
    expected = _expected(staff, roles)
    assert actor.permissions == expected
    assert actor.merchant_id == staff.merchant_id
    for permission in Permission:
        assert actor.can(permission) == (permission in expected)
        for community_id in COMMUNITIES:
            in_scope = staff.scope is None or community_id in staff.scope
            assert actor.can(permission, community_id) == (permission in expected and in_scope)
            if actor.can(permission, community_id):
                actor.require(permission, community_id)
            else:
                with pytest.raises(PermissionDenied):
                    actor.require(permission, community_id)


@settings(max_examples=50, deadline=None)
@given(staff=staff_members(), roles=custom_roles())
def test_roles_the_staff_does_not_hold_grant_nothing(staff: Staff, roles: list[Role]) -> None:
    held = [role for role in roles if role.code in staff.roles]
    assert staff.actor(roles).permissions == staff.actor(held).permissions


@settings(max_examples=30, deadline=None)
@given(staff=staff_members())
def test_a_disabled_staff_member_cannot_act_at_all(staff: Staff) -> None:
    staff.disable("离职", by=new_id())
    with pytest.raises(StaffAccountDisabled):
        staff.actor()


@settings(max_examples=200, deadline=None)
@given(
    held=permission_sets,
    own_scope=scopes,
    granted=permission_sets,
    granted_scope=scopes,
)
def test_nobody_grants_beyond_their_own_permissions_or_scope(
    held: frozenset[Permission],
    own_scope: frozenset[UUID] | None,
    granted: frozenset[Permission],
    granted_scope: frozenset[UUID] | None,
) -> None:
    actor = StaffActor(staff_id=new_id(), permissions=held, community_ids=own_scope)
    within_scope = own_scope is None or (granted_scope is not None and granted_scope <= own_scope)
    if granted <= held and within_scope:
        require_may_grant(actor, granted, granted_scope)
    else:
        with pytest.raises(PermissionDenied):
            require_may_grant(actor, granted, granted_scope)
