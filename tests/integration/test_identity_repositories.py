"""The identity repositories' contract, on the in-memory store, a SQLite file and PostgreSQL.

What a use case can observe through them (what is found, what survives a commit, which
duplicates are refused with which code, which concurrent change is refused) is the same on
every backend.
"""

from __future__ import annotations

from datetime import timedelta
from uuid import UUID

import pytest
from identity_samples import (
    AT,
    SECRET,
    a_community,
    a_role,
    a_staff,
    a_tenant,
    a_throttle,
    an_sms_code,
)
from persistence_samples import Backend

from estate_core.identity.model import SurplusPolicy, TenantSettings
from estate_core.identity.sms import PHONE_LIMITS, CodeRejected, CodeState, SmsPurpose
from estate_core.shared.access import Permission
from estate_core.shared.errors import ConcurrencyConflict, Conflict, NotFound
from estate_core.shared.ids import new_id
from estate_core.shared.pagination import PageRequest


def test_a_tenant_keeps_its_name_and_settings(backend: Backend, tenant_id: UUID) -> None:
    with backend.uow(tenant_id) as uow:
        uow.tenants.add(a_tenant(tenant_id))
        uow.commit()
    with backend.uow(tenant_id) as uow:
        tenant = uow.tenants.get(tenant_id)
        assert (tenant.name, tenant.settings) == ("中城家物业", TenantSettings())
        tenant.change_settings(TenantSettings(surplus_policy=SurplusPolicy.PREPAYMENT))
        tenant.rename("中城家物业服务")
        uow.commit()
    with backend.uow(tenant_id) as uow:
        tenant = uow.tenants.get(tenant_id)
        assert tenant.settings.surplus_policy is SurplusPolicy.PREPAYMENT
        assert tenant.name == "中城家物业服务"
    assert [m.event_name for m in backend.outbox()] == ["TenantSettingsChanged"]


def test_getting_a_missing_identity_aggregate_raises_its_not_found_code(
    backend: Backend, tenant_id: UUID
) -> None:
    with backend.uow(tenant_id) as uow:
        repositories = (uow.tenants, uow.communities, uow.staff, uow.roles)
        codes = []
        for repository in repositories:
            with pytest.raises(NotFound) as raised:
                repository.get(new_id())
            codes.append(raised.value.code)
        assert uow.tenants.find(tenant_id) is None
    assert codes == ["tenant.not_found", "community.not_found", "staff.not_found", "role.not_found"]


def test_communities_are_found_by_name_and_listed_by_name_a_page_at_a_time(
    backend: Backend, tenant_id: UUID
) -> None:
    names = ["阳光花园", "Sunny Park", "滨江一号", "sunny park", "A区", "Zone 10", "Zone 2"]
    with backend.uow(tenant_id) as uow:
        for name in names:
            uow.communities.add(a_community(tenant_id, name))
        uow.commit()
    listed: list[str] = []
    cursor: str | None = None
    with backend.uow(tenant_id) as uow:
        while True:
            page = uow.communities.list(PageRequest(limit=3, after=cursor))
            listed += [c.name for c in page.items]
            cursor = page.next_cursor
            if cursor is None:
                break
        found = uow.communities.find_by_name("滨江一号")
        assert found is not None
        assert found.address == "人民路 1 号"
        assert found.time_zone == "Asia/Shanghai"
        assert uow.communities.find_by_name("滨江二号") is None
    assert listed == sorted(names)


def test_a_community_changes_and_its_name_stays_unique(backend: Backend, tenant_id: UUID) -> None:
    community = a_community(tenant_id)
    with backend.uow(tenant_id) as uow:
        uow.communities.add(community)
        uow.commit()
    with backend.uow(tenant_id) as uow:
        uow.communities.get(community.id).change(
            name="阳光花园二期", address="人民路 3 号", time_zone="Asia/Urumqi"
        )
        uow.commit()
    with backend.uow(tenant_id) as uow:
        changed = uow.communities.get(community.id)
        assert (changed.name, changed.address, changed.time_zone) == (
            "阳光花园二期",
            "人民路 3 号",
            "Asia/Urumqi",
        )
        uow.communities.add(a_community(tenant_id, "阳光花园二期"))
        with pytest.raises(Conflict) as raised:
            uow.commit()
    assert raised.value.code == "communities.duplicate"


def test_roles_keep_their_permissions_and_are_listed_by_code(
    backend: Backend, tenant_id: UUID
) -> None:
    guard = a_role(tenant_id, "gate_guard")
    with backend.uow(tenant_id) as uow:
        uow.roles.add(guard)
        uow.roles.add(a_role(tenant_id, "accountant", Permission.REPORT_READ))
        uow.roles.add(a_role(tenant_id, "b_team", Permission.NOTICE_PUBLISH))
        uow.commit()
    with backend.uow(tenant_id) as uow:
        assert [r.code for r in uow.roles.all()] == ["accountant", "b_team", "gate_guard"]
        loaded = uow.roles.find_by_code("gate_guard")
        assert loaded is not None
        assert loaded.permissions == frozenset({Permission.VISITOR_VERIFY})
        assert uow.roles.find_by_code("cashier") is None
        loaded.change_permissions([Permission.VISITOR_VERIFY, Permission.NOTICE_PUBLISH])
        uow.commit()
    with backend.uow(tenant_id) as uow:
        assert uow.roles.get(guard.id).permissions == {
            Permission.VISITOR_VERIFY,
            Permission.NOTICE_PUBLISH,
        }
        uow.roles.add(a_role(tenant_id, "gate_guard"))
        with pytest.raises(Conflict) as raised:
            uow.commit()
    assert raised.value.code == "roles.duplicate"


def test_staff_keep_their_roles_scope_and_merchant(backend: Backend, tenant_id: UUID) -> None:
    scoped = a_staff(tenant_id, "13900000001", roles=["customer_service", "gate_guard"])
    scoped.community_ids = sorted([new_id(), new_id()])
    everywhere = a_staff(tenant_id, "13900000002", roles=["admin"])
    merchant_id = new_id()
    clerk = a_staff(tenant_id, "13900000003", roles=["merchant_clerk"])
    clerk.merchant_id = merchant_id
    with backend.uow(tenant_id) as uow:
        for member in (scoped, everywhere, clerk):
            uow.staff.add(member)
        uow.commit()
    with backend.uow(tenant_id) as uow:
        loaded = uow.staff.get(scoped.id)
        assert loaded.roles == ["customer_service", "gate_guard"]
        assert loaded.community_ids == scoped.community_ids
        assert loaded.phone == "13900000001"
        assert uow.staff.get(everywhere.id).community_ids is None
        assert uow.staff.get(clerk.id).merchant_id == merchant_id
        assert uow.staff.find_by_phone("13900000003") is uow.staff.get(clerk.id)
        assert uow.staff.find_by_phone("13900000009") is None
        loaded.change_access(["technician"], None, None)
        loaded.disable("离职", by=everywhere.id)
        uow.commit()
    with backend.uow(tenant_id) as uow:
        changed = uow.staff.get(scoped.id)
        assert (changed.roles, changed.community_ids) == (["technician"], None)
        assert (changed.disabled, changed.disabled_reason) == (True, "离职")


def test_staff_are_listed_by_name_and_one_phone_is_one_account(
    backend: Backend, tenant_id: UUID
) -> None:
    names = ["张三", "李四", "王五", "张三", "Amy", "amy"]
    with backend.uow(tenant_id) as uow:
        for i, name in enumerate(names):
            uow.staff.add(a_staff(tenant_id, f"1390000001{i}", name=name))
        uow.commit()
    listed: list[str] = []
    cursor: str | None = None
    with backend.uow(tenant_id) as uow:
        while True:
            page = uow.staff.list(PageRequest(limit=4, after=cursor))
            listed += [s.name for s in page.items]
            cursor = page.next_cursor
            if cursor is None:
                break
    assert listed == sorted(names)
    with backend.uow(tenant_id) as uow:
        uow.staff.add(a_staff(tenant_id, "13900000010"))
        with pytest.raises(Conflict) as raised:
            uow.commit()
    assert raised.value.code == "staff.duplicate"


def test_the_latest_code_is_the_one_sent_last_for_that_phone_and_purpose(
    backend: Backend, tenant_id: UUID
) -> None:
    first, _ = an_sms_code(tenant_id, at=AT)
    last, _ = an_sms_code(tenant_id, at=AT + timedelta(minutes=2))
    other_purpose, _ = an_sms_code(tenant_id, purpose=SmsPurpose.CHANGE_PHONE_NEW)
    other_phone, _ = an_sms_code(tenant_id, phone="13800000002", at=AT + timedelta(minutes=5))
    with backend.uow(tenant_id) as uow:
        for code in (last, first, other_purpose, other_phone):
            uow.sms_codes.add(code)
        uow.commit()
    with backend.uow(tenant_id) as uow:
        latest = uow.sms_codes.latest("13800000001", SmsPurpose.LOGIN)
        assert latest is not None
        assert (latest.id, latest.sent_at, latest.phone) == (last.id, last.sent_at, "13800000001")
        assert uow.sms_codes.latest("13800000001", SmsPurpose.STAFF_LOGIN) is None
        newer, _ = an_sms_code(tenant_id, at=AT + timedelta(minutes=3))
        uow.sms_codes.add(newer)
        assert uow.sms_codes.latest("13800000001", SmsPurpose.LOGIN) is newer


def test_a_codes_tries_and_use_are_kept(backend: Backend, tenant_id: UUID) -> None:
    code, plain = an_sms_code(tenant_id)
    with backend.uow(tenant_id) as uow:
        uow.sms_codes.add(code)
        uow.commit()
    later = AT + timedelta(minutes=1)
    with backend.uow(tenant_id) as uow:
        latest = uow.sms_codes.latest(code.phone, code.purpose)
        assert latest is not None
        with pytest.raises(CodeRejected):
            latest.check("000000" if plain != "000000" else "111111", later, SECRET)
        uow.commit()
    with backend.uow(tenant_id) as uow:
        latest = uow.sms_codes.latest(code.phone, code.purpose)
        assert latest is not None
        assert latest.wrong_tries == 1
        latest.check(plain, later, SECRET)
        latest.accept(later)
        uow.commit()
    with backend.uow(tenant_id) as uow:
        used = uow.sms_codes.latest(code.phone, code.purpose)
        assert used is not None
        assert (used.state, used.used_at, used.digest) == (CodeState.USED, later, code.digest)


def test_a_throttle_is_found_by_its_key_with_its_sends(backend: Backend, tenant_id: UUID) -> None:
    key = "phone:13800000001"
    with backend.uow(tenant_id) as uow:
        uow.sms_throttles.add(a_throttle(tenant_id, key, AT - timedelta(hours=2)))
        uow.sms_throttles.add(a_throttle(tenant_id, "ip:203.0.113.7"))
        uow.commit()
    with backend.uow(tenant_id) as uow:
        throttle = uow.sms_throttles.find_by_key(key)
        assert throttle is not None
        assert throttle.key == key
        assert throttle.sends == [AT - timedelta(hours=2)]
        throttle.check(AT, PHONE_LIMITS)
        throttle.record_send(AT, PHONE_LIMITS)
        assert uow.sms_throttles.find_by_key("phone:13800000002") is None
        uow.commit()
    with backend.uow(tenant_id) as uow:
        throttle = uow.sms_throttles.find_by_key(key)
        assert throttle is not None
        assert throttle.sends == [AT - timedelta(hours=2), AT]
        assert all(sent.utcoffset() == timedelta(0) for sent in throttle.sends)
        uow.sms_throttles.add(a_throttle(tenant_id, key))
        with pytest.raises(Conflict) as raised:
            uow.commit()
    assert raised.value.code == "sms_throttles.duplicate"


def test_one_code_used_by_two_requests_at_once_is_used_once(
    interleaving_backend: Backend, tenant_id: UUID
) -> None:
    code, plain = an_sms_code(tenant_id)
    with interleaving_backend.uow(tenant_id) as uow:
        uow.sms_codes.add(code)
        uow.commit()
    later = AT + timedelta(minutes=1)
    first, second = interleaving_backend.uow(tenant_id), interleaving_backend.uow(tenant_id)
    with first, second:
        for uow in (first, second):
            latest = uow.sms_codes.latest(code.phone, code.purpose)
            latest.check(plain, later, SECRET)
            latest.accept(later)
        first.commit()
        with pytest.raises(ConcurrencyConflict):
            second.commit()


def test_two_sends_counted_on_one_throttle_at_once_count_once(
    interleaving_backend: Backend, tenant_id: UUID
) -> None:
    key = "phone:13800000001"
    with interleaving_backend.uow(tenant_id) as uow:
        uow.sms_throttles.add(a_throttle(tenant_id, key, AT - timedelta(hours=1)))
        uow.commit()
    first, second = interleaving_backend.uow(tenant_id), interleaving_backend.uow(tenant_id)
    with first, second:
        for uow in (first, second):
            throttle = uow.sms_throttles.find_by_key(key)
            throttle.check(AT, PHONE_LIMITS)
            throttle.record_send(AT, PHONE_LIMITS)
        first.commit()
        with pytest.raises(ConcurrencyConflict):
            second.commit()
    with interleaving_backend.uow(tenant_id) as uow:
        assert uow.sms_throttles.find_by_key(key).sends == [AT - timedelta(hours=1), AT]
