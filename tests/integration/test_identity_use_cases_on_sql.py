"""The identity use cases, unchanged, on the SQLAlchemy unit of work (SQLite and PostgreSQL).

A property company is opened, gets a community, a role of its own and a scoped staff member who
logs in with an SMS code; a resident logs in (opening the account), links WeChat, comes back
through WeChat, changes phone with two codes, and is disabled and enabled again. The send limits
hold between requests. Each step is its own unit of work, read back from the database.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any
from uuid import UUID

import pytest
from identity_samples import SECRET

from adapters.persistence.sqlalchemy import SqlAlchemyUnitOfWork
from adapters.sms.console import ConsoleSmsSender
from estate_core.identity import login_services as login
from estate_core.identity import services, staff_services
from estate_core.identity.model import SurplusPolicy
from estate_core.identity.sms import SmsPurpose
from estate_core.shared.access import Permission, ResidentActor
from estate_core.shared.clock import FixedClock
from estate_core.shared.errors import PermissionDenied, RateLimited
from estate_core.shared.pagination import PageRequest

IP = "203.0.113.7"


def _code(sms: ConsoleSmsSender, phone: str, purpose: SmsPurpose) -> str:
    code = sms.last_code(phone, purpose)
    assert code is not None
    return code


def test_a_company_is_opened_and_staffed_and_its_staff_log_in(
    make_uow: Callable[[UUID], SqlAlchemyUnitOfWork], clock: FixedClock, tenant_id: UUID
) -> None:
    uow: Any = make_uow(tenant_id)
    sms = ConsoleSmsSender()
    opened = services.open_tenant(
        uow,
        clock,
        services.OpenTenant(name="中城家物业", admin_name="王经理", admin_phone="139 0000 0000"),
    )
    admin = staff_services.staff_actor(uow, opened.admin_staff_id)
    assert services.change_tenant_settings(
        uow, admin, services.ChangeTenantSettings(surplus_policy=SurplusPolicy.PREPAYMENT)
    ) == services.get_tenant(uow)
    community_id = services.create_community(
        uow, admin, services.CreateCommunity(name="阳光花园", address="人民路 1 号")
    )
    communities = services.list_communities(uow, PageRequest())
    assert [c.id for c in communities.items] == [community_id]
    staff_services.create_role(
        uow,
        admin,
        staff_services.CreateRole(
            code="gate_guard", name="门岗", permissions=frozenset({Permission.VISITOR_VERIFY})
        ),
    )
    guard_id = staff_services.create_staff(
        uow,
        clock,
        admin,
        staff_services.CreateStaff(
            name="门岗小李",
            phone="13900000001",
            roles=("gate_guard",),
            community_ids=frozenset({community_id}),
        ),
    )

    login.request_staff_login_code(
        uow, clock, sms, SECRET, login.RequestStaffLoginCode(phone="13900000001", ip=IP)
    )
    code = _code(sms, "13900000001", SmsPurpose.STAFF_LOGIN)
    assert (
        login.login_staff_with_code(
            uow, clock, SECRET, login.LoginStaffWithCode(phone="13900000001", code=code)
        )
        == guard_id
    )
    guard = staff_services.staff_actor(uow, guard_id)
    assert guard.permissions == {Permission.VISITOR_VERIFY}
    assert guard.community_ids == {community_id}
    listed = staff_services.list_staff(uow, admin, PageRequest())
    assert [(s.name, s.phone) for s in listed.items] == [
        ("王经理", "13900000000"),
        ("门岗小李", "13900000001"),
    ]

    staff_services.disable_staff(
        uow, admin, staff_services.DisableStaff(staff_id=guard_id, reason="离职")
    )
    with pytest.raises(PermissionDenied) as refused:
        staff_services.staff_actor(uow, guard_id)
    assert refused.value.code == "staff.disabled"


def test_a_resident_logs_in_links_wechat_changes_phone_and_is_blacklisted(
    make_uow: Callable[[UUID], SqlAlchemyUnitOfWork], clock: FixedClock, tenant_id: UUID
) -> None:
    uow: Any = make_uow(tenant_id)
    sms = ConsoleSmsSender()
    opened = services.open_tenant(
        uow,
        clock,
        services.OpenTenant(name="中城家物业", admin_name="王经理", admin_phone="13900000000"),
    )
    admin = staff_services.staff_actor(uow, opened.admin_staff_id)

    login.request_login_code(
        uow, clock, sms, SECRET, login.RequestLoginCode(phone="13800000001", ip=IP)
    )
    with pytest.raises(RateLimited) as too_soon:
        login.request_login_code(
            uow, clock, sms, SECRET, login.RequestLoginCode(phone="13800000001", ip=IP)
        )
    assert too_soon.value.code == "sms.too_soon"
    code = _code(sms, "13800000001", SmsPurpose.LOGIN)
    resident_id = login.login_with_code(
        uow,
        clock,
        SECRET,
        login.LoginWithCode(phone="13800000001", code=code, wechat_openid="wx-openid-1"),
    )
    assert (
        login.login_with_linked_account(
            uow, login.LoginWithLinkedAccount(wechat_openid="wx-openid-1")
        )
        == resident_id
    )
    me = ResidentActor(resident_id=resident_id)

    clock.advance(timedelta(minutes=2))
    login.request_phone_change_codes(
        uow, clock, sms, SECRET, me, login.RequestPhoneChangeCodes(new_phone="13800000002", ip=IP)
    )
    login.change_phone(
        uow,
        clock,
        SECRET,
        me,
        login.ChangePhone(
            new_phone="13800000002",
            old_code=_code(sms, "13800000001", SmsPurpose.CHANGE_PHONE_OLD),
            new_code=_code(sms, "13800000002", SmsPurpose.CHANGE_PHONE_NEW),
        ),
    )
    view = services.get_resident(uow, me, resident_id)
    assert (view.phone, view.verified, view.wechat_linked) == ("13800000002", True, True)

    services.disable_resident(
        uow, admin, services.DisableResident(resident_id=resident_id, reason="恶意刷单")
    )
    with pytest.raises(PermissionDenied) as disabled:
        login.login_with_linked_account(
            uow, login.LoginWithLinkedAccount(wechat_openid="wx-openid-1")
        )
    assert disabled.value.code == "resident.disabled"
    services.enable_resident(uow, admin, services.EnableResident(resident_id=resident_id))
    with uow:
        assert uow.residents.find_by_phone("13800000001") is None
        assert uow.residents.get(resident_id).disabled is False
