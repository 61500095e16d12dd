"""MerchantOrder 商家订单: a resident's order from a local merchant (seed 001 §2.3.6).

Cash on delivery 货到付款 orders start 待配送 (pending delivery). Online 在线支付 orders start
pending payment and reach 待配送 only when the payment succeeds. The resident or an admin may
cancel a COD order at any time before it is completed; an online order may be cancelled only
before it is paid, and once paid neither side can cancel it. An unpaid online order closes when
its payment deadline passes.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from types import MappingProxyType
from uuid import UUID

import attrs

from estate_core.commerce import events
from estate_core.shared.errors import Conflict, InvalidInput, InvalidTransition
from estate_core.shared.events import Aggregate
from estate_core.shared.money import Money, total

PAYMENT_TIMEOUT = timedelta(minutes=30)
MAX_QUANTITY = 999
NO_MONEY = Money(0)


class PaymentMethod(enum.StrEnum):
    COD = "cod"
    ONLINE = "online"


class OrderState(enum.StrEnum):
    PENDING_PAYMENT = "pending_payment"
    PENDING_DELIVERY = "pending_delivery"
    DELIVERING = "delivering"
    COMPLETED = "completed"
    CANCELLED = "cancelled"
    CLOSED = "closed"
    REFUNDED = "refunded"


class OrderAction(enum.StrEnum):
    PAY = "pay"
    DELIVER = "deliver"
    COMPLETE = "complete"
    CANCEL = "cancel"
    CLOSE = "close"
    REFUND = "refund"


class CancelledBy(enum.StrEnum):
    RESIDENT = "resident"
    STAFF = "staff"


_S, _A, _M = OrderState, OrderAction, PaymentMethod

TRANSITIONS: Mapping[tuple[PaymentMethod, OrderState, OrderAction], OrderState] = MappingProxyType(
    {
        (_M.COD, _S.PENDING_DELIVERY, _A.DELIVER): _S.DELIVERING,
        (_M.COD, _S.PENDING_DELIVERY, _A.CANCEL): _S.CANCELLED,
        (_M.COD, _S.DELIVERING, _A.COMPLETE): _S.COMPLETED,
        (_M.COD, _S.DELIVERING, _A.CANCEL): _S.CANCELLED,
        (_M.ONLINE, _S.PENDING_PAYMENT, _A.PAY): _S.PENDING_DELIVERY,
        (_M.ONLINE, _S.PENDING_PAYMENT, _A.CANCEL): _S.CANCELLED,
        (_M.ONLINE, _S.PENDING_PAYMENT, _A.CLOSE): _S.CLOSED,
        (_M.ONLINE, _S.PENDING_DELIVERY, _A.DELIVER): _S.DELIVERING,
        (_M.ONLINE, _S.DELIVERING, _A.COMPLETE): _S.COMPLETED,
        (_M.ONLINE, _S.PENDING_DELIVERY, _A.REFUND): _S.REFUNDED,
        (_M.ONLINE, _S.DELIVERING, _A.REFUND): _S.REFUNDED,
        (_M.ONLINE, _S.COMPLETED, _A.REFUND): _S.REFUNDED,
    }
)
"""Every allowed (payment method, state, action) and the state it leads to; nothing else is.

Online orders have no cancel from pending delivery or delivering: once paid, neither the
resident nor an admin can cancel (seed 001 §2.3.6); an approved full refund (退款申请, seed 003)
ends a paid online order instead."""

INITIAL_STATE: Mapping[PaymentMethod, OrderState] = MappingProxyType(
    {
        PaymentMethod.COD: OrderState.PENDING_DELIVERY,
        PaymentMethod.ONLINE: OrderState.PENDING_PAYMENT,
    }
)

OPEN_STATES = frozenset(
    {OrderState.PENDING_PAYMENT, OrderState.PENDING_DELIVERY, OrderState.DELIVERING}
)


@attrs.frozen(kw_only=True)
class OrderLine:
    """One product on an order, with the name and unit price copied when it was placed."""

    product_id: UUID
    name: str
    unit_price: Money
    quantity: int

    def __attrs_post_init__(self) -> None:
        if not self.unit_price.is_positive:
            raise InvalidInput("merchant_order.invalid_price", "a unit price is above zero")
        if type(self.quantity) is not int or not 1 <= self.quantity <= MAX_QUANTITY:
            raise InvalidInput(
                "merchant_order.invalid_quantity", f"a quantity is 1 to {MAX_QUANTITY}"
            )

    @property
    def amount(self) -> Money:
        return Money(self.unit_price.fen * self.quantity)


@attrs.define(slots=False, eq=False, kw_only=True)
class MerchantOrder(Aggregate):
    """MerchantOrder 商家订单, delivered to the resident's property in the community.

    ``discount`` is what an applied coupon takes off (never more than the lines' sum);
    ``payable_amount`` is what the resident pays, on delivery or online.
    """

    id: UUID
    tenant_id: UUID
    community_id: UUID
    merchant_id: UUID
    resident_id: UUID
    property_id: UUID
    delivery_address: str
    payment_method: PaymentMethod
    lines: list[OrderLine]
    coupon_id: UUID | None = None
    discount: Money = NO_MONEY
    note: str = ""
    state: OrderState
    placed_at: datetime
    payment_deadline: datetime | None = None
    payment_id: UUID | None = None
    paid_at: datetime | None = None
    delivery_started_at: datetime | None = None
    completed_at: datetime | None = None
    cancelled_at: datetime | None = None
    cancelled_by: CancelledBy | None = None
    closed_at: datetime | None = None

    @classmethod
    def place(
        cls,
        *,
        id: UUID,
        tenant_id: UUID,
        community_id: UUID,
        merchant_id: UUID,
        resident_id: UUID,
        property_id: UUID,
        delivery_address: str,
        payment_method: PaymentMethod,
        lines: Sequence[OrderLine],
        at: datetime,
        coupon_id: UUID | None = None,
        discount: Money = NO_MONEY,
        note: str = "",
        payment_timeout: timedelta = PAYMENT_TIMEOUT,
    ) -> MerchantOrder:
        if not lines:
            raise InvalidInput("merchant_order.empty", "an order has at least one line")
        subtotal = total([line.amount for line in lines])
        if discount.is_negative or discount > subtotal:
            raise InvalidInput(
                "merchant_order.invalid_discount", "a discount is between zero and the total"
            )
        if coupon_id is None and not discount.is_zero:
            raise InvalidInput("merchant_order.invalid_discount", "only a coupon gives discount")
        order = cls(
            id=id,
            tenant_id=tenant_id,
            community_id=community_id,
            merchant_id=merchant_id,
            resident_id=resident_id,
            property_id=property_id,
            delivery_address=delivery_address,
            payment_method=payment_method,
            lines=list(lines),
            coupon_id=coupon_id,
            discount=discount,
            note=note.strip(),
            state=INITIAL_STATE[payment_method],
            placed_at=at,
            payment_deadline=at + payment_timeout if payment_method is _M.ONLINE else None,
        )
        if payment_method is _M.ONLINE and order.payable_amount.is_zero:
            raise InvalidInput(
                "merchant_order.nothing_to_pay",
                "nothing is left to pay online; choose cash on delivery",
            )
        order.record(
            events.OrderPlaced(
                order_id=id,
                merchant_id=merchant_id,
                resident_id=resident_id,
                payment_method=payment_method,
                payable=order.payable_amount,
                coupon_id=coupon_id,
            )
        )
        return order

    @property
    def subtotal(self) -> Money:
        return total([line.amount for line in self.lines])

    @property
    def payable_amount(self) -> Money:
        """The lines' sum minus the coupon discount, never below zero."""
        return Money(max(self.subtotal.fen - self.discount.fen, 0))

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    @property
    def awaiting_payment(self) -> bool:
        return self.state is OrderState.PENDING_PAYMENT

    def can(self, action: OrderAction) -> bool:
        return (self.payment_method, self.state, action) in TRANSITIONS

    def mark_paid(self, payment_id: UUID, at: datetime) -> None:
        """The online payment succeeded; the billing Payment calls this when it settles.

        Settling the same payment again is a no-op, so a repeated notification is harmless.
        """
        if self.payment_id == payment_id and self.state is not OrderState.PENDING_PAYMENT:
            return
        self._move(OrderAction.PAY)
        self.payment_id = payment_id
        self.paid_at = at
        self.record(events.OrderPaid(order_id=self.id, payment_id=payment_id))

    def start_delivery(self, at: datetime) -> None:
        """配送: the merchant (or the property's admin) sets out with the order."""
        self._move(OrderAction.DELIVER)
        self.delivery_started_at = at
        self.record(events.OrderDeliveryStarted(order_id=self.id, resident_id=self.resident_id))

    def complete(self, at: datetime) -> None:
        self._move(OrderAction.COMPLETE)
        self.completed_at = at
        self.record(events.OrderCompleted(order_id=self.id, resident_id=self.resident_id))

    def cancel(self, at: datetime, by: CancelledBy) -> None:
        """The transition table alone decides; who may cancel is the same for both sides."""
        self._move(OrderAction.CANCEL)
        self.cancelled_at = at
        self.cancelled_by = by
        self.record(
            events.OrderCancelled(
                order_id=self.id,
                merchant_id=self.merchant_id,
                resident_id=self.resident_id,
                cancelled_by=by,
            )
        )

    def close(self, at: datetime) -> None:
        """Close an unpaid online order whose payment deadline has passed (超时关闭)."""
        if not self.can(OrderAction.CLOSE):
            raise InvalidTransition("merchant_order", self.state, OrderAction.CLOSE)
        if self.payment_deadline is None or at < self.payment_deadline:
            raise Conflict(
                "merchant_order.payment_not_overdue", "the order's payment deadline has not passed"
            )
        self._move(OrderAction.CLOSE)
        self.closed_at = at
        self.record(events.OrderClosed(order_id=self.id, resident_id=self.resident_id))

    def refund_fully(self) -> None:
        """All that was paid went back (an approved refund request): the order is over."""
        self._move(OrderAction.REFUND)
        self.record(events.OrderRefunded(order_id=self.id, resident_id=self.resident_id))

    def _move(self, action: OrderAction) -> None:
        target = TRANSITIONS.get((self.payment_method, self.state, action))
        if target is None:
            raise InvalidTransition("merchant_order", self.state, action)
        self.state = target
