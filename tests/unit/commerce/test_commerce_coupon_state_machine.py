"""Coupon lifecycle driven by random valid and invalid commands.

The model restates the rules in words: redeemed (核销) once, only at its merchant, only inside
its window; released only from an order (back to usable); expired only once its window ended.
A refused command raises the expected code and leaves the coupon exactly as it was.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import attrs
import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from estate_core.commerce.campaign import CouponCampaign, IssuerKind
from estate_core.commerce.coupon import Coupon, CouponState, new_coupon_code
from estate_core.commerce.discount import Discount
from estate_core.shared.errors import DomainError
from estate_core.shared.ids import new_id
from estate_core.shared.money import Money

T0 = datetime(2026, 3, 15, 2, 0, tzinfo=UTC)
VALID_FROM = T0 + timedelta(days=1)
VALID_UNTIL = T0 + timedelta(days=3)
MERCHANT = new_id()


def _snapshot(coupon: Coupon) -> tuple[dict[str, Any], int]:
    return attrs.asdict(coupon, recurse=False), len(coupon.pending_events)


class CouponMachine(RuleBasedStateMachine):
    coupon: Coupon
    now: datetime
    expected: CouponState
    order_id: UUID | None

    @initialize()
    def claim(self) -> None:
        campaign = CouponCampaign.create(
            id=new_id(),
            tenant_id=new_id(),
            title="开业优惠",
            description="",
            issuer=IssuerKind.MERCHANT,
            merchant_id=MERCHANT,
            community_ids=[new_id()],
            discount=Discount.fixed(Money(500)),
            valid_from=VALID_FROM,
            valid_until=VALID_UNTIL,
            total_stock=1,
            per_resident_limit=1,
            at=T0,
        )
        self.coupon = campaign.claim(
            coupon_id=new_id(),
            resident_id=new_id(),
            already_claimed=0,
            code=new_coupon_code(),
            at=T0,
        )
        self.now = T0
        self.expected = CouponState.USABLE
        self.order_id = None

    def _attempt(self, command: Any, refusal: str | None, after: CouponState) -> None:
        before = _snapshot(self.coupon)
        if refusal is None:
            command()
            self.expected = after
            return
        with pytest.raises(DomainError) as refused:
            command()
        assert refused.value.code == refusal
        assert _snapshot(self.coupon) == before

    @rule(hours=st.integers(0, 30))
    def time_passes(self, hours: int) -> None:
        self.now += timedelta(hours=hours)

    @rule(right_merchant=st.booleans(), for_order=st.booleans())
    def redeem(self, right_merchant: bool, for_order: bool) -> None:
        order_id = new_id() if for_order else None
        refusal: str | None
        if self.expected is CouponState.EXPIRED:
            refusal = "coupon.expired"
        elif self.expected is CouponState.REDEEMED:
            refusal = "coupon.invalid_transition"
        elif not right_merchant:
            refusal = "coupon.wrong_merchant"
        elif self.now >= VALID_UNTIL:
            refusal = "coupon.expired"
        elif self.now < VALID_FROM:
            refusal = "coupon.not_yet_valid"
        else:
            refusal = None
        self._attempt(
            lambda: self.coupon.redeem(
                merchant_id=MERCHANT if right_merchant else new_id(),
                at=self.now,
                staff_id=None if for_order else new_id(),
                order_id=order_id,
            ),
            refusal,
            CouponState.REDEEMED,
        )
        if refusal is None:
            self.order_id = order_id

    @rule()
    def release(self) -> None:
        if self.expected is not CouponState.REDEEMED:
            refusal: str | None = "coupon.invalid_transition"
        elif self.order_id is None:
            refusal = "coupon.not_releasable"
        else:
            refusal = None
        self._attempt(self.coupon.release, refusal, CouponState.USABLE)
        if refusal is None:
            self.order_id = None

    @rule()
    def expire(self) -> None:
        if self.expected is not CouponState.USABLE:
            refusal: str | None = "coupon.invalid_transition"
        elif self.now < VALID_UNTIL:
            refusal = "coupon.still_valid"
        else:
            refusal = None
        self._attempt(lambda: self.coupon.expire(self.now), refusal, CouponState.EXPIRED)

    @invariant()
    def state_is_as_modelled(self) -> None:
        assert self.coupon.state is self.expected
        assert self.coupon.order_id == self.order_id

    @invariant()
    def redeemed_coupon_says_when(self) -> None:
        redeemed = self.coupon.state is CouponState.REDEEMED
        assert (self.coupon.redeemed_at is not None) == redeemed


CouponMachine.TestCase.settings = settings(max_examples=80, stateful_step_count=12, deadline=None)
TestCouponStateMachine = CouponMachine.TestCase
