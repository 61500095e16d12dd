"""Builders of the identity context's aggregates for the persistence tests."""

from __future__ import annotations

from collections.abc import Collection
from datetime import UTC, datetime
from uuid import UUID

from estate_core.identity.model import Community, Tenant, TenantSettings
from estate_core.identity.roles import Role
from estate_core.identity.sms import CodeSecret, SmsCode, SmsPurpose, SmsThrottle
from estate_core.identity.staff import Staff
from estate_core.shared.access import Permission
from estate_core.shared.ids import new_id

AT = datetime(2026, 3, 15, 2, 0, tzinfo=UTC)
SECRET = CodeSecret(b"integration test pepper, 32 byte")


def a_tenant(tenant_id: UUID, name: str = "中城家物业") -> Tenant:
    return Tenant(
        id=tenant_id, tenant_id=tenant_id, name=name, settings=TenantSettings(), created_at=AT
    )


def a_community(
    tenant_id: UUID, name: str = "阳光花园", community_id: UUID | None = None
) -> Community:
    return Community(
        id=community_id or new_id(), tenant_id=tenant_id, name=name, address="人民路 1 号"
    )


def a_staff(
    tenant_id: UUID,
    phone: str = "13900000001",
    name: str = "王经理",
    roles: Collection[str] = ("manager",),
    community_ids: Collection[UUID] | None = None,
) -> Staff:
    return Staff(
        id=new_id(),
        tenant_id=tenant_id,
        name=name,
        phone=phone,
        roles=list(roles),
        community_ids=None if community_ids is None else sorted(community_ids),
        created_at=AT,
    )


def a_role(tenant_id: UUID, code: str = "gate_guard", *permissions: Permission) -> Role:
    return Role(
        id=new_id(),
        tenant_id=tenant_id,
        code=code,
        name="门岗",
        permissions=frozenset(permissions or (Permission.VISITOR_VERIFY,)),
    )


def an_sms_code(
    tenant_id: UUID,
    phone: str = "13800000001",
    purpose: SmsPurpose = SmsPurpose.LOGIN,
    at: datetime = AT,
) -> tuple[SmsCode, str]:
    return SmsCode.issue(
        id=new_id(), tenant_id=tenant_id, phone=phone, purpose=purpose, at=at, secret=SECRET
    )


def a_throttle(tenant_id: UUID, key: str = "phone:13800000001", *sends: datetime) -> SmsThrottle:
    return SmsThrottle(id=new_id(), tenant_id=tenant_id, key=key, sends=list(sends))
