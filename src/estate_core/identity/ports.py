"""Ports of the identity context: its repositories, its unit of work and the SMS sender."""

from __future__ import annotations

from typing import Protocol
from uuid import UUID

from estate_core.identity.model import Community, Resident, Tenant
from estate_core.identity.roles import Role
from estate_core.identity.sms import SmsCode, SmsPurpose, SmsThrottle
from estate_core.identity.staff import Staff
from estate_core.shared.pagination import Page, PageRequest
from estate_core.shared.unit_of_work import UnitOfWork


class TenantRepository(Protocol):
    def add(self, tenant: Tenant) -> None: ...

    def get(self, tenant_id: UUID) -> Tenant: ...

    def find(self, tenant_id: UUID) -> Tenant | None: ...


class CommunityRepository(Protocol):
    def add(self, community: Community) -> None: ...

    def get(self, community_id: UUID) -> Community: ...

    def find(self, community_id: UUID) -> Community | None: ...

    def find_by_name(self, name: str) -> Community | None: ...

    def list(self, page: PageRequest) -> Page[Community]:
        """The tenant's communities by name."""
        ...


class ResidentRepository(Protocol):
    def add(self, resident: Resident) -> None: ...

    def get(self, resident_id: UUID) -> Resident: ...

    def find(self, resident_id: UUID) -> Resident | None: ...

    def find_by_phone(self, phone: str) -> Resident | None: ...

    def find_by_wechat_openid(self, openid: str) -> Resident | None: ...

    def find_by_alipay_user_id(self, user_id: str) -> Resident | None: ...


class RoleRepository(Protocol):
    def add(self, role: Role) -> None: ...

    def find_by_code(self, code: str) -> Role | None: ...

    def all(self) -> list[Role]:
        """The tenant's own roles (at most ``MAX_CUSTOM_ROLES``), by code."""
        ...


class StaffRepository(Protocol):
    def add(self, staff: Staff) -> None: ...

    def get(self, staff_id: UUID) -> Staff: ...

    def find(self, staff_id: UUID) -> Staff | None: ...

    def find_by_phone(self, phone: str) -> Staff | None: ...

    def list(self, page: PageRequest) -> Page[Staff]:
        """The tenant's staff by name."""
        ...


class SmsCodeRepository(Protocol):
    def add(self, code: SmsCode) -> None: ...

    def latest(self, phone: str, purpose: SmsPurpose) -> SmsCode | None:
        """The code sent last to ``phone`` for ``purpose``: the only one that can be used."""
        ...


class SmsThrottleRepository(Protocol):
    def add(self, throttle: SmsThrottle) -> None: ...

    def find_by_key(self, key: str) -> SmsThrottle | None: ...


class SmsSender(Protocol):
    """Sends text messages to mainland mobile numbers (Tencent Cloud SMS, a console log...).

    Adapters translate provider failures into domain errors and never log a full number.
    ``tenant_id`` lets an adapter use the property company's own SMS signature (短信签名).
    """

    def send_code(
        self, *, tenant_id: UUID, phone: str, code: str, purpose: SmsPurpose, valid_minutes: int
    ) -> None: ...

    def send_text(self, *, tenant_id: UUID, phone: str, text: str) -> None: ...


class IdentityUnitOfWork(UnitOfWork, Protocol):
    @property
    def tenants(self) -> TenantRepository: ...

    @property
    def communities(self) -> CommunityRepository: ...

    @property
    def residents(self) -> ResidentRepository: ...

    @property
    def roles(self) -> RoleRepository: ...

    @property
    def staff(self) -> StaffRepository: ...

    @property
    def sms_codes(self) -> SmsCodeRepository: ...

    @property
    def sms_throttles(self) -> SmsThrottleRepository: ...
