"""Staff accounts 员工账号 with roles and a data scope (DESIGN.md §3, seed 001 §2.3.4, §3.1.1).

A staff member holds roles (:mod:`estate_core.identity.roles`); their function permissions are
the union of their roles'. The data scope (数据权限) is every community of the tenant or a listed
set: office staff see only their own project (管理处), headquarters the whole company. A
merchant clerk is tied to one merchant.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from datetime import datetime
from uuid import UUID

import attrs

from estate_core.identity import events
from estate_core.identity.model import (
    PERSON_NAME_MAX,
    AccountStatus,
    clean_name,
    next_account_status,
)
from estate_core.identity.roles import BuiltinRole, Role, role_permissions
from estate_core.shared.access import Actor, Permission, StaffActor, require_staff
from estate_core.shared.errors import InvalidInput, PermissionDenied
from estate_core.shared.events import Aggregate


class StaffAccountDisabled(PermissionDenied):
    code = "staff.disabled"


def _check_access(
    roles: Collection[str], community_ids: Collection[UUID] | None, merchant_id: UUID | None
) -> None:
    """Roles and scope that fit together.

    A merchant clerk works for one merchant and holds no property-staff role; nobody else is
    tied to a merchant. A listed scope names at least one community (``None`` means all).
    """
    if not roles:
        raise InvalidInput("staff.no_roles", "a staff member needs at least one role")
    if len(set(roles)) != len(roles):
        raise InvalidInput("staff.duplicate_role", "a role is listed twice")
    if community_ids is not None and not community_ids:
        raise InvalidInput("staff.empty_scope", "list at least one community, or none for all")
    is_clerk = BuiltinRole.MERCHANT_CLERK.value in roles
    if is_clerk and (merchant_id is None or len(roles) != 1):
        raise InvalidInput(
            "staff.merchant_clerk_scope",
            "a merchant clerk holds only that role and is tied to one merchant",
        )
    if merchant_id is not None and not is_clerk:
        raise InvalidInput("staff.merchant_clerk_scope", "only merchant clerks have a merchant")


@attrs.define(slots=False, eq=False, kw_only=True)
class Staff(Aggregate):
    """Staff 员工账号: a person of the property company (or a merchant's clerk) who logs in to
    the staff console with their phone.

    ``roles`` holds role codes (built-in or the tenant's own); ``community_ids`` is the data
    scope, ``None`` meaning every community of the tenant.
    """

    id: UUID
    tenant_id: UUID
    name: str
    phone: str
    roles: list[str]
    community_ids: list[UUID] | None = None
    merchant_id: UUID | None = None
    disabled: bool = False
    disabled_reason: str | None = None
    created_at: datetime

    @classmethod
    def create(
        cls,
        *,
        id: UUID,
        tenant_id: UUID,
        name: str,
        phone: str,
        roles: Collection[str],
        community_ids: Collection[UUID] | None,
        merchant_id: UUID | None,
        at: datetime,
    ) -> Staff:
        _check_access(roles, community_ids, merchant_id)
        staff = cls(
            id=id,
            tenant_id=tenant_id,
            name=clean_name(name, "staff.invalid_name", PERSON_NAME_MAX),
            phone=phone,
            roles=list(roles),
            community_ids=None if community_ids is None else sorted(set(community_ids)),
            merchant_id=merchant_id,
            created_at=at,
        )
        staff.record(events.StaffCreated(staff_id=id, roles=tuple(staff.roles)))
        return staff

    @property
    def status(self) -> AccountStatus:
        return AccountStatus.DISABLED if self.disabled else AccountStatus.ACTIVE

    @property
    def scope(self) -> frozenset[UUID] | None:
        return None if self.community_ids is None else frozenset(self.community_ids)

    def change_access(
        self,
        roles: Collection[str],
        community_ids: Collection[UUID] | None,
        merchant_id: UUID | None,
    ) -> None:
        """Replace roles and scope together, since the merchant clerk rule spans both."""
        _check_access(roles, community_ids, merchant_id)
        self.roles = list(roles)
        self.community_ids = None if community_ids is None else sorted(set(community_ids))
        self.merchant_id = merchant_id
        self.record(
            events.StaffAccessChanged(
                staff_id=self.id,
                roles=tuple(self.roles),
                community_ids=self.scope,
                merchant_id=merchant_id,
            )
        )

    def disable(self, reason: str, by: UUID) -> None:
        next_account_status("staff", self.status, "disable")
        reason = clean_name(reason, "staff.reason_required", 200)
        self.disabled, self.disabled_reason = True, reason
        self.record(events.StaffDisabled(staff_id=self.id, reason=reason, by=by))

    def enable(self, by: UUID) -> None:
        next_account_status("staff", self.status, "enable")
        self.disabled, self.disabled_reason = False, None
        self.record(events.StaffEnabled(staff_id=self.id, by=by))

    def permissions(self, custom_roles: Iterable[Role] = ()) -> frozenset[Permission]:
        return role_permissions(self.roles, custom_roles)

    def actor(self, custom_roles: Iterable[Role] = ()) -> StaffActor:
        """This member acting now: the union of their roles' permissions, within their scope.

        ``custom_roles`` are the tenant's own roles (built-ins need none). Disabled staff
        cannot act at all.
        """
        if self.disabled:
            raise StaffAccountDisabled("this staff account is disabled")
        return StaffActor(
            staff_id=self.id,
            permissions=self.permissions(custom_roles),
            community_ids=self.scope,
            merchant_id=self.merchant_id,
        )


def require_tenant_wide(actor: Actor, permission: Permission) -> StaffActor:
    """Staff holding ``permission`` over every community: for tenant-wide things (company
    settings, communities, roles, resident accounts) that no one community owns."""
    staff = require_staff(actor, permission)
    if staff.community_ids is not None:
        raise PermissionDenied("permission.out_of_scope", "this needs a company-wide scope")
    return staff


def require_may_grant(
    actor: StaffActor, permissions: frozenset[Permission], scope: frozenset[UUID] | None
) -> None:
    """Nobody grants, or manages someone holding, more than they hold themselves.

    The permissions must be a subset of the actor's, and the scope inside the actor's: a
    project-scoped manager cannot make a company-wide administrator.
    """
    missing = permissions - actor.permissions
    if missing:
        raise PermissionDenied(
            "staff.grant_exceeds_own",
            "you cannot grant permissions you do not hold",
            missing=sorted(p.value for p in missing),
        )
    if actor.community_ids is not None and (scope is None or not scope <= actor.community_ids):
        raise PermissionDenied("permission.out_of_scope", "that scope is wider than your own")
