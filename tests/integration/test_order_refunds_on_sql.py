"""Refund requests of merchant orders on SQL (SQLite and PostgreSQL): a paid online order is
refunded in full through the payment's refund and ends ``refunded``; a second live request is
refused by the partial unique key even when both were checked first; and no refund-request
repository method returns another tenant's row (on every backend)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from uuid import UUID

import attrs
from commerce_samples import details
from community_samples import AT
from identity_samples import a_community
from isolation import (
    assert_adding_is_refused,
    assert_all_of,
    assert_every_public_method_is_covered,
    assert_unseen,
)
from persistence_samples import Backend, a_resident, add_owners

from adapters.persistence.sqlalchemy import SqlAlchemyUnitOfWork
from adapters.persistence.sqlalchemy.repositories.commerce import SqlOrderRefundRepository
from estate_core.commerce.order import OrderState, PaymentMethod
from estate_core.commerce.order_refund import OrderRefund
from estate_core.commerce.services import merchants, orders
from estate_core.commerce.services.refunds import request_order_refund
from estate_core.payments.services import settlement
from estate_core.payments.services.checkout import PayOrder, start_order_payment
from estate_core.payments.services.order_refunds import approve_order_refund
from estate_core.payments.values import PaymentChannel
from estate_core.shared.access import Permission, ResidentActor, StaffActor
from estate_core.shared.clock import FixedClock
from estate_core.shared.ids import new_id
from estate_core.shared.money import Money
from parking_builders import WECHAT, Merchants
from world_builders import code_of

ADMIN = StaffActor(staff_id=new_id(), permissions=frozenset(Permission))


def _paid_order(uow: Any, clock: FixedClock) -> tuple[ResidentActor, UUID, UUID]:
    """A bound owner's online order of two bowls of noodles (¥36), paid through WeChat."""
    community_id = new_id()
    owner = a_resident(uow.tenant_id)
    with uow:
        uow.communities.add(a_community(uow.tenant_id, community_id=community_id))
        [home] = add_owners(uow, community_id, [owner], clock.now(), rooms=["101"])
        uow.commit()
    merchant_id = merchants.register_merchant(
        uow,
        clock,
        ADMIN,
        merchants.RegisterMerchant(community_ids=frozenset({community_id}), details=details()),
    )
    noodles = merchants.add_product(
        uow, ADMIN, merchants.AddProduct(merchant_id=merchant_id, name="牛肉面", price=Money(1800))
    )
    resident = ResidentActor(resident_id=owner.id)
    order_id = orders.place_order(
        uow,
        clock,
        resident,
        orders.PlaceOrder(
            merchant_id=merchant_id,
            property_id=home.id,
            items=(orders.OrderItem(product_id=noodles, quantity=2),),
            payment_method=PaymentMethod.ONLINE,
        ),
    )
    payment = start_order_payment(
        uow,
        clock,
        Merchants(),
        resident,
        PayOrder(order_id=order_id, channel=PaymentChannel.WECHAT_JSAPI),
    )
    settlement.settle_payment(
        uow,
        clock,
        settlement.SettlePayment(
            out_trade_no=payment.out_trade_no,
            paid_amount=payment.amount,
            merchant=WECHAT,
            transaction_id="4200000001202603150009",
        ),
    )
    return resident, order_id, payment.id


def test_a_full_refund_ends_the_order_through_the_payment(
    make_uow: Callable[[UUID], SqlAlchemyUnitOfWork], clock: FixedClock, tenant_id: UUID
) -> None:
    uow: Any = make_uow(tenant_id)
    resident, order_id, payment_id = _paid_order(uow, clock)
    refund_id = request_order_refund(uow, clock, resident, order_id, "送错了")
    assert code_of(lambda: request_order_refund(uow, clock, resident, order_id, "再问")) == (
        "order_refund.already_requested"
    )
    approve_order_refund(uow, clock, ADMIN, refund_id, Money(3600))
    with uow:
        assert uow.merchant_orders.get(order_id).state is OrderState.REFUNDED
        assert [r.amount for r in uow.payments.get(payment_id).refunds] == [Money(3600)]
        assert uow.order_refunds.get(refund_id).approved_amount == Money(3600)


def test_a_second_live_request_is_refused_by_the_key_itself(
    make_uow: Callable[[UUID], SqlAlchemyUnitOfWork], clock: FixedClock, tenant_id: UUID
) -> None:
    """A request added without the use case's check (as a racing one would be) is refused by
    ``uq_order_refunds_one_live_per_order``."""
    uow: Any = make_uow(tenant_id)
    resident, order_id, payment_id = _paid_order(uow, clock)
    with uow:
        order = uow.merchant_orders.get(order_id)
        merchant_id, community_id = order.merchant_id, order.community_id
    requests = [
        OrderRefund.request(
            id=new_id(),
            tenant_id=tenant_id,
            order_id=order_id,
            merchant_id=merchant_id,
            community_id=community_id,
            resident_id=resident.resident_id,
            payment_id=payment_id,
            paid_amount=Money(3600),
            reason=reason,
            now=AT,
        )
        for reason in ("送错了", "不想要了")
    ]
    first, second = make_uow(tenant_id), make_uow(tenant_id)
    with first:
        first.order_refunds.add(requests[0])
        first.commit()
    with second:
        second.order_refunds.add(requests[1])
        assert code_of(second.commit) == "order_refund.already_requested"


COVERED = {
    SqlOrderRefundRepository: {"add", "get", "find", "live_for_order", "pending_of_merchant"}
}


@attrs.frozen
class Stored:
    tenant_id: UUID
    id: UUID
    order_id: UUID
    merchant_id: UUID
    payment_id: UUID

    def copy(self) -> OrderRefund:
        """A new request of this tenant, to offer to another tenant's repository."""
        return OrderRefund.request(
            id=new_id(),
            tenant_id=self.tenant_id,
            order_id=self.order_id,
            merchant_id=self.merchant_id,
            community_id=new_id(),
            resident_id=new_id(),
            payment_id=self.payment_id,
            paid_amount=Money(3600),
            reason="送错了",
            now=AT,
        )


def _populate(backend: Backend) -> Stored:
    tenant_id = new_id()
    uow, clock = backend.uow(tenant_id), FixedClock(AT)
    resident, order_id, payment_id = _paid_order(uow, clock)
    refund_id = request_order_refund(uow, clock, resident, order_id, "送错了")
    with uow:
        merchant_id = uow.order_refunds.get(refund_id).merchant_id
    return Stored(tenant_id, refund_id, order_id, merchant_id, payment_id)


def test_every_refund_request_repository_method_is_covered_here() -> None:
    assert_every_public_method_is_covered(COVERED)


def test_refund_requests_of_another_tenant_are_invisible(backend: Backend) -> None:
    first, second = _populate(backend), _populate(backend)
    with backend.uow(second.tenant_id) as uow:
        refunds = uow.order_refunds
        assert_unseen(refunds, first.id)
        assert refunds.live_for_order(first.order_id) is None
        assert refunds.pending_of_merchant(first.merchant_id, 10) == []
        live = refunds.live_for_order(second.order_id)
        pending = refunds.pending_of_merchant(second.merchant_id, 10)
        assert [r.id for r in pending] == [second.id]
        assert live is not None
        assert_all_of(second.tenant_id, [live, *pending])
        assert_adding_is_refused([(refunds, first.copy())])
