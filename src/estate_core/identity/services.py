"""Use cases of the identity context: property companies, communities and resident accounts.

Logins and phone changes are in :mod:`estate_core.identity.login_services`, staff and roles in
:mod:`estate_core.identity.staff_services`. Every use case runs in one unit of work and returns
ids or frozen read models, never a live aggregate.
"""

from __future__ import annotations

from uuid import UUID

import attrs

from estate_core.identity.model import (
    DEFAULT_TIME_ZONE,
    Community,
    Resident,
    SurplusPolicy,
    Tenant,
    TenantSettings,
    normalize_phone,
)
from estate_core.identity.ports import IdentityUnitOfWork
from estate_core.identity.roles import BuiltinRole
from estate_core.identity.staff import Staff, require_tenant_wide
from estate_core.shared.access import Actor, Permission, ResidentActor, require_staff
from estate_core.shared.clock import Clock
from estate_core.shared.errors import Conflict, NotFound
from estate_core.shared.ids import new_id
from estate_core.shared.pagination import Page, PageRequest


@attrs.frozen(kw_only=True)
class TenantView:
    id: UUID
    name: str
    surplus_policy: SurplusPolicy


@attrs.frozen(kw_only=True)
class CommunityView:
    id: UUID
    name: str
    address: str
    time_zone: str


@attrs.frozen(kw_only=True)
class ResidentView:
    """A resident account as staff and the resident see it; the HTTP layer masks the phone."""

    id: UUID
    phone: str
    name: str
    verified: bool
    wechat_linked: bool
    alipay_linked: bool
    disabled: bool
    disabled_reason: str | None


def _tenant_view(tenant: Tenant) -> TenantView:
    return TenantView(id=tenant.id, name=tenant.name, surplus_policy=tenant.settings.surplus_policy)


def _community_view(community: Community) -> CommunityView:
    return CommunityView(
        id=community.id,
        name=community.name,
        address=community.address,
        time_zone=community.time_zone,
    )


def _resident_view(resident: Resident) -> ResidentView:
    return ResidentView(
        id=resident.id,
        phone=resident.phone,
        name=resident.name,
        verified=resident.is_verified,
        wechat_linked=resident.wechat_openid is not None,
        alipay_linked=resident.alipay_user_id is not None,
        disabled=resident.disabled,
        disabled_reason=resident.disabled_reason,
    )


@attrs.frozen(kw_only=True)
class OpenTenant:
    name: str
    admin_name: str
    admin_phone: str
    surplus_policy: SurplusPolicy = SurplusPolicy.REFUND


@attrs.frozen(kw_only=True)
class OpenedTenant:
    tenant_id: UUID
    admin_staff_id: UUID


def open_tenant(uow: IdentityUnitOfWork, clock: Clock, cmd: OpenTenant) -> OpenedTenant:
    """The platform operator opens a property company (入驻) with its first administrator.

    Called by the operator (CLI), not by a tenant's staff, so it takes no actor. The unit of
    work is opened for the new company's id, which becomes the tenant's id.
    """
    phone = normalize_phone(cmd.admin_phone)
    with uow:
        if uow.tenants.find(uow.tenant_id) is not None:
            raise Conflict("tenant.exists", "this property company already exists")
        now = clock.now()
        tenant = Tenant.open(
            uow.tenant_id, cmd.name, TenantSettings(surplus_policy=cmd.surplus_policy), now
        )
        admin = Staff.create(
            id=new_id(),
            tenant_id=uow.tenant_id,
            name=cmd.admin_name,
            phone=phone,
            roles=[BuiltinRole.ADMIN.value],
            community_ids=None,
            merchant_id=None,
            at=now,
        )
        uow.tenants.add(tenant)
        uow.staff.add(admin)
        uow.commit()
        return OpenedTenant(tenant_id=tenant.id, admin_staff_id=admin.id)


def get_tenant(uow: IdentityUnitOfWork) -> TenantView:
    """The current tenant's name and settings (other contexts read ``surplus_policy``)."""
    with uow:
        return _tenant_view(uow.tenants.get(uow.tenant_id))


@attrs.frozen(kw_only=True)
class ChangeTenantSettings:
    name: str | None = None
    surplus_policy: SurplusPolicy | None = None


def change_tenant_settings(
    uow: IdentityUnitOfWork, actor: Actor, cmd: ChangeTenantSettings
) -> TenantView:
    require_tenant_wide(actor, Permission.TENANT_MANAGE)
    with uow:
        tenant = uow.tenants.get(uow.tenant_id)
        if cmd.name is not None:
            tenant.rename(cmd.name)
        if cmd.surplus_policy is not None:
            tenant.change_settings(attrs.evolve(tenant.settings, surplus_policy=cmd.surplus_policy))
        uow.commit()
        return _tenant_view(tenant)


@attrs.frozen(kw_only=True)
class CreateCommunity:
    name: str
    address: str = ""
    time_zone: str = DEFAULT_TIME_ZONE


def create_community(uow: IdentityUnitOfWork, actor: Actor, cmd: CreateCommunity) -> UUID:
    """Add a community 小区 / 项目; names are unique within the company."""
    require_tenant_wide(actor, Permission.COMMUNITY_MANAGE)
    with uow:
        community = Community.create(
            id=new_id(),
            tenant_id=uow.tenant_id,
            name=cmd.name,
            address=cmd.address,
            time_zone=cmd.time_zone,
        )
        if uow.communities.find_by_name(community.name) is not None:
            raise Conflict("community.duplicate_name", "a community with this name exists")
        uow.communities.add(community)
        uow.commit()
        return community.id


@attrs.frozen(kw_only=True)
class ChangeCommunity:
    community_id: UUID
    name: str
    address: str
    time_zone: str = DEFAULT_TIME_ZONE


def change_community(uow: IdentityUnitOfWork, actor: Actor, cmd: ChangeCommunity) -> None:
    require_staff(actor, Permission.COMMUNITY_MANAGE, cmd.community_id)
    with uow:
        community = uow.communities.get(cmd.community_id)
        other = uow.communities.find_by_name(cmd.name.strip())
        if other is not None and other.id != community.id:
            raise Conflict("community.duplicate_name", "a community with this name exists")
        community.change(name=cmd.name, address=cmd.address, time_zone=cmd.time_zone)
        uow.commit()


def list_communities(uow: IdentityUnitOfWork, page: PageRequest) -> Page[CommunityView]:
    """The company's communities: public, so a resident can pick theirs (seed 003)."""
    with uow:
        found = uow.communities.list(page)
        return Page(items=[_community_view(c) for c in found.items], next_cursor=found.next_cursor)


def _resident_for(uow: IdentityUnitOfWork, actor: Actor, resident_id: UUID) -> Resident:
    """The resident, for themselves or for staff holding resident.manage company-wide: an
    account spans the company, so a manager of one community does not read or change it."""
    if not (isinstance(actor, ResidentActor) and actor.resident_id == resident_id):
        require_tenant_wide(actor, Permission.RESIDENT_MANAGE)
    resident = uow.residents.find(resident_id)
    if resident is None:
        raise NotFound("resident.not_found", "no such resident")
    return resident


def get_resident(uow: IdentityUnitOfWork, actor: Actor, resident_id: UUID) -> ResidentView:
    with uow:
        return _resident_view(_resident_for(uow, actor, resident_id))


@attrs.frozen(kw_only=True)
class RenameResident:
    resident_id: UUID
    name: str


def rename_resident(uow: IdentityUnitOfWork, actor: Actor, cmd: RenameResident) -> None:
    """The resident renames themselves, or staff correct the name (resident.manage)."""
    with uow:
        resident = _resident_for(uow, actor, cmd.resident_id)
        if isinstance(actor, ResidentActor):
            resident.require_active()
        resident.rename(cmd.name)
        uow.commit()


@attrs.frozen(kw_only=True)
class DisableResident:
    resident_id: UUID
    reason: str


def disable_resident(uow: IdentityUnitOfWork, actor: Actor, cmd: DisableResident) -> None:
    """Blacklist an account at once (seed 001: 发现有问题的可以立即关闭其账户).

    A resident account spans the company, so only staff with a company-wide scope may.
    """
    staff = require_tenant_wide(actor, Permission.RESIDENT_MANAGE)
    with uow:
        _resident_for(uow, actor, cmd.resident_id).disable(cmd.reason, by=staff.staff_id)
        uow.commit()


@attrs.frozen(kw_only=True)
class EnableResident:
    resident_id: UUID


def enable_resident(uow: IdentityUnitOfWork, actor: Actor, cmd: EnableResident) -> None:
    staff = require_tenant_wide(actor, Permission.RESIDENT_MANAGE)
    with uow:
        _resident_for(uow, actor, cmd.resident_id).enable(by=staff.staff_id)
        uow.commit()
