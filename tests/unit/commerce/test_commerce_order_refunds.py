"""Refund requests 退款申请 of paid online orders: asked with a reason, approved in full or in
part (through the payment's refund) or refused; a full refund ends the order and frees its
coupon."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import UUID

import pytest
from commerce_world import World, clerk_of
from hypothesis import given
from hypothesis import strategies as st

from estate_core.commerce.coupon import CouponState
from estate_core.commerce.order import OrderState, PaymentMethod
from estate_core.commerce.order_refund import (
    REFUND_REQUEST_TRANSITIONS,
    OrderRefund,
    RefundRequestAction,
    RefundRequestState,
)
from estate_core.commerce.services.refunds import (
    pending_refund_requests,
    refuse_order_refund,
    request_order_refund,
)
from estate_core.payments.refund import RefundStatus
from estate_core.payments.services import settlement
from estate_core.payments.services.checkout import PayOrder, start_order_payment
from estate_core.payments.services.order_refunds import approve_order_refund
from estate_core.payments.values import PaymentChannel, PaymentStatus
from estate_core.shared.ids import new_id
from estate_core.shared.money import Money
from parking_builders import WECHAT, Merchants
from world_builders import code_of

_NOW = datetime(2026, 3, 15, 2, 0, tzinfo=UTC)
PAID = Money(3_600)
"""Two bowls of noodles at ¥18."""


def _paid_order(world: World, coupon_id: UUID | None = None) -> tuple[UUID, UUID]:
    order_id = world.order(PaymentMethod.ONLINE, coupon_id=coupon_id)
    payment = start_order_payment(
        world.uow,
        world.clock,
        Merchants(),
        world.resident,
        PayOrder(order_id=order_id, channel=PaymentChannel.WECHAT_JSAPI),
    )
    settlement.settle_payment(
        world.uow,
        world.clock,
        settlement.SettlePayment(
            out_trade_no=payment.out_trade_no,
            paid_amount=payment.amount,
            merchant=WECHAT,
            transaction_id="4200000001202603150009",
        ),
    )
    return order_id, payment.id


def _request(state: RefundRequestState) -> OrderRefund:
    refund = OrderRefund.request(
        id=new_id(),
        tenant_id=new_id(),
        order_id=new_id(),
        merchant_id=new_id(),
        community_id=new_id(),
        resident_id=new_id(),
        payment_id=new_id(),
        paid_amount=PAID,
        reason="送错了",
        now=_NOW,
    )
    if state is RefundRequestState.APPROVED:
        refund.approve(PAID, new_id(), _NOW)
    if state is RefundRequestState.REFUSED:
        refund.refuse("已送达且无质量问题", new_id(), _NOW)
    return refund


@pytest.mark.parametrize("state", list(RefundRequestState))
@pytest.mark.parametrize("action", list(RefundRequestAction))
def test_every_transition_is_the_table_s(
    state: RefundRequestState, action: RefundRequestAction
) -> None:
    refund = _request(state)
    act = {
        RefundRequestAction.APPROVE: lambda: refund.approve(Money(100), new_id(), _NOW),
        RefundRequestAction.REFUSE: lambda: refund.refuse("不符合退款条件", new_id(), _NOW),
    }[action]
    allowed = REFUND_REQUEST_TRANSITIONS.get((state, action))
    if allowed is None:
        assert code_of(act) == "order_refund.invalid_transition"
        assert refund.state is state
    else:
        act()
        assert refund.state is allowed


@given(st.integers(-100, 5_000))
def test_an_approval_is_above_zero_and_at_most_what_was_paid(fen: int) -> None:
    refund = _request(RefundRequestState.REQUESTED)
    if 0 < fen <= PAID.fen:
        assert refund.approve(Money(fen), new_id(), _NOW) is (fen == PAID.fen)
        assert refund.approved_amount == Money(fen)
    else:
        assert code_of(lambda: refund.approve(Money(fen), new_id(), _NOW)) == (
            "order_refund.invalid_amount"
        )
        assert refund.state is RefundRequestState.REQUESTED


def test_a_full_refund_goes_back_through_the_payment_and_frees_the_coupon(world: World) -> None:
    coupon = world.claim(world.campaign())
    order_id, payment_id = _paid_order(world, coupon.id)
    refund_id = request_order_refund(world.uow, world.clock, world.resident, order_id, "送错了")
    clerk = clerk_of(world.merchant_id)
    assert [r.id for r in pending_refund_requests(world.uow, clerk, world.merchant_id)] == [
        refund_id
    ]
    paid = PAID - Money(500)
    view = approve_order_refund(world.uow, world.clock, clerk, refund_id, paid)
    assert (view.amount, view.status) == (paid, RefundStatus.REQUESTED)
    assert world.view(order_id).state is OrderState.REFUNDED
    assert world.coupon_state(coupon.id) is CouponState.USABLE
    with world.uow:
        payment = world.uow.payments.get(payment_id)
        assert payment.status is PaymentStatus.SUCCEEDED
        assert [r.amount for r in payment.refunds] == [paid]
    assert pending_refund_requests(world.uow, clerk, world.merchant_id) == []


def test_a_partial_refund_leaves_the_order_and_its_coupon(world: World) -> None:
    order_id, _ = _paid_order(world)
    refund_id = request_order_refund(world.uow, world.clock, world.resident, order_id, "少了一碗")
    approve_order_refund(world.uow, world.clock, world.admin, refund_id, Money(1_800))
    assert world.view(order_id).state is OrderState.PENDING_DELIVERY
    assert code_of(
        lambda: request_order_refund(world.uow, world.clock, world.resident, order_id, "再退")
    ) == ("order_refund.already_requested")


def test_a_refused_request_may_be_asked_again(world: World) -> None:
    order_id, _ = _paid_order(world)
    first = request_order_refund(world.uow, world.clock, world.resident, order_id, "不想要了")
    assert code_of(
        lambda: request_order_refund(world.uow, world.clock, world.resident, order_id, "再问")
    ) == ("order_refund.already_requested")
    clerk = clerk_of(world.merchant_id)
    assert code_of(lambda: refuse_order_refund(world.uow, world.clock, clerk, first, " ")) == (
        "order_refund.refusal_reason_required"
    )
    refuse_order_refund(world.uow, world.clock, clerk, first, "已制作，无法退款")
    second = request_order_refund(world.uow, world.clock, world.resident, order_id, "面是凉的")
    assert second != first


def test_only_paid_online_orders_of_the_buyer_are_refunded(world: World) -> None:
    cod = world.order(PaymentMethod.COD)
    unpaid = world.order(PaymentMethod.ONLINE)
    for order_id in (cod, unpaid):
        assert code_of(
            lambda o=order_id: request_order_refund(world.uow, world.clock, world.resident, o, "x")
        ) == ("order_refund.not_refundable")
    paid, _ = _paid_order(world)
    stranger, _ = world.bound_resident()
    assert code_of(lambda: request_order_refund(world.uow, world.clock, stranger, paid, "x")) == (
        "merchant_order.not_found"
    )
    assert code_of(
        lambda: request_order_refund(world.uow, world.clock, world.resident, paid, "  ")
    ) == ("order_refund.reason_required")


def test_only_the_merchant_s_clerk_or_order_staff_decide(world: World) -> None:
    order_id, payment_id = _paid_order(world)
    refund_id = request_order_refund(world.uow, world.clock, world.resident, order_id, "送错了")
    other = clerk_of(world.other_merchant_id)
    assert code_of(
        lambda: approve_order_refund(world.uow, world.clock, other, refund_id, PAID)
    ) == ("merchant.other_merchant")
    assert code_of(
        lambda: approve_order_refund(world.uow, world.clock, world.admin, refund_id, PAID + PAID)
    ) == ("order_refund.invalid_amount")
    with world.uow:
        assert world.uow.payments.get(payment_id).refunds == []
