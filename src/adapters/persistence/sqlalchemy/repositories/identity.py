"""Repositories of the identity context.

A phone or throttle key is looked up by comparing its hash column with the plain value: the
column's type (``LookupHash``) hashes the bound value, so the database sees only the hash.
"""

from __future__ import annotations

from sqlalchemy.orm.attributes import set_committed_value

from adapters.persistence.sqlalchemy.repositories.base import SqlRepository
from adapters.persistence.sqlalchemy.tables.identity import (
    communities,
    residents,
    roles,
    sms_codes,
    sms_throttles,
    staff,
    tenants,
)
from estate_core.identity.model import Community, Resident, Tenant
from estate_core.identity.roles import Role
from estate_core.identity.sms import SmsCode, SmsPurpose, SmsThrottle
from estate_core.identity.staff import Staff
from estate_core.shared.pagination import Page, PageRequest


class SqlTenantRepository(SqlRepository[Tenant]):
    """Only the unit of work's own tenant row is ever found (``tenant_id == id``)."""

    model = Tenant
    table = tenants
    not_found_code = "tenant.not_found"


class SqlCommunityRepository(SqlRepository[Community]):
    model = Community
    table = communities
    not_found_code = "community.not_found"

    def find_by_name(self, name: str) -> Community | None:
        return self._one(self._select().where(communities.c.name == name))

    def list(self, page: PageRequest) -> Page[Community]:
        """By name; served by the unique index (tenant, name)."""
        c = communities.c
        return self._page(
            self._select(), order=[c.name, c.id], key=lambda x: (x.name, x.id), page=page
        )


class SqlResidentRepository(SqlRepository[Resident]):
    model = Resident
    table = residents
    not_found_code = "resident.not_found"

    def find_by_phone(self, phone: str) -> Resident | None:
        return self._one(self._select().where(residents.c.phone_hmac == phone))

    def find_by_wechat_openid(self, openid: str) -> Resident | None:
        return self._one(self._select().where(residents.c.wechat_openid == openid))

    def find_by_alipay_user_id(self, user_id: str) -> Resident | None:
        return self._one(self._select().where(residents.c.alipay_user_id == user_id))


class SqlRoleRepository(SqlRepository[Role]):
    model = Role
    table = roles
    not_found_code = "role.not_found"

    def find_by_code(self, code: str) -> Role | None:
        return self._one(self._select().where(roles.c.code == code))

    def all(self) -> list[Role]:
        """By code; at most ``MAX_CUSTOM_ROLES`` rows, served by the unique index."""
        return self._all(self._select().order_by(roles.c.code))


class SqlStaffRepository(SqlRepository[Staff]):
    model = Staff
    table = staff
    not_found_code = "staff.not_found"

    def find_by_phone(self, phone: str) -> Staff | None:
        return self._one(self._select().where(staff.c.phone_hmac == phone))

    def list(self, page: PageRequest) -> Page[Staff]:
        """By name; served by the index (tenant, name, id)."""
        c = staff.c
        return self._page(
            self._select(), order=[c.name, c.id], key=lambda s: (s.name, s.id), page=page
        )


class SqlSmsCodeRepository(SqlRepository[SmsCode]):
    model = SmsCode
    table = sms_codes
    not_found_code = "sms_code.not_found"

    def latest(self, phone: str, purpose: SmsPurpose) -> SmsCode | None:
        """One row, however many codes the phone was sent: the index (tenant, phone hash,
        purpose, sent_at, id) read backwards."""
        c = sms_codes.c
        newest = (
            self._select()
            .where(c.phone_hmac == phone, c.purpose == purpose)
            .order_by(c.sent_at.desc(), c.id.desc())
            .limit(1)
        )
        found = self._all(newest)
        return found[0] if found else None


class SqlSmsThrottleRepository(SqlRepository[SmsThrottle]):
    model = SmsThrottle
    table = sms_throttles
    not_found_code = "sms_throttle.not_found"

    def find_by_key(self, key: str) -> SmsThrottle | None:
        throttle = self._one(self._select().where(sms_throttles.c.key_hmac == key))
        if throttle is not None and throttle.key != key:
            set_committed_value(throttle, "key", key)
        return throttle
