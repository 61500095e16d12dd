"""Coupon rules (seeds 001, 002): who claims, stock and limits, 核销 at the issuing merchant."""

from __future__ import annotations

import threading
from datetime import timedelta
from decimal import Decimal
from uuid import UUID

import pytest
from commerce_world import World

from adapters.persistence.memory import InMemoryStore, InMemoryUnitOfWork
from estate_core.commerce.coupon import CODE_ALPHABET, CODE_LENGTH, CouponState
from estate_core.commerce.discount import Discount
from estate_core.commerce.services import coupons, merchants
from estate_core.shared.access import ResidentActor, SystemActor
from estate_core.shared.errors import ConcurrencyConflict, DomainError
from estate_core.shared.ids import new_id
from estate_core.shared.money import Money
from estate_core.shared.pagination import PageRequest
from world_builders import code_of

WORKER = SystemActor(job="expire_coupons")


# claiming


def test_bound_resident_claims_a_coupon(world: World) -> None:
    campaign_id = world.campaign()
    coupon = world.claim(campaign_id)
    assert coupon.state is CouponState.USABLE
    assert coupon.merchant_id == world.merchant_id
    page = coupons.list_my_coupons(world.uow, world.resident, PageRequest())
    assert [c.id for c in page.items] == [coupon.id]


def test_unbound_resident_cannot_claim_coupon(world: World) -> None:
    campaign_id = world.campaign()
    stranger = world.unbound_resident()
    assert code_of(lambda: world.claim(campaign_id, stranger)) == "household.not_member"


def test_resident_bound_only_in_another_community_cannot_claim_coupon(world: World) -> None:
    campaign_id = world.campaign()
    elsewhere, _ = world.bound_resident(community_id=new_id())
    assert code_of(lambda: world.claim(campaign_id, elsewhere)) == "household.not_member"


def test_disabled_resident_cannot_claim_coupon(world: World) -> None:
    campaign_id = world.campaign()
    with world.uow:
        world.uow.residents.get(world.resident.resident_id).disabled = True
        world.uow.commit()
    assert code_of(lambda: world.claim(campaign_id)) == "resident.disabled"


def test_staff_cannot_claim_coupons(world: World) -> None:
    campaign_id = world.campaign()
    code = code_of(lambda: world.claim(campaign_id, world.admin))
    assert code == "permission.resident_only"


def test_each_coupon_has_its_own_unguessable_code(world: World) -> None:
    campaign_id = world.campaign(stock=20, limit=20)
    codes = {world.claim(campaign_id).code for _ in range(20)}
    assert len(codes) == 20
    assert all(len(code) == CODE_LENGTH and set(code) <= set(CODE_ALPHABET) for code in codes)


def test_stock_is_never_oversold(world: World) -> None:
    campaign_id = world.campaign(stock=2)
    first, second, third = (world.bound_resident()[0] for _ in range(3))
    world.claim(campaign_id, first)
    world.claim(campaign_id, second)
    assert code_of(lambda: world.claim(campaign_id, third)) == "coupon.out_of_stock"
    with world.uow:
        assert world.uow.coupon_campaigns.get(campaign_id).claimed_count == 2


def test_resident_claims_at_most_the_per_resident_limit(world: World) -> None:
    campaign_id = world.campaign(limit=2)
    world.claim(campaign_id)
    world.claim(campaign_id)
    assert code_of(lambda: world.claim(campaign_id)) == "coupon.limit_reached"
    other, _ = world.bound_resident()
    world.claim(campaign_id, other)


def test_concurrent_claims_never_oversell(
    store: InMemoryStore, world: World, tenant_id: UUID
) -> None:
    """Twelve residents claim the last three coupons at once; a refused race is retried."""
    campaign_id = world.campaign(stock=3)
    residents = [world.bound_resident()[0] for _ in range(12)]
    outcomes: list[str] = []
    start = threading.Barrier(len(residents))

    def claim(resident: ResidentActor) -> None:
        uow = InMemoryUnitOfWork(store, tenant_id, world.clock)
        start.wait()
        while True:
            try:
                coupons.claim_coupon(
                    uow, world.clock, resident, coupons.ClaimCoupon(campaign_id=campaign_id)
                )
            except ConcurrencyConflict:
                continue
            except DomainError as refused:
                outcomes.append(refused.code)
            else:
                outcomes.append("claimed")
            return

    threads = [threading.Thread(target=claim, args=(r,)) for r in residents]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["claimed"] * 3 + ["coupon.out_of_stock"] * 9
    with world.uow:
        assert world.uow.coupon_campaigns.get(campaign_id).claimed_count == 3


def test_two_units_of_work_claiming_the_last_coupon_cannot_both_commit(
    store: InMemoryStore, world: World, tenant_id: UUID
) -> None:
    campaign_id = world.campaign(stock=1)
    first, second = (InMemoryUnitOfWork(store, tenant_id, world.clock) for _ in range(2))
    with first, second:
        for uow in (first, second):
            coupon = uow.coupon_campaigns.get(campaign_id).claim(
                coupon_id=new_id(),
                resident_id=world.resident.resident_id,
                already_claimed=0,
                code=new_id().hex[:12],
                at=world.clock.now(),
            )
            uow.coupons.add(coupon)
        first.commit()
        with pytest.raises(ConcurrencyConflict):
            second.commit()


def test_stopped_campaign_hands_out_no_more_coupons(world: World) -> None:
    campaign_id = world.campaign()
    coupon = world.claim(campaign_id)
    coupons.stop_campaign(world.uow, world.admin, campaign_id)
    other, _ = world.bound_resident()
    assert code_of(lambda: world.claim(campaign_id, other)) == "coupon_campaign.invalid_transition"
    world.redeem(coupon.code)
    assert world.coupon_state(coupon.id) is CouponState.REDEEMED


def test_ended_campaign_hands_out_no_coupons(world: World) -> None:
    campaign_id = world.campaign(days=1)
    world.clock.advance(timedelta(days=1))
    assert code_of(lambda: world.claim(campaign_id)) == "coupon_campaign.ended"


def test_inactive_merchants_coupons_cannot_be_claimed(world: World) -> None:
    campaign_id = world.campaign()
    merchants.deactivate_merchant(world.uow, world.admin, world.merchant_id)
    assert code_of(lambda: world.claim(campaign_id)) == "merchant.inactive"


# redeeming 核销


def test_coupon_is_redeemable_only_at_issuing_merchant(world: World) -> None:
    coupon = world.claim(world.campaign())
    for someone_else in (world.other_clerk, world.admin):
        code = code_of(lambda clerk=someone_else: world.redeem(coupon.code, clerk))
        assert code == "coupon.wrong_merchant"
    assert world.coupon_state(coupon.id) is CouponState.USABLE
    world.redeem(coupon.code, world.clerk)
    assert world.coupon_state(coupon.id) is CouponState.REDEEMED


def test_coupon_is_redeemed_only_once(world: World) -> None:
    coupon = world.claim(world.campaign())
    world.redeem(coupon.code)
    assert code_of(lambda: world.redeem(coupon.code)) == "coupon.invalid_transition"


def test_expired_coupon_cannot_be_redeemed(world: World) -> None:
    coupon = world.claim(world.campaign(days=2))
    world.clock.advance(timedelta(days=2))
    assert code_of(lambda: world.redeem(coupon.code)) == "coupon.expired"
    assert coupons.expire_coupons(world.uow, world.clock, WORKER) == 1
    assert world.coupon_state(coupon.id) is CouponState.EXPIRED
    assert code_of(lambda: world.redeem(coupon.code)) == "coupon.expired"


def test_coupon_cannot_be_redeemed_before_its_window(world: World) -> None:
    coupon = world.claim(world.campaign(starts_in=timedelta(days=1)))
    assert code_of(lambda: world.redeem(coupon.code)) == "coupon.not_yet_valid"
    world.clock.advance(timedelta(days=1))
    world.redeem(coupon.code)
    assert world.coupon_state(coupon.id) is CouponState.REDEEMED


def test_clerk_may_type_the_code_loosely(world: World) -> None:
    coupon = world.claim(world.campaign())
    typed = f" {coupon.code[:4].lower()}-{coupon.code[4:8]} {coupon.code[8:]} "
    assert world.redeem(typed).coupon_id == coupon.id


def test_unknown_code_is_not_found(world: World) -> None:
    assert code_of(lambda: world.redeem("AAAABBBBCCCC")) == "coupon.not_found"


def test_redeeming_with_a_spend_tells_the_amount_off(world: World) -> None:
    discount = Discount.percentage(Decimal("15"), cap=Money.yuan("20"), minimum_spend=Money(5000))
    coupon = world.claim(world.campaign(discount=discount))
    code = code_of(lambda: world.redeem(coupon.code, spend=Money(4999)))
    assert code == "coupon.minimum_not_met"
    assert world.coupon_state(coupon.id) is CouponState.USABLE
    assert world.redeem(coupon.code, spend=Money(8333)).amount_off == Money(1250)


def test_coupon_redeemed_in_the_shop_records_the_clerk(world: World) -> None:
    coupon = world.claim(world.campaign())
    world.redeem(coupon.code)
    with world.uow:
        stored = world.uow.coupons.get(coupon.id)
        assert stored.redeemed_by == world.clerk.staff_id
        assert stored.redeemed_at == world.clock.now()


# expiry


def test_expiry_job_marks_only_usable_coupons_whose_window_ended(world: World) -> None:
    short, long = world.campaign(days=1), world.campaign(days=30)
    ended, running = world.claim(short), world.claim(long)
    used = world.claim(short, world.bound_resident()[0])
    world.redeem(used.code)
    world.clock.advance(timedelta(days=1))
    assert coupons.expire_coupons(world.uow, world.clock, WORKER) == 1
    assert world.coupon_state(ended.id) is CouponState.EXPIRED
    assert world.coupon_state(used.id) is CouponState.REDEEMED
    assert world.coupon_state(running.id) is CouponState.USABLE


def test_only_the_scheduled_job_expires_coupons(world: World) -> None:
    code = code_of(lambda: coupons.expire_coupons(world.uow, world.clock, world.admin))
    assert code == "permission.system_only"
