"""Use cases of staff accounts and roles (seed 001 §2.3.4, §3.1.1), guarded by staff.manage.

Nobody grants more than they hold: the roles given, and the staff member managed, must need
no permission the actor lacks and no community outside the actor's scope
(:func:`~estate_core.identity.staff.require_may_grant`).
"""

from __future__ import annotations

from collections.abc import Collection
from uuid import UUID

import attrs

from estate_core.identity.model import normalize_phone
from estate_core.identity.ports import IdentityUnitOfWork
from estate_core.identity.roles import (
    BUILTIN_ROLE_NAMES,
    BUILTIN_ROLE_PERMISSIONS,
    MAX_CUSTOM_ROLES,
    BuiltinRoleImmutable,
    Role,
    is_builtin,
    role_permissions,
)
from estate_core.identity.staff import Staff, require_may_grant, require_tenant_wide
from estate_core.shared.access import Actor, Permission, StaffActor, require_staff
from estate_core.shared.clock import Clock
from estate_core.shared.errors import Conflict, InvalidInput, NotFound
from estate_core.shared.ids import new_id
from estate_core.shared.pagination import Page, PageRequest


@attrs.frozen(kw_only=True)
class RoleView:
    code: str
    name: str
    permissions: frozenset[Permission]
    builtin: bool


@attrs.frozen(kw_only=True)
class StaffView:
    id: UUID
    name: str
    phone: str
    roles: tuple[str, ...]
    community_ids: frozenset[UUID] | None
    merchant_id: UUID | None
    disabled: bool


def _staff_view(staff: Staff) -> StaffView:
    return StaffView(
        id=staff.id,
        name=staff.name,
        phone=staff.phone,
        roles=tuple(staff.roles),
        community_ids=staff.scope,
        merchant_id=staff.merchant_id,
        disabled=staff.disabled,
    )


def staff_actor(uow: IdentityUnitOfWork, staff_id: UUID) -> StaffActor:
    """The actor of a logged-in staff member, built afresh per request so a role change or a
    disabling takes effect at once; ``staff.disabled`` if the account is disabled."""
    with uow:
        return uow.staff.get(staff_id).actor(uow.roles.all())


def list_roles(uow: IdentityUnitOfWork, actor: Actor) -> list[RoleView]:
    """Built-in roles, then the tenant's own by code (a bounded list: no pagination)."""
    require_staff(actor, Permission.STAFF_MANAGE)
    with uow:
        custom = uow.roles.all()
    builtin = [
        RoleView(code=code.value, name=BUILTIN_ROLE_NAMES[code], permissions=perms, builtin=True)
        for code, perms in BUILTIN_ROLE_PERMISSIONS.items()
    ]
    return builtin + [
        RoleView(code=r.code, name=r.name, permissions=r.permissions, builtin=False)
        for r in sorted(custom, key=lambda r: r.code)
    ]


@attrs.frozen(kw_only=True)
class CreateRole:
    code: str
    name: str
    permissions: frozenset[Permission]


def create_role(uow: IdentityUnitOfWork, actor: Actor, cmd: CreateRole) -> UUID:
    """A tenant's own role (e.g. a gate guard with visitor.verify); roles span the company."""
    staff = require_tenant_wide(actor, Permission.STAFF_MANAGE)
    require_may_grant(staff, frozenset(cmd.permissions), None)
    with uow:
        if uow.roles.find_by_code(cmd.code) is not None:
            raise Conflict("role.code_taken", "a role with this code exists")
        if len(uow.roles.all()) >= MAX_CUSTOM_ROLES:
            raise Conflict("role.too_many", f"at most {MAX_CUSTOM_ROLES} roles per company")
        role = Role.create(
            id=new_id(),
            tenant_id=uow.tenant_id,
            code=cmd.code,
            name=cmd.name,
            permissions=cmd.permissions,
        )
        uow.roles.add(role)
        uow.commit()
        return role.id


@attrs.frozen(kw_only=True)
class ChangeRolePermissions:
    code: str
    permissions: frozenset[Permission]


def change_role_permissions(
    uow: IdentityUnitOfWork, actor: Actor, cmd: ChangeRolePermissions
) -> None:
    """Change a tenant role; everyone holding it gains or loses at once. Built-ins are fixed."""
    staff = require_tenant_wide(actor, Permission.STAFF_MANAGE)
    if is_builtin(cmd.code):
        raise BuiltinRoleImmutable("built-in roles cannot be changed; create your own")
    with uow:
        role = uow.roles.find_by_code(cmd.code)
        if role is None:
            raise NotFound("role.not_found", "no such role")
        require_may_grant(staff, role.permissions | frozenset(cmd.permissions), None)
        role.change_permissions(cmd.permissions)
        uow.commit()


def _check_grant(
    uow: IdentityUnitOfWork,
    actor: StaffActor,
    roles: Collection[str],
    community_ids: Collection[UUID] | None,
) -> None:
    """The roles exist, the communities are the tenant's, and the actor may grant them."""
    custom = uow.roles.all()
    known = {role.code for role in custom}
    unknown = sorted(code for code in roles if not is_builtin(code) and code not in known)
    if unknown:
        raise InvalidInput("staff.unknown_role", "no such role", roles=unknown)
    for community_id in community_ids or ():
        if uow.communities.find(community_id) is None:
            raise NotFound("community.not_found", "no such community")
    scope = None if community_ids is None else frozenset(community_ids)
    require_may_grant(actor, role_permissions(roles, custom), scope)


def _managed(uow: IdentityUnitOfWork, actor: StaffActor, staff_id: UUID) -> Staff:
    """A staff member the actor may manage: one holding nothing beyond the actor's reach."""
    staff = uow.staff.get(staff_id)
    require_may_grant(actor, staff.permissions(uow.roles.all()), staff.scope)
    return staff


@attrs.frozen(kw_only=True)
class CreateStaff:
    name: str
    phone: str
    roles: tuple[str, ...]
    community_ids: frozenset[UUID] | None = None
    merchant_id: UUID | None = None


def create_staff(uow: IdentityUnitOfWork, clock: Clock, actor: Actor, cmd: CreateStaff) -> UUID:
    manager = require_staff(actor, Permission.STAFF_MANAGE)
    phone = normalize_phone(cmd.phone)
    with uow:
        _check_grant(uow, manager, cmd.roles, cmd.community_ids)
        if uow.staff.find_by_phone(phone) is not None:
            raise Conflict("staff.phone_taken", "a staff account has this number")
        staff = Staff.create(
            id=new_id(),
            tenant_id=uow.tenant_id,
            name=cmd.name,
            phone=phone,
            roles=cmd.roles,
            community_ids=cmd.community_ids,
            merchant_id=cmd.merchant_id,
            at=clock.now(),
        )
        uow.staff.add(staff)
        uow.commit()
        return staff.id


@attrs.frozen(kw_only=True)
class ChangeStaffAccess:
    staff_id: UUID
    roles: tuple[str, ...]
    community_ids: frozenset[UUID] | None = None
    merchant_id: UUID | None = None


def change_staff_access(uow: IdentityUnitOfWork, actor: Actor, cmd: ChangeStaffAccess) -> None:
    """Replace a staff member's roles and data scope (调岗, 授权); never one's own, so nobody
    strips the company of its last administrator by accident."""
    manager = require_staff(actor, Permission.STAFF_MANAGE)
    if cmd.staff_id == manager.staff_id:
        raise Conflict("staff.cannot_change_self", "another administrator must change your access")
    with uow:
        staff = _managed(uow, manager, cmd.staff_id)
        _check_grant(uow, manager, cmd.roles, cmd.community_ids)
        staff.change_access(cmd.roles, cmd.community_ids, cmd.merchant_id)
        uow.commit()


@attrs.frozen(kw_only=True)
class DisableStaff:
    staff_id: UUID
    reason: str


def disable_staff(uow: IdentityUnitOfWork, actor: Actor, cmd: DisableStaff) -> None:
    """Disable an account (离职): it cannot log in or act from the next request on. Never
    one's own, for the same reason as :func:`change_staff_access`."""
    manager = require_staff(actor, Permission.STAFF_MANAGE)
    if cmd.staff_id == manager.staff_id:
        raise Conflict("staff.cannot_disable_self", "you cannot disable your own account")
    with uow:
        _managed(uow, manager, cmd.staff_id).disable(cmd.reason, by=manager.staff_id)
        uow.commit()


@attrs.frozen(kw_only=True)
class EnableStaff:
    staff_id: UUID


def enable_staff(uow: IdentityUnitOfWork, actor: Actor, cmd: EnableStaff) -> None:
    manager = require_staff(actor, Permission.STAFF_MANAGE)
    with uow:
        _managed(uow, manager, cmd.staff_id).enable(by=manager.staff_id)
        uow.commit()


def list_staff(uow: IdentityUnitOfWork, actor: Actor, page: PageRequest) -> Page[StaffView]:
    require_staff(actor, Permission.STAFF_MANAGE)
    with uow:
        found = uow.staff.list(page)
        return Page(items=[_staff_view(s) for s in found.items], next_cursor=found.next_cursor)
