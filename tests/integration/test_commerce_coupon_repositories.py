"""The coupon repositories keep one contract on the in-memory store, SQLite and PostgreSQL.

Campaigns keep their terms exactly and page by community; coupons are found by code, counted
per resident, listed and handed to the expiry job the same way on every backend; a repeated
code, stock place or limit place is refused with the same code; a lost update of a campaign or
a redemption is refused; the events reach the outbox with the change.
"""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from decimal import Decimal
from uuid import UUID

import pytest
from commerce_samples import AT, Shop, a_campaign, an_order, claim, open_shop, walk
from persistence_samples import Backend

from estate_core.commerce.campaign import CampaignState
from estate_core.commerce.coupon import CouponState
from estate_core.commerce.discount import Discount
from estate_core.shared.errors import ConcurrencyConflict, Conflict
from estate_core.shared.ids import new_id
from estate_core.shared.money import Money


@pytest.fixture
def shop(backend: Backend, tenant_id: UUID) -> Shop:
    return open_shop(backend.uow, tenant_id)


def test_campaign_keeps_its_terms_and_percentage_discount_exactly(
    backend: Backend, shop: Shop
) -> None:
    discount = Discount.percentage(Decimal("12.50"), cap=Money(2000), minimum_spend=Money(100))
    campaign = a_campaign(shop.merchant, [shop.community_id, new_id()], discount=discount, stock=3)
    with backend.uow(shop.tenant_id) as uow:
        uow.coupon_campaigns.add(campaign)
        uow.commit()
    with backend.uow(shop.tenant_id) as uow:
        loaded = uow.coupon_campaigns.get(campaign.id)
        assert loaded.discount == discount
        assert loaded.discount.amount_off(Money(1003)) == Money(125)
        assert sorted(loaded.community_ids) == sorted(campaign.community_ids)
        assert (loaded.total_stock, loaded.claimed_count, loaded.state) == (
            3,
            0,
            CampaignState.ACTIVE,
        )
        loaded.stop()
        uow.commit()
    with backend.uow(shop.tenant_id) as uow:
        assert uow.coupon_campaigns.get_for_update(campaign.id).state is CampaignState.STOPPED


def test_campaigns_of_a_community_page_by_id(backend: Backend, shop: Shop) -> None:
    elsewhere = new_id()
    campaigns = [a_campaign(shop.merchant) for _ in range(4)]
    campaigns.append(a_campaign(shop.merchant, [elsewhere, shop.community_id]))
    other = a_campaign(shop.merchant, [elsewhere])
    with backend.uow(shop.tenant_id) as uow:
        for campaign in [*campaigns, other]:
            uow.coupon_campaigns.add(campaign)
        uow.commit()
    with backend.uow(shop.tenant_id) as uow:
        listed = walk(lambda p: uow.coupon_campaigns.list_in_community(shop.community_id, p))
        expected = sorted([shop.campaign, *campaigns], key=lambda c: str(c.id))
        assert [c.id for c in listed] == [c.id for c in expected]


def test_claimed_coupons_are_counted_found_by_code_and_listed(backend: Backend, shop: Shop) -> None:
    campaign = a_campaign(shop.merchant, stock=5, limit=3)
    coupons = [
        claim(campaign, shop.resident.id, already=i, at=AT + timedelta(minutes=3 - i))
        for i in range(3)
    ]
    with backend.uow(shop.tenant_id) as uow:
        uow.coupon_campaigns.add(campaign)
        for coupon in coupons:
            uow.coupons.add(coupon)
        assert uow.coupons.count_for(campaign.id, shop.resident.id) == 3
        uow.commit()
    with backend.uow(shop.tenant_id) as uow:
        assert uow.coupon_campaigns.get(campaign.id).claimed_count == 3
        assert uow.coupons.count_for(campaign.id, shop.resident.id) == 3
        assert uow.coupons.count_for(shop.campaign.id, shop.resident.id) == 0
        found = uow.coupons.find_by_code(coupons[1].code)
        assert found is not None
        assert (found.id, found.serial, found.sequence, found.discount) == (
            coupons[1].id,
            2,
            2,
            campaign.discount,
        )
        assert uow.coupons.find_by_code("NO-SUCH-CODE") is None
        listed = walk(lambda p: uow.coupons.list_for_resident(shop.resident.id, p))
        assert [c.id for c in listed] == [c.id for c in reversed(coupons)]


def test_coupon_redemption_release_and_expiry_are_kept(backend: Backend, shop: Shop) -> None:
    campaign = a_campaign(shop.merchant, limit=3)
    in_shop, on_order, lapsing = (claim(campaign, shop.resident.id, already=i) for i in range(3))
    order = an_order(shop, coupon=on_order)
    clerk = new_id()
    in_shop.redeem(merchant_id=shop.merchant.id, at=AT, staff_id=clerk)
    with backend.uow(shop.tenant_id) as uow:
        uow.coupon_campaigns.add(campaign)
        for coupon in (in_shop, on_order, lapsing):
            uow.coupons.add(coupon)
        uow.merchant_orders.add(order)
        uow.commit()
    with backend.uow(shop.tenant_id) as uow:
        uow.coupons.get(on_order.id).release()
        uow.coupons.get(lapsing.id).expire(AT + timedelta(days=7))
        uow.commit()
    with backend.uow(shop.tenant_id) as uow:
        redeemed = uow.coupons.get(in_shop.id)
        released = uow.coupons.get(on_order.id)
        expired = uow.coupons.get(lapsing.id)
        assert (redeemed.state, redeemed.redeemed_at, redeemed.redeemed_by) == (
            CouponState.REDEEMED,
            AT,
            clerk,
        )
        assert (released.state, released.order_id, released.redeemed_at) == (
            CouponState.USABLE,
            None,
            None,
        )
        assert (expired.state, expired.expired_at) == (CouponState.EXPIRED, AT + timedelta(days=7))


def test_due_to_expire_finds_usable_coupons_past_their_window_soonest_first(
    backend: Backend, shop: Shop
) -> None:
    short = a_campaign(shop.merchant, days=1, stock=3, limit=3)
    long = a_campaign(shop.merchant, days=3)
    soon = [claim(short, shop.resident.id, already=i) for i in range(3)]
    later = claim(long, shop.resident.id)
    soon[2].redeem(merchant_id=shop.merchant.id, at=AT)
    with backend.uow(shop.tenant_id) as uow:
        uow.coupon_campaigns.add(short)
        uow.coupon_campaigns.add(long)
        for coupon in [*soon, later]:
            uow.coupons.add(coupon)
        uow.commit()
    with backend.uow(shop.tenant_id) as uow:
        one = uow.coupons.due_to_expire(AT + timedelta(days=2), 1)
        both = uow.coupons.due_to_expire(AT + timedelta(days=2), 10)
        at_the_end = uow.coupons.due_to_expire(AT + timedelta(days=3), 10)
        expected = sorted(soon[:2], key=lambda c: str(c.id))
        assert [c.id for c in one] == [expected[0].id]
        assert [c.id for c in both] == [c.id for c in expected]
        assert {c.id for c in at_the_end} == {soon[0].id, soon[1].id, later.id}


def test_a_coupon_repeating_a_code_a_stock_place_or_a_limit_place_is_refused(
    backend: Backend, shop: Shop
) -> None:
    """Unique per tenant: the code; per campaign: the serial (place in the stock) and, per
    resident, the sequence (place in their claims)."""
    campaign = a_campaign(shop.merchant, stock=5, limit=5)
    first = claim(campaign, shop.resident.id)
    with backend.uow(shop.tenant_id) as uow:
        uow.coupon_campaigns.add(campaign)
        uow.coupons.add(first)
        uow.commit()
    for clash in ("code", "serial", "sequence"):
        second = claim(campaign, shop.resident.id, already=campaign.claimed_count)
        setattr(second, clash, getattr(first, clash))
        with backend.uow(shop.tenant_id) as uow:
            uow.coupons.add(second)
            with pytest.raises(Conflict) as raised:
                uow.commit()
            assert raised.value.code == "coupons.duplicate", clash


def test_lost_update_of_a_coupon_redemption_is_refused(
    interleaving_backend: Backend, tenant_id: UUID
) -> None:
    shop = open_shop(interleaving_backend.uow, tenant_id)
    coupon = claim(shop.campaign, shop.resident.id)
    with interleaving_backend.uow(tenant_id) as uow:
        uow.coupons.add(coupon)
        uow.commit()
    first, second = interleaving_backend.uow(tenant_id), interleaving_backend.uow(tenant_id)
    with first, second:
        for uow in (first, second):
            uow.coupons.get(coupon.id).redeem(merchant_id=shop.merchant.id, at=AT)
        first.commit()
        with pytest.raises(ConcurrencyConflict):
            second.commit()


def test_lost_update_of_a_campaign_is_refused(
    interleaving_backend: Backend, tenant_id: UUID
) -> None:
    """Two claims that both loaded the campaign without waiting: only one may commit."""
    shop = open_shop(interleaving_backend.uow, tenant_id, stock=5)
    first, second = interleaving_backend.uow(tenant_id), interleaving_backend.uow(tenant_id)
    with first, second:
        for uow in (first, second):
            uow.coupons.add(claim(uow.coupon_campaigns.get(shop.campaign.id), shop.resident.id))
        first.commit()
        with pytest.raises(ConcurrencyConflict):
            second.commit()
    with interleaving_backend.uow(tenant_id) as uow:
        assert uow.coupon_campaigns.get(shop.campaign.id).claimed_count == 1


def test_commerce_events_reach_the_outbox_with_the_change(backend: Backend, shop: Shop) -> None:
    opened = Counter(m.event_name for m in backend.outbox())
    with backend.uow(shop.tenant_id) as uow:
        coupon = claim(uow.coupon_campaigns.get_for_update(shop.campaign.id), shop.resident.id)
        uow.coupons.add(coupon)
        uow.merchant_orders.add(an_order(shop, coupon=coupon))
        uow.commit()
    with backend.uow(shop.tenant_id) as uow:
        uow.coupon_campaigns.get(shop.campaign.id).stop()
        uow.merchants.get(shop.merchant.id).deactivate()
        uow.commit()
        assert opened == {
            "MerchantRegistered": 1,
            "ProductAdded": 2,
            "CouponCampaignCreated": 1,
            "OwnerBound": 1,
        }
        added = Counter(m.event_name for m in backend.outbox()) - opened
        assert added == {
            "CouponClaimed": 1,
            "CouponRedeemed": 1,
            "OrderPlaced": 1,
            "CouponCampaignStopped": 1,
            "MerchantDeactivated": 1,
        }
