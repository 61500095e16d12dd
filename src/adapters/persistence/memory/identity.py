"""In-memory repositories of the identity context."""

from __future__ import annotations

from datetime import datetime

from adapters.persistence.memory.store import InMemoryRepository
from estate_core.identity.model import Community, Resident, Tenant
from estate_core.identity.roles import Role
from estate_core.identity.sms import SmsCode, SmsPurpose, SmsThrottle
from estate_core.identity.staff import Staff
from estate_core.shared.pagination import Page, PageRequest, paginate


class InMemoryTenantRepository(InMemoryRepository[Tenant]):
    table = "tenants"
    not_found_code = "tenant.not_found"


class InMemoryCommunityRepository(InMemoryRepository[Community]):
    table = "communities"
    unique = (("name",),)
    not_found_code = "community.not_found"

    def find_by_name(self, name: str) -> Community | None:
        found = self._select(lambda c: c.name == name)
        return found[0] if found else None

    def list(self, page: PageRequest) -> Page[Community]:
        return paginate(
            self._select(lambda c: True), key=lambda c: (c.name, str(c.id)), request=page
        )


class InMemoryResidentRepository(InMemoryRepository[Resident]):
    table = "residents"
    unique = (("phone",), ("wechat_openid",), ("alipay_user_id",))
    not_found_code = "resident.not_found"

    def find_by_phone(self, phone: str) -> Resident | None:
        found = self._select(lambda r: r.phone == phone)
        return found[0] if found else None

    def find_by_wechat_openid(self, openid: str) -> Resident | None:
        found = self._select(lambda r: r.wechat_openid == openid)
        return found[0] if found else None

    def find_by_alipay_user_id(self, user_id: str) -> Resident | None:
        found = self._select(lambda r: r.alipay_user_id == user_id)
        return found[0] if found else None


class InMemoryRoleRepository(InMemoryRepository[Role]):
    table = "roles"
    unique = (("code",),)
    not_found_code = "role.not_found"

    def find_by_code(self, code: str) -> Role | None:
        found = self._select(lambda r: r.code == code)
        return found[0] if found else None

    def all(self) -> list[Role]:
        return sorted(self._select(lambda r: True), key=lambda r: r.code)


class InMemoryStaffRepository(InMemoryRepository[Staff]):
    table = "staff"
    unique = (("phone",),)
    not_found_code = "staff.not_found"

    def find_by_phone(self, phone: str) -> Staff | None:
        found = self._select(lambda s: s.phone == phone)
        return found[0] if found else None

    def list(self, page: PageRequest) -> Page[Staff]:
        return paginate(
            self._select(lambda s: True), key=lambda s: (s.name, str(s.id)), request=page
        )


class InMemorySmsCodeRepository(InMemoryRepository[SmsCode]):
    table = "sms_codes"
    not_found_code = "sms_code.not_found"

    def latest(self, phone: str, purpose: SmsPurpose) -> SmsCode | None:
        """Adopts only the newest row, as ``ORDER BY sent_at DESC LIMIT 1`` would: a phone
        accumulates codes, and copying all of them on every send made sends O(history)."""

        def matches(code: SmsCode) -> bool:
            return code.phone == phone and code.purpose is purpose

        def newest(code: SmsCode) -> tuple[datetime, str]:
            return (code.sent_at, str(code.id))

        working = max((c for c in self._working() if matches(c)), key=newest, default=None)
        session = self._session
        with session.store.lock:
            stored = [
                row
                for row_id, row in session.store.table(self.table).items()
                if (self.table, row_id) not in session.objects
                and row.value.tenant_id == session.tenant_id
                and matches(row.value)
            ]
            best = max(stored, key=lambda row: newest(row.value), default=None)
            if best is not None and (working is None or newest(best.value) > newest(working)):
                return self._adopt(best)
        return working


class InMemorySmsThrottleRepository(InMemoryRepository[SmsThrottle]):
    table = "sms_throttles"
    unique = (("key",),)
    not_found_code = "sms_throttle.not_found"

    def find_by_key(self, key: str) -> SmsThrottle | None:
        found = self._select(lambda t: t.key == key)
        return found[0] if found else None
