"""OrderRefund 退款申请: a resident asks for a paid online order's money back (seed 003 §3).

Seed 003: 在app上点击申请退款, then the refund is approved before the money goes back. Here the
resident gives a reason; the merchant's clerk or property staff with ``order.manage`` approve
all or part of what was paid, or refuse with a reason. The approved amount goes back through the
payment's refund (``estate_core.payments``); a full refund ends the order (``refunded``) and
gives its coupon back, as a cancelled order's is; a partial one leaves both as they are. One
request is open per order at a time; after a refusal the resident may ask again, after an
approval no more.
"""

from __future__ import annotations

import enum
from datetime import datetime
from uuid import UUID

import attrs

from estate_core.commerce import events
from estate_core.shared.errors import InvalidInput, InvalidTransition
from estate_core.shared.events import Aggregate
from estate_core.shared.money import Money

REASON_MAX = 500


class RefundRequestState(enum.StrEnum):
    REQUESTED = "requested"
    APPROVED = "approved"
    REFUSED = "refused"


class RefundRequestAction(enum.StrEnum):
    APPROVE = "approve"
    REFUSE = "refuse"


REFUND_REQUEST_TRANSITIONS: dict[
    tuple[RefundRequestState, RefundRequestAction], RefundRequestState
] = {
    (RefundRequestState.REQUESTED, RefundRequestAction.APPROVE): RefundRequestState.APPROVED,
    (RefundRequestState.REQUESTED, RefundRequestAction.REFUSE): RefundRequestState.REFUSED,
}
"""A request is decided once: approved (all or part) or refused."""

LIVE_STATES = frozenset({RefundRequestState.REQUESTED, RefundRequestState.APPROVED})
"""A request in these states stops another one for the same order."""


def reason_text(reason: str, code: str) -> str:
    reason = reason.strip()
    if not reason or len(reason) > REASON_MAX:
        raise InvalidInput(code, f"a reason has 1 to {REASON_MAX} characters")
    return reason


@attrs.define(slots=False, eq=False, kw_only=True)
class OrderRefund(Aggregate):
    """OrderRefund 退款申请 (transition table :data:`REFUND_REQUEST_TRANSITIONS`)."""

    id: UUID
    tenant_id: UUID
    order_id: UUID
    merchant_id: UUID
    community_id: UUID
    resident_id: UUID
    payment_id: UUID
    paid_amount: Money
    reason: str
    requested_at: datetime
    state: RefundRequestState = RefundRequestState.REQUESTED
    approved_amount: Money | None = None
    refusal_reason: str = ""
    decided_by: UUID | None = None
    decided_at: datetime | None = None

    @classmethod
    def request(
        cls,
        *,
        id: UUID,
        tenant_id: UUID,
        order_id: UUID,
        merchant_id: UUID,
        community_id: UUID,
        resident_id: UUID,
        payment_id: UUID,
        paid_amount: Money,
        reason: str,
        now: datetime,
    ) -> OrderRefund:
        refund = cls(
            id=id,
            tenant_id=tenant_id,
            order_id=order_id,
            merchant_id=merchant_id,
            community_id=community_id,
            resident_id=resident_id,
            payment_id=payment_id,
            paid_amount=paid_amount,
            reason=reason_text(reason, "order_refund.reason_required"),
            requested_at=now,
        )
        refund.record(
            events.OrderRefundRequested(
                refund_id=id, order_id=order_id, merchant_id=merchant_id, amount=paid_amount
            )
        )
        return refund

    def _next(self, action: RefundRequestAction) -> RefundRequestState:
        next_state = REFUND_REQUEST_TRANSITIONS.get((self.state, action))
        if next_state is None:
            raise InvalidTransition("order_refund", self.state.value, action.value)
        return next_state

    def approve(self, amount: Money, staff_id: UUID, now: datetime) -> bool:
        """Approve ``amount`` (at most what was paid); True when it is everything paid."""
        next_state = self._next(RefundRequestAction.APPROVE)
        if not amount.is_positive or amount.fen > self.paid_amount.fen:
            raise InvalidInput(
                "order_refund.invalid_amount", f"refund more than ¥0 and at most {self.paid_amount}"
            )
        self.state, self.approved_amount = next_state, amount
        self.decided_by, self.decided_at = staff_id, now
        self.record(
            events.OrderRefundApproved(
                refund_id=self.id,
                order_id=self.order_id,
                resident_id=self.resident_id,
                amount=amount,
            )
        )
        return amount == self.paid_amount

    def refuse(self, reason: str, staff_id: UUID, now: datetime) -> None:
        next_state = self._next(RefundRequestAction.REFUSE)
        self.refusal_reason = reason_text(reason, "order_refund.refusal_reason_required")
        self.state = next_state
        self.decided_by, self.decided_at = staff_id, now
        self.record(
            events.OrderRefundRefused(
                refund_id=self.id,
                order_id=self.order_id,
                resident_id=self.resident_id,
                reason=self.refusal_reason,
            )
        )
