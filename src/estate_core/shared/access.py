"""Who is acting: a resident, a staff member (with permissions and data scope) or the system.

Use cases take an actor and check it with :meth:`StaffActor.require` or by matching on the type.
Staff actors are built by the identity context from a Staff account's roles.
"""

from __future__ import annotations

import enum
from uuid import UUID

import attrs

from estate_core.shared.errors import PermissionDenied


class Permission(enum.StrEnum):
    """Function permissions (功能权限); a role is a set of these."""

    COMMUNITY_MANAGE = "community.manage"
    PROPERTY_MANAGE = "property.manage"
    HOUSEHOLD_MANAGE = "household.manage"
    RESIDENT_MANAGE = "resident.manage"
    FEE_MANAGE = "fee.manage"
    BILL_ISSUE = "bill.issue"
    BILL_VOID = "bill.void"
    PAYMENT_COLLECT = "payment.collect"
    PAYMENT_REFUND = "payment.refund"
    PAYMENT_RECONCILE = "payment.reconcile"
    FUND_MANAGE = "fund.manage"
    WORKORDER_CREATE = "workorder.create"
    WORKORDER_REVIEW = "workorder.review"
    WORKORDER_DISPATCH = "workorder.dispatch"
    WORKORDER_WORK = "workorder.work"
    WORKORDER_VISIT = "workorder.visit"
    COMPLAINT_HANDLE = "complaint.handle"
    NOTICE_PUBLISH = "notice.publish"
    ACTIVITY_MANAGE = "activity.manage"
    VISITOR_VERIFY = "visitor.verify"
    MERCHANT_MANAGE = "merchant.manage"
    ORDER_MANAGE = "order.manage"
    COUPON_ISSUE = "coupon.issue"
    COUPON_REDEEM = "coupon.redeem"
    REPORT_READ = "report.read"
    STAFF_MANAGE = "staff.manage"
    TENANT_MANAGE = "tenant.manage"
    MERCHANT_ACCOUNT_MANAGE = "merchant_account.manage"
    """Set, rotate and disable the company's receiving accounts (keys in; never out)."""


@attrs.frozen(kw_only=True)
class StaffActor:
    """A staff member acting now.

    ``community_ids`` is the data scope (数据权限): ``None`` means every community of the tenant.
    ``merchant_id`` ties a merchant clerk to the one merchant whose orders and coupons they handle.
    """

    staff_id: UUID
    permissions: frozenset[Permission]
    community_ids: frozenset[UUID] | None = None
    merchant_id: UUID | None = None

    def can(self, permission: Permission, community_id: UUID | None = None) -> bool:
        if permission not in self.permissions:
            return False
        return community_id is None or self.sees(community_id)

    def sees(self, community_id: UUID) -> bool:
        return self.community_ids is None or community_id in self.community_ids

    def require(self, permission: Permission, community_id: UUID | None = None) -> None:
        if permission not in self.permissions:
            raise PermissionDenied(
                "permission.missing", f"this needs the {permission.value} permission"
            )
        if community_id is not None and not self.sees(community_id):
            raise PermissionDenied(
                "permission.out_of_scope", "that community is outside your scope"
            )


@attrs.frozen(kw_only=True)
class ResidentActor:
    """A resident (owner, family or tenant) acting through WeChat / Alipay."""

    resident_id: UUID


@attrs.frozen(kw_only=True)
class SystemActor:
    """The worker acting on a schedule (auto-close, expiry...)."""

    job: str


Actor = StaffActor | ResidentActor | SystemActor


def require_staff(
    actor: Actor, permission: Permission, community_id: UUID | None = None
) -> StaffActor:
    """The actor as staff holding ``permission`` for ``community_id``, or PermissionDenied."""
    if not isinstance(actor, StaffActor):
        raise PermissionDenied("permission.staff_only", "only staff may do this")
    actor.require(permission, community_id)
    return actor
