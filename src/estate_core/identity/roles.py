"""Roles: named sets of function permissions 功能权限 (DESIGN.md §3, seed 001 §3.1.1).

Built-in roles are defined here in code, so a permission added in a release reaches them with
no data migration, and no tenant can change them. Tenants add their own roles as :class:`Role`
rows (e.g. a gate guard holding visitor.verify).

Built-in permission sets, and why:

- ``admin`` 管理员: everything, including staff, roles and the company's settings.
- ``manager`` 项目经理: every day-to-day operation and report of a project; not the company's
  settings, communities or staff accounts, and not the technician's or the merchant's own work.
  Listed one by one, so a permission added later reaches only ``admin`` until someone decides.
- ``customer_service`` 客服: owner records, the hotline and phone repairs, dispatch, complaints,
  return visits, notices and activities (seed 001 §2.3.2); no money.
- ``technician`` 维修员: works the repair orders dispatched to them.
- ``cashier`` 收银员: issues bills, records counter payments, reads collection and income
  reports; voiding and refunding need a manager (separation of duties).
- ``merchant_clerk`` 商家店员: the orders and coupons of their own merchant only.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable, Mapping
from types import MappingProxyType
from uuid import UUID

import attrs

from estate_core.identity import events
from estate_core.identity.model import clean_name
from estate_core.shared.access import Permission
from estate_core.shared.errors import Conflict, InvalidInput
from estate_core.shared.events import Aggregate

MAX_CUSTOM_ROLES = 50
_ROLE_CODE = re.compile(r"[a-z][a-z0-9_]{1,31}")


class BuiltinRole(enum.StrEnum):
    ADMIN = "admin"
    MANAGER = "manager"
    CUSTOMER_SERVICE = "customer_service"
    TECHNICIAN = "technician"
    CASHIER = "cashier"
    MERCHANT_CLERK = "merchant_clerk"


BUILTIN_ROLE_NAMES: Mapping[BuiltinRole, str] = MappingProxyType(
    {
        BuiltinRole.ADMIN: "管理员 administrator",
        BuiltinRole.MANAGER: "项目经理 manager",
        BuiltinRole.CUSTOMER_SERVICE: "客服 customer service",
        BuiltinRole.TECHNICIAN: "维修员 technician",
        BuiltinRole.CASHIER: "收银员 cashier",
        BuiltinRole.MERCHANT_CLERK: "商家店员 merchant clerk",
    }
)

BUILTIN_ROLE_PERMISSIONS: Mapping[BuiltinRole, frozenset[Permission]] = MappingProxyType(
    {
        BuiltinRole.ADMIN: frozenset(Permission),
        BuiltinRole.MANAGER: frozenset(
            {
                Permission.PROPERTY_MANAGE,
                Permission.HOUSEHOLD_MANAGE,
                Permission.RESIDENT_MANAGE,
                Permission.FEE_MANAGE,
                Permission.BILL_ISSUE,
                Permission.BILL_VOID,
                Permission.PAYMENT_COLLECT,
                Permission.PAYMENT_REFUND,
                Permission.FUND_MANAGE,
                Permission.WORKORDER_CREATE,
                Permission.WORKORDER_REVIEW,
                Permission.WORKORDER_DISPATCH,
                Permission.WORKORDER_VISIT,
                Permission.COMPLAINT_HANDLE,
                Permission.NOTICE_PUBLISH,
                Permission.ACTIVITY_MANAGE,
                Permission.VISITOR_VERIFY,
                Permission.MERCHANT_MANAGE,
                Permission.ORDER_MANAGE,
                Permission.COUPON_ISSUE,
                Permission.REPORT_READ,
                Permission.SURVEY_MANAGE,
                Permission.FEEDBACK_HANDLE,
                Permission.DIRECTORY_MANAGE,
                Permission.PARKING_MANAGE,
            }
        ),
        BuiltinRole.CUSTOMER_SERVICE: frozenset(
            {
                Permission.RESIDENT_MANAGE,
                Permission.HOUSEHOLD_MANAGE,
                Permission.WORKORDER_CREATE,
                Permission.WORKORDER_REVIEW,
                Permission.WORKORDER_DISPATCH,
                Permission.WORKORDER_VISIT,
                Permission.COMPLAINT_HANDLE,
                Permission.NOTICE_PUBLISH,
                Permission.ACTIVITY_MANAGE,
                Permission.VISITOR_VERIFY,
                Permission.FEEDBACK_HANDLE,
                Permission.DIRECTORY_MANAGE,
            }
        ),
        BuiltinRole.TECHNICIAN: frozenset({Permission.WORKORDER_WORK}),
        BuiltinRole.CASHIER: frozenset(
            {
                Permission.BILL_ISSUE,
                Permission.PAYMENT_COLLECT,
                Permission.PAYMENT_RECONCILE,
                Permission.REPORT_READ,
                Permission.PARKING_MANAGE,
            }
        ),
        BuiltinRole.MERCHANT_CLERK: frozenset({Permission.ORDER_MANAGE, Permission.COUPON_REDEEM}),
    }
)


_BUILTIN_CODES = frozenset(role.value for role in BuiltinRole)


def is_builtin(code: str) -> bool:
    return code in _BUILTIN_CODES


class BuiltinRoleImmutable(Conflict):
    code = "role.builtin_immutable"


def check_role_code(code: str) -> str:
    if not _ROLE_CODE.fullmatch(code):
        raise InvalidInput(
            "role.invalid_code", "a role code is 2-32 lowercase letters, digits or _"
        )
    return code


def _permissions(values: Iterable[Permission | str]) -> frozenset[Permission]:
    try:
        return frozenset(Permission(value) for value in values)
    except ValueError:
        raise InvalidInput("role.unknown_permission", "unknown permission") from None


@attrs.define(slots=False, eq=False, kw_only=True)
class Role(Aggregate):
    """A tenant's own role 自定义角色: a code, a name and a set of permissions."""

    id: UUID
    tenant_id: UUID
    code: str
    name: str
    permissions: frozenset[Permission]

    @classmethod
    def create(
        cls,
        *,
        id: UUID,
        tenant_id: UUID,
        code: str,
        name: str,
        permissions: Iterable[Permission | str],
    ) -> Role:
        if is_builtin(code):
            raise Conflict("role.code_taken", "that code is a built-in role")
        role = cls(
            id=id,
            tenant_id=tenant_id,
            code=check_role_code(code),
            name=clean_name(name, "role.invalid_name"),
            permissions=_permissions(permissions),
        )
        role.record(
            events.RoleCreated(role_id=id, code=role.code, permissions=frozenset(role.permissions))
        )
        return role

    def change_permissions(self, permissions: Iterable[Permission | str]) -> None:
        new = _permissions(permissions)
        if new != self.permissions:
            self.permissions = new
            self.record(
                events.RolePermissionsChanged(
                    role_id=self.id, code=self.code, permissions=frozenset(new)
                )
            )


def role_permissions(
    codes: Iterable[str], custom_roles: Iterable[Role] = ()
) -> frozenset[Permission]:
    """The union of the permissions of the roles named by ``codes``.

    Built-in codes resolve from code; other codes from ``custom_roles``. A code that names no
    role (a role since deleted) grants nothing.
    """
    custom = {role.code: role.permissions for role in custom_roles}
    granted: set[Permission] = set()
    for code in codes:
        if is_builtin(code):
            granted |= BUILTIN_ROLE_PERMISSIONS[BuiltinRole(code)]
        else:
            granted |= custom.get(code, frozenset())
    return frozenset(granted)
