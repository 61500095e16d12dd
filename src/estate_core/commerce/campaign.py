"""CouponCampaign 优惠活动: the terms, the stock and the claiming of coupons (seeds 001, 002).

A campaign is issued by a merchant, or by the property company for a merchant it names (指定
店铺); either way its coupons are used at that one merchant. Only residents bound to a property
in the campaign's communities claim coupons (seed 002: unbound users cannot use coupons). Stock
is never oversold and each resident's limit holds.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from datetime import datetime
from types import MappingProxyType
from uuid import UUID

import attrs

from estate_core.commerce import events
from estate_core.commerce.coupon import Coupon
from estate_core.commerce.discount import Discount
from estate_core.shared.errors import Conflict, InvalidInput, InvalidTransition
from estate_core.shared.events import Aggregate


class OutOfStock(Conflict):
    code = "coupon.out_of_stock"


class LimitReached(Conflict):
    code = "coupon.limit_reached"


class IssuerKind(enum.StrEnum):
    MERCHANT = "merchant"
    PROPERTY = "property"


class CampaignState(enum.StrEnum):
    ACTIVE = "active"
    STOPPED = "stopped"


class CampaignAction(enum.StrEnum):
    CLAIM = "claim"
    STOP = "stop"


CAMPAIGN_TRANSITIONS: Mapping[tuple[CampaignState, CampaignAction], CampaignState] = (
    MappingProxyType(
        {
            (CampaignState.ACTIVE, CampaignAction.CLAIM): CampaignState.ACTIVE,
            (CampaignState.ACTIVE, CampaignAction.STOP): CampaignState.STOPPED,
        }
    )
)
"""A stopped campaign (停止发放) hands out no more coupons; those already claimed stay usable."""


def _at_least_one(instance: object, attribute: attrs.Attribute[int], value: int) -> None:
    if type(value) is not int or value < 1:
        raise InvalidInput("coupon_campaign.invalid_count", f"{attribute.name} is at least 1")


@attrs.define(slots=False, eq=False, kw_only=True)
class CouponCampaign(Aggregate):
    """CouponCampaign 优惠活动: the terms, the stock and how many coupons are out.

    ``claimed_count`` only grows and never passes ``total_stock``. Claims load the campaign with
    ``get_for_update``, so concurrent claims queue on it (the SQL adapter locks its row) and
    each sees the stock left; the database also refuses a count above the stock (CHECK).
    """

    id: UUID
    tenant_id: UUID
    title: str
    description: str = ""
    issuer: IssuerKind
    merchant_id: UUID
    community_ids: list[UUID]
    discount: Discount
    valid_from: datetime
    valid_until: datetime
    total_stock: int = attrs.field(validator=_at_least_one)
    per_resident_limit: int = attrs.field(validator=_at_least_one)
    claimed_count: int = 0
    state: CampaignState = CampaignState.ACTIVE
    created_at: datetime
    created_by: UUID | None = None

    def __attrs_post_init__(self) -> None:
        if not self.title.strip():
            raise InvalidInput("coupon_campaign.title_required", "a campaign needs a title")
        if self.valid_from >= self.valid_until:
            raise InvalidInput("coupon_campaign.invalid_window", "the window must end after start")
        if not self.community_ids:
            raise InvalidInput("coupon_campaign.no_community", "a campaign targets a community")

    @classmethod
    def create(
        cls,
        *,
        id: UUID,
        tenant_id: UUID,
        title: str,
        description: str,
        issuer: IssuerKind,
        merchant_id: UUID,
        community_ids: Iterable[UUID],
        discount: Discount,
        valid_from: datetime,
        valid_until: datetime,
        total_stock: int,
        per_resident_limit: int,
        at: datetime,
        created_by: UUID | None = None,
    ) -> CouponCampaign:
        campaign = cls(
            id=id,
            tenant_id=tenant_id,
            title=title.strip(),
            description=description.strip(),
            issuer=issuer,
            merchant_id=merchant_id,
            community_ids=list(dict.fromkeys(community_ids)),
            discount=discount,
            valid_from=valid_from,
            valid_until=valid_until,
            total_stock=total_stock,
            per_resident_limit=per_resident_limit,
            created_at=at,
            created_by=created_by,
        )
        campaign.record(
            events.CouponCampaignCreated(
                campaign_id=id, merchant_id=merchant_id, issuer=issuer, total_stock=total_stock
            )
        )
        return campaign

    @property
    def remaining(self) -> int:
        return self.total_stock - self.claimed_count

    def is_claimable(self, at: datetime) -> bool:
        return self.state is CampaignState.ACTIVE and at < self.valid_until and self.remaining > 0

    def claim(
        self,
        *,
        coupon_id: UUID,
        resident_id: UUID,
        already_claimed: int,
        code: str,
        at: datetime,
    ) -> Coupon:
        """Hand one coupon to a resident who has ``already_claimed`` from this campaign.

        The caller has checked that the resident is bound in one of the campaign's communities.
        """
        if (self.state, CampaignAction.CLAIM) not in CAMPAIGN_TRANSITIONS:
            raise InvalidTransition("coupon_campaign", self.state, CampaignAction.CLAIM)
        if at >= self.valid_until:
            raise Conflict("coupon_campaign.ended", "this campaign has ended")
        if already_claimed >= self.per_resident_limit:
            raise LimitReached(f"at most {self.per_resident_limit} coupons per resident")
        if self.claimed_count >= self.total_stock:
            raise OutOfStock("every coupon of this campaign has been claimed")
        self.claimed_count += 1
        coupon = Coupon(
            id=coupon_id,
            tenant_id=self.tenant_id,
            campaign_id=self.id,
            resident_id=resident_id,
            merchant_id=self.merchant_id,
            code=code,
            discount=self.discount,
            valid_from=self.valid_from,
            valid_until=self.valid_until,
            serial=self.claimed_count,
            sequence=already_claimed + 1,
            claimed_at=at,
        )
        coupon.record(
            events.CouponClaimed(coupon_id=coupon_id, campaign_id=self.id, resident_id=resident_id)
        )
        return coupon

    def stop(self) -> None:
        target = CAMPAIGN_TRANSITIONS.get((self.state, CampaignAction.STOP))
        if target is None:
            raise InvalidTransition("coupon_campaign", self.state, CampaignAction.STOP)
        self.state = target
        self.record(events.CouponCampaignStopped(campaign_id=self.id))
