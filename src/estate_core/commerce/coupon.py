"""Coupon 优惠券: one resident's claimed coupon (seeds 001, 002).

Every coupon has its own unguessable code; the merchant's clerk redeems it (核销) once, only at
that merchant, only inside its window. Campaigns, stock and claiming are in
:mod:`estate_core.commerce.campaign`.
"""

from __future__ import annotations

import enum
import secrets
from collections.abc import Mapping
from datetime import datetime
from types import MappingProxyType
from uuid import UUID

import attrs

from estate_core.commerce import events
from estate_core.commerce.discount import Discount
from estate_core.shared.errors import Conflict, InvalidTransition, PermissionDenied
from estate_core.shared.events import Aggregate
from estate_core.shared.money import Money

CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
"""Upper-case letters and digits without the look-alikes 0/O, 1/I/L, so a clerk can type it."""
CODE_LENGTH = 12
"""31**12 is about 2**59 codes: guessing a live one is hopeless."""


def new_coupon_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalize_code(raw: str) -> str:
    """A code as typed (spaces, dashes, lower case) in its stored form."""
    return "".join(raw.split()).replace("-", "").upper()


class CouponHasExpired(Conflict):
    code = "coupon.expired"


class NotYetValid(Conflict):
    code = "coupon.not_yet_valid"


class WrongMerchant(PermissionDenied):
    code = "coupon.wrong_merchant"


class CouponState(enum.StrEnum):
    USABLE = "usable"
    REDEEMED = "redeemed"
    EXPIRED = "expired"


class CouponAction(enum.StrEnum):
    REDEEM = "redeem"
    RELEASE = "release"
    EXPIRE = "expire"


COUPON_TRANSITIONS: Mapping[tuple[CouponState, CouponAction], CouponState] = MappingProxyType(
    {
        (CouponState.USABLE, CouponAction.REDEEM): CouponState.REDEEMED,
        (CouponState.USABLE, CouponAction.EXPIRE): CouponState.EXPIRED,
        (CouponState.REDEEMED, CouponAction.RELEASE): CouponState.USABLE,
    }
)
"""Release is only for a coupon spent on an order that was then cancelled or closed unpaid; a
coupon redeemed in the shop (核销) stays redeemed."""


@attrs.define(slots=False, eq=False, kw_only=True)
class Coupon(Aggregate):
    """Coupon 优惠券: one resident's claimed coupon, carrying its campaign's terms.

    ``serial`` is the coupon's place in the campaign's stock (1..total stock) and ``sequence``
    its place in the resident's claims (1..limit); the database keeps both unique per campaign,
    so not even a race can hand out more than the stock or the limit.
    """

    id: UUID
    tenant_id: UUID
    campaign_id: UUID
    resident_id: UUID
    merchant_id: UUID
    code: str
    discount: Discount
    valid_from: datetime
    valid_until: datetime
    serial: int
    sequence: int
    state: CouponState = CouponState.USABLE
    claimed_at: datetime
    redeemed_at: datetime | None = None
    redeemed_by: UUID | None = None
    order_id: UUID | None = None
    expired_at: datetime | None = None

    def in_window(self, at: datetime) -> bool:
        return self.valid_from <= at < self.valid_until

    def usable_at(self, at: datetime) -> bool:
        return self.state is CouponState.USABLE and self.in_window(at)

    def amount_off(self, spend: Money) -> Money:
        return self.discount.amount_off(spend)

    def redeem(
        self,
        *,
        merchant_id: UUID,
        at: datetime,
        staff_id: UUID | None = None,
        order_id: UUID | None = None,
    ) -> None:
        """核销: use the coupon once at its merchant, in the shop or on an order.

        A coupon past its window answers ``coupon.expired`` whether or not the expiry job has
        marked it yet; a used one answers ``coupon.invalid_transition``.
        """
        if self.state is CouponState.EXPIRED:
            raise CouponHasExpired("this coupon has expired")
        self._check(CouponAction.REDEEM)
        if merchant_id != self.merchant_id:
            raise WrongMerchant("this coupon is used only at the merchant that issued it")
        if at >= self.valid_until:
            raise CouponHasExpired("this coupon has expired")
        if at < self.valid_from:
            raise NotYetValid("this coupon is not valid yet")
        self.state = CouponState.REDEEMED
        self.redeemed_at = at
        self.redeemed_by = staff_id
        self.order_id = order_id
        self.record(
            events.CouponRedeemed(
                coupon_id=self.id,
                campaign_id=self.campaign_id,
                merchant_id=merchant_id,
                order_id=order_id,
            )
        )

    def release(self) -> None:
        """The order it was spent on ended uncompleted: the coupon is usable again (until its
        window ends, when the expiry job marks it expired)."""
        self._check(CouponAction.RELEASE)
        order_id = self.order_id
        if order_id is None:
            raise Conflict("coupon.not_releasable", "a coupon redeemed in the shop stays used")
        self.state = CouponState.USABLE
        self.redeemed_at = None
        self.redeemed_by = None
        self.order_id = None
        self.record(events.CouponReleased(coupon_id=self.id, order_id=order_id))

    def expire(self, at: datetime) -> None:
        self._check(CouponAction.EXPIRE)
        if at < self.valid_until:
            raise Conflict("coupon.still_valid", "this coupon's window has not ended")
        self.state = CouponState.EXPIRED
        self.expired_at = at
        self.record(events.CouponExpired(coupon_id=self.id, resident_id=self.resident_id))

    def _check(self, action: CouponAction) -> None:
        if (self.state, action) not in COUPON_TRANSITIONS:
            raise InvalidTransition("coupon", self.state, action)
