"""Built-in and custom roles, and staff login by SMS code (DESIGN.md §3, seed 001 §3.1.1)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from identity_world import hire

from adapters.persistence.memory import InMemoryUnitOfWork
from adapters.sms.console import ConsoleSmsSender
from estate_core.identity import login_services as login
from estate_core.identity import staff_services as staff
from estate_core.identity.roles import BUILTIN_ROLE_PERMISSIONS, BuiltinRole
from estate_core.identity.sms import CodeSecret, SmsPurpose
from estate_core.shared.access import Permission, StaffActor
from estate_core.shared.clock import FixedClock
from estate_core.shared.errors import Conflict, InvalidInput, NotFound, PermissionDenied

IP = "203.0.113.9"


def test_built_in_roles_hold_the_documented_permissions() -> None:
    perms = BUILTIN_ROLE_PERMISSIONS
    assert perms[BuiltinRole.ADMIN] == frozenset(Permission)
    assert perms[BuiltinRole.TECHNICIAN] == {Permission.WORKORDER_WORK}
    assert Permission.PAYMENT_REFUND not in perms[BuiltinRole.CASHIER]
    assert Permission.BILL_VOID not in perms[BuiltinRole.CASHIER]
    assert Permission.STAFF_MANAGE not in perms[BuiltinRole.MANAGER]
    assert perms[BuiltinRole.MERCHANT_CLERK] == {Permission.ORDER_MANAGE, Permission.COUPON_REDEEM}
    assert (
        not {Permission.BILL_ISSUE, Permission.PAYMENT_REFUND} & perms[BuiltinRole.CUSTOMER_SERVICE]
    )


def test_a_custom_role_grants_its_permissions_and_changes_reach_holders_at_once(
    uow: InMemoryUnitOfWork, clock: FixedClock, company_admin: StaffActor
) -> None:
    staff.create_role(
        uow,
        company_admin,
        staff.CreateRole(
            code="guard", name="门岗", permissions=frozenset({Permission.VISITOR_VERIFY})
        ),
    )
    staff_id = hire(uow, clock, company_admin, "13700000001", "guard")
    assert staff.staff_actor(uow, staff_id).permissions == {Permission.VISITOR_VERIFY}
    staff.change_role_permissions(
        uow,
        company_admin,
        staff.ChangeRolePermissions(
            code="guard",
            permissions=frozenset({Permission.VISITOR_VERIFY, Permission.NOTICE_PUBLISH}),
        ),
    )
    assert staff.staff_actor(uow, staff_id).can(Permission.NOTICE_PUBLISH)


def test_built_in_roles_cannot_be_changed_or_shadowed(
    uow: InMemoryUnitOfWork, company_admin: StaffActor
) -> None:
    with pytest.raises(Conflict) as changed:
        staff.change_role_permissions(
            uow, company_admin, staff.ChangeRolePermissions(code="cashier", permissions=frozenset())
        )
    assert changed.value.code == "role.builtin_immutable"
    with pytest.raises(Conflict) as shadowed:
        staff.create_role(
            uow, company_admin, staff.CreateRole(code="admin", name="x", permissions=frozenset())
        )
    assert shadowed.value.code == "role.code_taken"


def test_role_codes_are_unique_and_well_formed(
    uow: InMemoryUnitOfWork, company_admin: StaffActor
) -> None:
    cmd = staff.CreateRole(code="guard", name="门岗", permissions=frozenset())
    staff.create_role(uow, company_admin, cmd)
    with pytest.raises(Conflict) as twice:
        staff.create_role(uow, company_admin, cmd)
    assert twice.value.code == "role.code_taken"
    with pytest.raises(InvalidInput) as malformed:
        staff.create_role(
            uow,
            company_admin,
            staff.CreateRole(code="Gate Guard", name="x", permissions=frozenset()),
        )
    assert malformed.value.code == "role.invalid_code"


def test_roles_are_listed_built_in_first(
    uow: InMemoryUnitOfWork, company_admin: StaffActor
) -> None:
    staff.create_role(
        uow, company_admin, staff.CreateRole(code="guard", name="门岗", permissions=frozenset())
    )
    roles = staff.list_roles(uow, company_admin)
    assert [r.code for r in roles] == [*(r.value for r in BuiltinRole), "guard"]
    assert [r.builtin for r in roles].count(False) == 1


def test_an_unknown_role_is_refused(
    uow: InMemoryUnitOfWork, clock: FixedClock, company_admin: StaffActor
) -> None:
    with pytest.raises(InvalidInput) as raised:
        hire(uow, clock, company_admin, "13700000001", "janitor")
    assert raised.value.code == "staff.unknown_role"


def test_staff_log_in_with_a_code_sent_to_their_phone(
    uow: InMemoryUnitOfWork,
    clock: FixedClock,
    sms: ConsoleSmsSender,
    secret: CodeSecret,
    company_admin: StaffActor,
) -> None:
    staff_id = hire(uow, clock, company_admin, "13700000001", "technician")
    login.request_staff_login_code(
        uow, clock, sms, secret, login.RequestStaffLoginCode(phone="13700000001", ip=IP)
    )
    code = sms.last_code("13700000001", SmsPurpose.STAFF_LOGIN)
    assert code is not None
    assert (
        login.login_staff_with_code(
            uow, clock, secret, login.LoginStaffWithCode(phone="13700000001", code=code)
        )
        == staff_id
    )


def test_unknown_or_disabled_staff_get_no_login_code(
    uow: InMemoryUnitOfWork,
    clock: FixedClock,
    sms: ConsoleSmsSender,
    secret: CodeSecret,
    company_admin: StaffActor,
) -> None:
    with pytest.raises(NotFound):
        login.request_staff_login_code(
            uow, clock, sms, secret, login.RequestStaffLoginCode(phone="13700000009", ip=IP)
        )
    staff_id = hire(uow, clock, company_admin, "13700000001", "technician")
    staff.disable_staff(uow, company_admin, staff.DisableStaff(staff_id=staff_id, reason="离职"))
    with pytest.raises(PermissionDenied) as raised:
        login.request_staff_login_code(
            uow, clock, sms, secret, login.RequestStaffLoginCode(phone="13700000001", ip=IP)
        )
    assert raised.value.code == "staff.disabled"
    assert sms.sent == []


def test_staff_disabled_after_the_code_was_sent_cannot_log_in(
    uow: InMemoryUnitOfWork,
    clock: FixedClock,
    sms: ConsoleSmsSender,
    secret: CodeSecret,
    company_admin: StaffActor,
) -> None:
    staff_id = hire(uow, clock, company_admin, "13700000001", "technician")
    login.request_staff_login_code(
        uow, clock, sms, secret, login.RequestStaffLoginCode(phone="13700000001", ip=IP)
    )
    staff.disable_staff(uow, company_admin, staff.DisableStaff(staff_id=staff_id, reason="离职"))
    clock.advance(timedelta(seconds=5))
    with pytest.raises(PermissionDenied):
        login.login_staff_with_code(
            uow,
            clock,
            secret,
            login.LoginStaffWithCode(phone="13700000001", code=str(sms.last_code("13700000001"))),
        )
