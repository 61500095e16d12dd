"""Coupon campaigns 优惠活动: who issues them, for which merchant and communities, on what terms."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from uuid import UUID

import pytest
from commerce_world import World, clerk_of

from estate_core.commerce.campaign import CampaignState, IssuerKind
from estate_core.commerce.coupon import CouponState
from estate_core.commerce.discount import Discount
from estate_core.commerce.services import coupons
from estate_core.shared.access import Actor, Permission, StaffActor
from estate_core.shared.ids import new_id
from estate_core.shared.money import Money
from estate_core.shared.pagination import PageRequest
from world_builders import code_of


def _issuer(world: World, merchant_id: UUID | None) -> StaffActor:
    """A staff account allowed to issue coupons, tied to ``merchant_id`` when given."""
    return StaffActor(
        staff_id=new_id(),
        permissions=frozenset({Permission.COUPON_ISSUE, Permission.COUPON_REDEEM}),
        merchant_id=merchant_id,
    )


def _create(world: World, actor: Actor, **changes: object) -> UUID:
    now = world.clock.now()
    fields: dict[str, object] = {
        "title": "周末特惠",
        "issuer": IssuerKind.MERCHANT,
        "merchant_id": world.merchant_id,
        "community_ids": frozenset({world.community_id}),
        "discount": Discount.fixed(Money(300)),
        "valid_from": now,
        "valid_until": now + timedelta(days=3),
        "total_stock": 5,
    }
    fields.update(changes)
    cmd = coupons.CreateCouponCampaign(**fields)
    return coupons.create_campaign(world.uow, world.clock, actor, cmd)


def test_merchant_clerk_issues_campaigns_only_for_their_own_merchant(world: World) -> None:
    issuer = _issuer(world, world.merchant_id)
    campaign_id = _create(world, issuer)
    code = code_of(lambda: _create(world, issuer, merchant_id=world.other_merchant_id))
    assert code == "merchant.other_merchant"
    code = code_of(lambda: _create(world, issuer, issuer=IssuerKind.PROPERTY))
    assert code == "coupon_campaign.issuer_not_allowed"
    assert world.claim(campaign_id).merchant_id == world.merchant_id


def test_built_in_merchant_clerk_cannot_issue_campaigns(world: World) -> None:
    assert code_of(lambda: _create(world, clerk_of(world.merchant_id))) == "permission.missing"


def test_property_campaign_is_redeemed_at_the_shop_it_names(world: World) -> None:
    campaign_id = world.campaign(issuer=IssuerKind.PROPERTY, merchant_id=world.other_merchant_id)
    coupon = world.claim(campaign_id)
    assert code_of(lambda: world.redeem(coupon.code, world.clerk)) == "coupon.wrong_merchant"
    world.redeem(coupon.code, world.other_clerk)
    assert world.coupon_state(coupon.id) is CouponState.REDEEMED


def test_campaign_only_targets_communities_the_merchant_serves(world: World) -> None:
    elsewhere = frozenset({world.community_id, new_id()})
    code = code_of(lambda: _create(world, world.admin, community_ids=elsewhere))
    assert code == "coupon_campaign.community_not_served"


def test_issuer_outside_the_community_cannot_create_a_campaign(world: World) -> None:
    manager = StaffActor(
        staff_id=new_id(),
        permissions=frozenset({Permission.COUPON_ISSUE}),
        community_ids=frozenset({new_id()}),
    )
    assert code_of(lambda: _create(world, manager)) == "permission.out_of_scope"


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"title": "  "}, "coupon_campaign.title_required"),
        ({"total_stock": 0}, "coupon_campaign.invalid_count"),
        ({"per_resident_limit": 0}, "coupon_campaign.invalid_count"),
        ({"valid_until": None}, "coupon_campaign.invalid_window"),
    ],
)
def test_campaign_terms_are_checked(world: World, changes: dict[str, object], code: str) -> None:
    if "valid_until" in changes:
        changes = {"valid_until": world.clock.now()}
    assert code_of(lambda: _create(world, world.admin, **changes)) == code


@pytest.mark.parametrize(
    "make",
    [
        lambda: Discount.fixed(Money(0)),
        lambda: Discount.percentage(Decimal("0"), cap=Money(100)),
        lambda: Discount.percentage(Decimal("100"), cap=Money(100)),
        lambda: Discount.percentage(Decimal("12.345"), cap=Money(100)),
        lambda: Discount.percentage(Decimal("NaN"), cap=Money(100)),
        lambda: Discount.percentage(Decimal("10"), cap=Money(0)),
        lambda: Discount.fixed(Money(100), minimum_spend=Money(-1)),
    ],
)
def test_discount_terms_are_checked(make: object) -> None:
    assert callable(make)
    assert code_of(make) == "coupon.invalid_discount"


def test_residents_see_the_campaigns_of_their_community(world: World) -> None:
    campaign_id = world.campaign(stock=3)
    world.claim(campaign_id)
    page = coupons.list_campaigns(world.uow, world.community_id, PageRequest())
    assert [(c.id, c.claimed_count, c.state) for c in page.items] == [
        (campaign_id, 1, CampaignState.ACTIVE)
    ]
    assert coupons.list_campaigns(world.uow, new_id(), PageRequest()).items == []
