"""Property tests: coupon stock and limits under random claims, discounts and order totals."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal

import pytest
from commerce_world import build_world
from hypothesis import given, settings
from hypothesis import strategies as st

from adapters.persistence.memory import InMemoryStore, InMemoryUnitOfWork
from estate_core.commerce.discount import Discount, DiscountKind
from estate_core.commerce.order import MerchantOrder, OrderLine, PaymentMethod
from estate_core.shared.access import Permission, StaffActor
from estate_core.shared.clock import FixedClock
from estate_core.shared.errors import DomainError
from estate_core.shared.ids import new_id
from estate_core.shared.money import Money

T0 = datetime(2026, 3, 15, 2, 0, tzinfo=UTC)
ADMIN = StaffActor(staff_id=new_id(), permissions=frozenset(Permission))

percentages = st.decimals(
    min_value=Decimal("0.01"), max_value=Decimal("99.99"), places=2, allow_nan=False
)
fen = st.integers(min_value=1, max_value=10_000_000)
discounts = st.one_of(
    st.builds(Discount.fixed, fen.map(Money), st.integers(0, 50_000).map(Money)),
    st.builds(Discount.percentage, percentages, fen.map(Money), st.integers(0, 50_000).map(Money)),
)


@settings(max_examples=25, deadline=None)
@given(
    stock=st.integers(1, 6),
    limit=st.integers(1, 3),
    claims=st.lists(st.integers(0, 3), max_size=18),
)
def test_claims_never_pass_the_stock_or_a_residents_limit(
    stock: int, limit: int, claims: list[int]
) -> None:
    clock = FixedClock(T0)
    uow = InMemoryUnitOfWork(InMemoryStore(), new_id(), clock)
    world = build_world(uow, clock, ADMIN)
    residents = [world.resident] + [world.bound_resident()[0] for _ in range(3)]
    campaign_id = world.campaign(stock=stock, limit=limit)
    held: Counter[int] = Counter()
    for who in claims:
        if held[who] >= limit:
            expected = "coupon.limit_reached"
        elif held.total() >= stock:
            expected = "coupon.out_of_stock"
        else:
            expected = "claimed"
        try:
            world.claim(campaign_id, residents[who])
            outcome = "claimed"
        except DomainError as refused:
            outcome = refused.code
        assert outcome == expected
        if outcome == "claimed":
            held[who] += 1
    with uow:
        campaign = uow.coupon_campaigns.get(campaign_id)
        assert campaign.claimed_count == held.total() <= stock
        for who, resident in enumerate(residents):
            assert uow.coupons.count_for(campaign_id, resident.resident_id) == held[who] <= limit


def _exact_share(spend: Money, percent: Decimal) -> Money:
    exact = Decimal(spend.fen) * percent / 100
    return Money(int(exact.quantize(Decimal(1), rounding=ROUND_HALF_UP)))


@settings(max_examples=150, deadline=None)
@given(discount=discounts, spend=fen.map(Money))
def test_discount_is_exact_and_never_above_the_cap_or_the_spend(
    discount: Discount, spend: Money
) -> None:
    if spend < discount.minimum_spend:
        with pytest.raises(DomainError) as refused:
            discount.amount_off(spend)
        assert refused.value.code == "coupon.minimum_not_met"
        return
    off = discount.amount_off(spend)
    assert Money.zero() <= off <= spend
    if discount.kind is DiscountKind.FIXED:
        assert discount.amount is not None
        assert off == min(discount.amount, spend)
    else:
        assert discount.cap is not None
        assert discount.percent_off is not None
        assert off <= discount.cap
        assert off == min(_exact_share(spend, discount.percent_off), discount.cap, spend)


lines = st.lists(
    st.builds(
        OrderLine,
        product_id=st.builds(new_id),
        name=st.just("商品"),
        unit_price=fen.map(Money),
        quantity=st.integers(1, 999),
    ),
    min_size=1,
    max_size=6,
)


@settings(max_examples=100, deadline=None)
@given(order_lines=lines, discount=discounts)
def test_order_pays_the_lines_minus_the_coupon_and_never_below_zero(
    order_lines: list[OrderLine], discount: Discount
) -> None:
    subtotal = Money(sum(line.unit_price.fen * line.quantity for line in order_lines))
    off = discount.amount_off(subtotal) if discount.applies_to(subtotal) else Money.zero()
    order = MerchantOrder.place(
        id=new_id(),
        tenant_id=new_id(),
        community_id=new_id(),
        merchant_id=new_id(),
        resident_id=new_id(),
        property_id=new_id(),
        delivery_address="1-1-101",
        payment_method=PaymentMethod.COD,
        lines=order_lines,
        at=T0,
        coupon_id=new_id(),
        discount=off,
    )
    assert order.subtotal == subtotal
    assert order.payable_amount == subtotal - off
    assert not order.payable_amount.is_negative
