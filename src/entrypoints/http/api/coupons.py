"""Coupons 优惠券: residents bound in a community claim from its campaigns; staff with
``coupon.issue`` (or a merchant's clerk, in its own name) run campaigns; the merchant's clerk
with ``coupon.redeem`` redeems 核销 a coupon by the code the resident shows."""

from __future__ import annotations

from uuid import UUID

from litestar import Router, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody
from litestar.status_codes import HTTP_204_NO_CONTENT

from entrypoints.bootstrap import Estate
from entrypoints.http.auth import Caller
from entrypoints.http.schemas import PageOf
from entrypoints.http.schemas.commerce import (
    CampaignView,
    CouponView,
    DiscountSpec,
    NewCampaign,
    Redeem,
    RedemptionView,
)
from entrypoints.http.schemas.identity import Created
from entrypoints.http.views import page_request, paged, view
from estate_core.commerce.discount import Discount
from estate_core.commerce.services import coupons
from estate_core.shared.access import Permission
from estate_core.shared.money import Money

Estate_ = NamedDependency[Estate]
Caller_ = NamedDependency[Caller]


def _money(fen: int | None) -> Money | None:
    return None if fen is None else Money(fen)


def _discount(data: DiscountSpec) -> Discount:
    return Discount(
        kind=data.kind,
        amount=_money(data.amount_fen),
        percent_off=data.percent_off,
        cap=_money(data.cap_fen),
        minimum_spend=Money(data.minimum_spend_fen),
    )


@get(
    "/communities/{community_id:uuid}/coupon-campaigns",
    sync_to_thread=True,
    summary="优惠活动 offered in a community, every state (resident)",
)
def campaigns(
    community_id: FromPath[UUID],
    resident: Caller_,
    estate: Estate_,
    limit: FromQuery[int] = 20,
    after: FromQuery[str | None] = None,
) -> PageOf[CampaignView]:
    found = coupons.list_campaigns(
        estate.uow(resident.tenant_id), community_id, page_request(limit, after)
    )
    return paged(CampaignView, found)


@post(
    "/coupon-campaigns/{campaign_id:uuid}/claim",
    sync_to_thread=True,
    summary="领取 a coupon (resident bound in one of the campaign's communities)",
)
def claim(campaign_id: FromPath[UUID], resident: Caller_, estate: Estate_) -> CouponView:
    found = coupons.claim_coupon(
        estate.uow(resident.tenant_id),
        estate.clock,
        resident.actor,
        coupons.ClaimCoupon(campaign_id=campaign_id),
    )
    return view(CouponView, found)


@get("/coupons/mine", sync_to_thread=True, summary="我的优惠券 (resident)")
def mine(
    resident: Caller_,
    estate: Estate_,
    limit: FromQuery[int] = 20,
    after: FromQuery[str | None] = None,
) -> PageOf[CouponView]:
    found = coupons.list_my_coupons(
        estate.uow(resident.tenant_id), resident.actor, page_request(limit, after)
    )
    return paged(CouponView, found)


@post(
    "/coupon-campaigns",
    sync_to_thread=True,
    opt={"permission": Permission.COUPON_ISSUE},
    summary="Start a coupon campaign (staff, or a merchant's clerk in its own name)",
)
def create(data: JSONBody[NewCampaign], staff: Caller_, estate: Estate_) -> Created:
    created = coupons.create_campaign(
        estate.uow(staff.tenant_id),
        estate.clock,
        staff.actor,
        coupons.CreateCouponCampaign(
            title=data.title,
            issuer=data.issuer,
            merchant_id=data.merchant_id,
            community_ids=frozenset(data.community_ids),
            discount=_discount(data.discount),
            valid_from=data.valid_from,
            valid_until=data.valid_until,
            total_stock=data.total_stock,
            per_resident_limit=data.per_resident_limit,
            description=data.description,
        ),
    )
    return Created(id=created)


@post(
    "/coupon-campaigns/{campaign_id:uuid}/stop",
    status_code=HTTP_204_NO_CONTENT,
    sync_to_thread=True,
    opt={"permission": Permission.COUPON_ISSUE},
    summary="停止发放: no more claims; claimed coupons stay usable (staff)",
)
def stop(campaign_id: FromPath[UUID], staff: Caller_, estate: Estate_) -> None:
    coupons.stop_campaign(estate.uow(staff.tenant_id), staff.actor, campaign_id)


@post(
    "/coupons/redeem",
    status_code=200,
    sync_to_thread=True,
    opt={"permission": Permission.COUPON_REDEEM},
    summary="核销 a coupon by its code (the merchant's clerk)",
)
def redeem(data: JSONBody[Redeem], staff: Caller_, estate: Estate_) -> RedemptionView:
    found = coupons.redeem_coupon(
        estate.uow(staff.tenant_id),
        estate.clock,
        staff.actor,
        coupons.RedeemCoupon(code=data.code, spend=_money(data.spend_fen)),
    )
    return view(RedemptionView, found)


router = Router(
    path="",
    route_handlers=[campaigns, claim, mine, create, stop, redeem],
    tags=["coupons"],
)
