"""Use cases for coupon campaigns 优惠活动 and coupons 优惠券 (seeds 001, 002).

- create / stop a campaign: staff with ``coupon.issue`` in every community it targets; a
  merchant's clerk only as that merchant, never in the property company's name;
- claim 领取: a resident bound to a home in one of the campaign's communities (seed 002);
- redeem 核销 in the shop: the clerk of the coupon's merchant, with ``coupon.redeem``;
- expire: the scheduled job marks usable coupons whose window has ended.
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import attrs

from estate_core.commerce.campaign import CampaignState, CouponCampaign, IssuerKind
from estate_core.commerce.coupon import (
    Coupon,
    CouponState,
    WrongMerchant,
    new_coupon_code,
    normalize_code,
)
from estate_core.commerce.discount import Discount
from estate_core.commerce.ports import CommerceUnitOfWork
from estate_core.commerce.services.common import (
    JOB_BATCH,
    page_of,
    require_active_resident,
    require_merchant_staff,
    require_system,
    resident_id_of,
)
from estate_core.properties.model import NotAMember
from estate_core.properties.services import is_bound_in_community
from estate_core.shared.access import Actor, Permission, require_staff
from estate_core.shared.clock import Clock, local_date
from estate_core.shared.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from estate_core.shared.ids import new_id
from estate_core.shared.money import Money
from estate_core.shared.pagination import Page, PageRequest


@attrs.frozen(kw_only=True)
class CampaignView:
    id: UUID
    title: str
    description: str
    issuer: IssuerKind
    merchant_id: UUID
    community_ids: frozenset[UUID]
    discount: Discount
    valid_from: datetime
    valid_until: datetime
    total_stock: int
    claimed_count: int
    per_resident_limit: int
    state: CampaignState

    @classmethod
    def of(cls, campaign: CouponCampaign) -> CampaignView:
        return cls(
            id=campaign.id,
            title=campaign.title,
            description=campaign.description,
            issuer=campaign.issuer,
            merchant_id=campaign.merchant_id,
            community_ids=frozenset(campaign.community_ids),
            discount=campaign.discount,
            valid_from=campaign.valid_from,
            valid_until=campaign.valid_until,
            total_stock=campaign.total_stock,
            claimed_count=campaign.claimed_count,
            per_resident_limit=campaign.per_resident_limit,
            state=campaign.state,
        )


@attrs.frozen(kw_only=True)
class CouponView:
    """A coupon as its holder sees it; ``code`` is shown only to the holder (and as a QR)."""

    id: UUID
    campaign_id: UUID
    merchant_id: UUID
    code: str
    discount: Discount
    valid_from: datetime
    valid_until: datetime
    state: CouponState
    claimed_at: datetime
    redeemed_at: datetime | None
    order_id: UUID | None

    @classmethod
    def of(cls, coupon: Coupon) -> CouponView:
        return cls(
            id=coupon.id,
            campaign_id=coupon.campaign_id,
            merchant_id=coupon.merchant_id,
            code=coupon.code,
            discount=coupon.discount,
            valid_from=coupon.valid_from,
            valid_until=coupon.valid_until,
            state=coupon.state,
            claimed_at=coupon.claimed_at,
            redeemed_at=coupon.redeemed_at,
            order_id=coupon.order_id,
        )


@attrs.frozen(kw_only=True)
class Redemption:
    """What the clerk sees after 核销: the terms, and the amount off when a spend was given."""

    coupon_id: UUID
    discount: Discount
    amount_off: Money | None


@attrs.frozen(kw_only=True)
class CreateCouponCampaign:
    """``merchant_id`` is where the coupons are used: the issuing merchant, or for a campaign
    the property company pays for, the shop it names (指定店铺)."""

    title: str
    issuer: IssuerKind
    merchant_id: UUID
    community_ids: frozenset[UUID]
    discount: Discount
    valid_from: datetime
    valid_until: datetime
    total_stock: int
    per_resident_limit: int = 1
    description: str = ""


def create_campaign(
    uow: CommerceUnitOfWork, clock: Clock, actor: Actor, cmd: CreateCouponCampaign
) -> UUID:
    staff = require_merchant_staff(
        actor, Permission.COUPON_ISSUE, cmd.merchant_id, cmd.community_ids
    )
    if staff.merchant_id is not None and cmd.issuer is IssuerKind.PROPERTY:
        raise PermissionDenied(
            "coupon_campaign.issuer_not_allowed", "a merchant issues coupons in its own name"
        )
    with uow:
        merchant = uow.merchants.get(cmd.merchant_id)
        if not merchant.active:
            raise Conflict("merchant.inactive", "this merchant is not active")
        not_served = sorted(str(c) for c in cmd.community_ids if not merchant.serves(c))
        if not_served:
            raise InvalidInput(
                "coupon_campaign.community_not_served",
                "the merchant does not serve every community of the campaign",
                community_ids=not_served,
            )
        campaign = CouponCampaign.create(
            id=new_id(),
            tenant_id=uow.tenant_id,
            title=cmd.title,
            description=cmd.description,
            issuer=cmd.issuer,
            merchant_id=merchant.id,
            community_ids=sorted(cmd.community_ids),
            discount=cmd.discount,
            valid_from=cmd.valid_from,
            valid_until=cmd.valid_until,
            total_stock=cmd.total_stock,
            per_resident_limit=cmd.per_resident_limit,
            at=clock.now(),
            created_by=staff.staff_id,
        )
        uow.coupon_campaigns.add(campaign)
        uow.commit()
        return campaign.id


def stop_campaign(uow: CommerceUnitOfWork, actor: Actor, campaign_id: UUID) -> None:
    """停止发放: no more claims; coupons already claimed stay usable until they expire."""
    with uow:
        campaign = uow.coupon_campaigns.get_for_update(campaign_id)
        staff = require_merchant_staff(
            actor, Permission.COUPON_ISSUE, campaign.merchant_id, campaign.community_ids
        )
        if staff.merchant_id is not None and campaign.issuer is IssuerKind.PROPERTY:
            raise PermissionDenied(
                "coupon_campaign.issuer_not_allowed", "the property company's campaign"
            )
        campaign.stop()
        uow.commit()


@attrs.frozen(kw_only=True)
class ClaimCoupon:
    campaign_id: UUID


def claim_coupon(
    uow: CommerceUnitOfWork, clock: Clock, actor: Actor, cmd: ClaimCoupon
) -> CouponView:
    """领取. Stock and the per-resident limit are checked by the campaign aggregate. The
    campaign is loaded for update, so concurrent claims of it queue (each counting the
    resident's coupons after the one before committed) and its version refuses any other race;
    the coupons' unique (campaign, serial) and (campaign, resident, sequence) keys back both."""
    now = clock.now()
    with uow:
        resident = require_active_resident(uow, actor)
        campaign = uow.coupon_campaigns.get_for_update(cmd.campaign_id)
        today = local_date(now)
        if not any(
            is_bound_in_community(uow, resident.id, community_id, today)
            for community_id in campaign.community_ids
        ):
            raise NotAMember("only residents bound to a home here can claim coupons")
        if not uow.merchants.get(campaign.merchant_id).active:
            raise Conflict("merchant.inactive", "this merchant is not active")
        coupon = campaign.claim(
            coupon_id=new_id(),
            resident_id=resident.id,
            already_claimed=uow.coupons.count_for(campaign.id, resident.id),
            code=_fresh_code(uow),
            at=now,
        )
        uow.coupons.add(coupon)
        uow.commit()
        return CouponView.of(coupon)


def _fresh_code(uow: CommerceUnitOfWork) -> str:
    """A code no coupon of this tenant has; the unique key still guards the race."""
    while True:
        code = new_coupon_code()
        if uow.coupons.find_by_code(code) is None:
            return code


@attrs.frozen(kw_only=True)
class RedeemCoupon:
    """核销 in the shop by code; with ``spend`` the clerk also gets the amount to take off."""

    code: str
    spend: Money | None = None


def redeem_coupon(
    uow: CommerceUnitOfWork, clock: Clock, actor: Actor, cmd: RedeemCoupon
) -> Redemption:
    staff = require_staff(actor, Permission.COUPON_REDEEM)
    with uow:
        coupon = uow.coupons.find_by_code(normalize_code(cmd.code))
        if coupon is None:
            raise NotFound("coupon.not_found", "no coupon has this code")
        if staff.merchant_id is None:
            raise WrongMerchant("only the clerk of the coupon's merchant redeems it")
        coupon.redeem(merchant_id=staff.merchant_id, at=clock.now(), staff_id=staff.staff_id)
        amount_off = None if cmd.spend is None else coupon.amount_off(cmd.spend)
        uow.commit()
        return Redemption(coupon_id=coupon.id, discount=coupon.discount, amount_off=amount_off)


def expire_coupons(
    uow: CommerceUnitOfWork, clock: Clock, actor: Actor, *, limit: int = JOB_BATCH
) -> int:
    """The worker's job: mark usable coupons past their window expired; returns how many."""
    require_system(actor)
    now = clock.now()
    with uow:
        due = uow.coupons.due_to_expire(now, limit)
        for coupon in due:
            coupon.expire(now)
        uow.commit()
        return len(due)


def list_my_coupons(uow: CommerceUnitOfWork, actor: Actor, page: PageRequest) -> Page[CouponView]:
    """我的优惠券."""
    resident_id = resident_id_of(actor)
    with uow:
        return page_of(uow.coupons.list_for_resident(resident_id, page), CouponView.of)


def list_campaigns(
    uow: CommerceUnitOfWork, community_id: UUID, page: PageRequest
) -> Page[CampaignView]:
    """优惠活动 offered in a community (every state; the client shows which can be claimed)."""
    with uow:
        return page_of(uow.coupon_campaigns.list_in_community(community_id, page), CampaignView.of)
