"""Identity events.

Payloads carry ids, never phone numbers or codes: the outbox is read by the worker and by
integrations, and personal data stays in the rows that encrypt it (DESIGN.md §9).
"""

from __future__ import annotations

from uuid import UUID

import attrs

from estate_core.shared.events import DomainEvent


@attrs.frozen(kw_only=True)
class ResidentVerified(DomainEvent):
    resident_id: UUID
    tenant_id: UUID


@attrs.frozen(kw_only=True)
class TenantOpened(DomainEvent):
    tenant_id: UUID
    tenant_name: str


@attrs.frozen(kw_only=True)
class TenantSettingsChanged(DomainEvent):
    tenant_id: UUID
    surplus_policy: str


@attrs.frozen(kw_only=True)
class CommunityCreated(DomainEvent):
    community_id: UUID
    community_name: str


@attrs.frozen(kw_only=True)
class CommunityChanged(DomainEvent):
    community_id: UUID


@attrs.frozen(kw_only=True)
class ResidentRegistered(DomainEvent):
    """A person logged in for the first time and so opened an account (open registration)."""

    resident_id: UUID


@attrs.frozen(kw_only=True)
class ResidentDisabled(DomainEvent):
    resident_id: UUID
    reason: str
    by: UUID


@attrs.frozen(kw_only=True)
class ResidentEnabled(DomainEvent):
    resident_id: UUID
    by: UUID


@attrs.frozen(kw_only=True)
class ResidentRenamed(DomainEvent):
    resident_id: UUID


@attrs.frozen(kw_only=True)
class ResidentPhoneChanged(DomainEvent):
    resident_id: UUID


@attrs.frozen(kw_only=True)
class WechatLinked(DomainEvent):
    resident_id: UUID
    replaced: bool


@attrs.frozen(kw_only=True)
class AlipayLinked(DomainEvent):
    resident_id: UUID
    replaced: bool


@attrs.frozen(kw_only=True)
class RoleCreated(DomainEvent):
    role_id: UUID
    code: str
    permissions: frozenset[str]


@attrs.frozen(kw_only=True)
class RolePermissionsChanged(DomainEvent):
    role_id: UUID
    code: str
    permissions: frozenset[str]


@attrs.frozen(kw_only=True)
class StaffCreated(DomainEvent):
    staff_id: UUID
    roles: tuple[str, ...]


@attrs.frozen(kw_only=True)
class StaffAccessChanged(DomainEvent):
    """Roles or data scope changed: an audit record of who may do what (权限变更)."""

    staff_id: UUID
    roles: tuple[str, ...]
    community_ids: frozenset[UUID] | None
    merchant_id: UUID | None


@attrs.frozen(kw_only=True)
class StaffDisabled(DomainEvent):
    staff_id: UUID
    reason: str
    by: UUID


@attrs.frozen(kw_only=True)
class StaffEnabled(DomainEvent):
    staff_id: UUID
    by: UUID
