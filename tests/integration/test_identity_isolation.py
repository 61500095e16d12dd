"""No identity repository method returns a row of another tenant (DESIGN.md §3), on any backend.

Two tenants hold look-alike data: the same staff phone, community name, role code, SMS phone and
throttle keys. Every method is called from the second tenant's unit of work with the first
tenant's ids and keys, and must only ever see the second tenant's rows. (Residents are covered
by test_tenant_isolation.py.)
"""

from __future__ import annotations

import attrs
import pytest
from identity_samples import a_community, a_role, a_staff, a_tenant, a_throttle, an_sms_code
from isolation import assert_adding_is_refused, assert_every_public_method_is_covered, assert_unseen
from persistence_samples import Backend

from adapters.persistence.sqlalchemy.repositories.identity import (
    SqlCommunityRepository,
    SqlRoleRepository,
    SqlSmsCodeRepository,
    SqlSmsThrottleRepository,
    SqlStaffRepository,
    SqlTenantRepository,
)
from estate_core.identity.model import Community, Tenant
from estate_core.identity.roles import Role
from estate_core.identity.sms import SmsCode, SmsPurpose, SmsThrottle
from estate_core.identity.staff import Staff
from estate_core.shared.ids import new_id
from estate_core.shared.pagination import PageRequest

PHONE = "13800000001"
KEY = f"phone:{PHONE}"

COVERED = {
    SqlTenantRepository: {"add", "get", "find"},
    SqlCommunityRepository: {"add", "get", "find", "find_by_name", "list"},
    SqlRoleRepository: {"add", "get", "find", "find_by_code", "all"},
    SqlStaffRepository: {"add", "get", "find", "find_by_phone", "list"},
    SqlSmsCodeRepository: {"add", "get", "find", "latest"},
    SqlSmsThrottleRepository: {"add", "get", "find", "find_by_key"},
}


@attrs.frozen
class Company:
    tenant: Tenant
    community: Community
    role: Role
    staff: Staff
    code: SmsCode
    throttle: SmsThrottle


def _populate(backend: Backend) -> Company:
    tenant_id = new_id()
    company = Company(
        tenant=a_tenant(tenant_id, f"物业 {tenant_id.hex[:8]}"),
        community=a_community(tenant_id, "阳光花园"),
        role=a_role(tenant_id, "gate_guard"),
        staff=a_staff(tenant_id, PHONE),
        code=an_sms_code(tenant_id, PHONE)[0],
        throttle=a_throttle(tenant_id, KEY),
    )
    with backend.uow(tenant_id) as uow:
        uow.tenants.add(company.tenant)
        uow.communities.add(company.community)
        uow.roles.add(company.role)
        uow.staff.add(company.staff)
        uow.sms_codes.add(company.code)
        uow.sms_throttles.add(company.throttle)
        uow.commit()
    return company


@pytest.fixture
def companies(backend: Backend) -> tuple[Company, Company]:
    return _populate(backend), _populate(backend)


def test_every_identity_repository_method_is_covered_here() -> None:
    assert_every_public_method_is_covered(COVERED)


def test_another_tenants_company_row_is_invisible(
    backend: Backend, companies: tuple[Company, Company]
) -> None:
    first, second = companies
    with backend.uow(second.tenant.id) as uow:
        assert_unseen(uow.tenants, first.tenant.id)
        assert uow.tenants.get(second.tenant.id).name == second.tenant.name


def test_another_tenants_communities_are_invisible(
    backend: Backend, companies: tuple[Company, Company]
) -> None:
    first, second = companies
    with backend.uow(second.tenant.id) as uow:
        assert_unseen(uow.communities, first.community.id)
        by_name = uow.communities.find_by_name("阳光花园")
        assert by_name is not None
        assert by_name.id == second.community.id
        listed = uow.communities.list(PageRequest(limit=10)).items
        assert [c.id for c in listed] == [second.community.id]


def test_another_tenants_roles_are_invisible(
    backend: Backend, companies: tuple[Company, Company]
) -> None:
    first, second = companies
    with backend.uow(second.tenant.id) as uow:
        assert_unseen(uow.roles, first.role.id)
        by_code = uow.roles.find_by_code("gate_guard")
        assert by_code is not None
        assert by_code.id == second.role.id
        assert [r.id for r in uow.roles.all()] == [second.role.id]


def test_another_tenants_staff_are_invisible(
    backend: Backend, companies: tuple[Company, Company]
) -> None:
    first, second = companies
    with backend.uow(second.tenant.id) as uow:
        assert_unseen(uow.staff, first.staff.id)
        by_phone = uow.staff.find_by_phone(PHONE)
        assert by_phone is not None
        assert by_phone.id == second.staff.id
        listed = uow.staff.list(PageRequest(limit=10)).items
        assert [s.id for s in listed] == [second.staff.id]


def test_another_tenants_sms_codes_and_throttles_are_invisible(
    backend: Backend, companies: tuple[Company, Company]
) -> None:
    first, second = companies
    with backend.uow(second.tenant.id) as uow:
        assert_unseen(uow.sms_codes, first.code.id)
        latest = uow.sms_codes.latest(PHONE, SmsPurpose.LOGIN)
        assert latest is not None
        assert latest.id == second.code.id
        assert_unseen(uow.sms_throttles, first.throttle.id)
        throttle = uow.sms_throttles.find_by_key(KEY)
        assert throttle is not None
        assert throttle.id == second.throttle.id


def test_adding_an_identity_aggregate_of_another_tenant_is_refused(
    backend: Backend, companies: tuple[Company, Company]
) -> None:
    first, second = companies
    with backend.uow(second.tenant.id) as uow:
        assert_adding_is_refused(
            [
                (uow.tenants, a_tenant(first.tenant.id)),
                (uow.communities, a_community(first.tenant.id, "别处")),
                (uow.roles, a_role(first.tenant.id, "other_role")),
                (uow.staff, a_staff(first.tenant.id, "13900000009")),
                (uow.sms_codes, an_sms_code(first.tenant.id)[0]),
                (uow.sms_throttles, a_throttle(first.tenant.id, "ip:198.51.100.1")),
            ]
        )
