"""A gateway over every key generation of one account: the newest does the work, the older
ones only verify notifications (a payment opened before a rotation is notified under the keys
it was opened with, and must still settle)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from estate_core.payments.gateway import (
    Checkout,
    GatewayOrder,
    GatewayReply,
    Notice,
    NotificationRefused,
    NotificationRequest,
    PaymentGateway,
    RefundOrder,
    RefundReport,
    StatementEntry,
    TradeReport,
)


class KeyGenerations:
    """:class:`PaymentGateway` of the newest generation, verifying with older ones as fallbacks.

    Each generation checks its own signature *and* its own identity, so an older key never
    vouches for another account's notification.
    """

    def __init__(self, generations: Sequence[PaymentGateway]) -> None:
        if not generations:
            raise ValueError("a gateway needs at least one key generation")
        self._current = generations[0]
        self._generations = list(generations)

    def __repr__(self) -> str:
        return f"KeyGenerations({self._current!r}, {len(self._generations)} generations)"

    def create(self, order: GatewayOrder) -> Checkout:
        return self._current.create(order)

    def verify_notification(self, request: NotificationRequest, now: datetime) -> Notice:
        first: NotificationRefused | None = None
        for gateway in self._generations:
            try:
                return gateway.verify_notification(request, now)
            except NotificationRefused as refused:
                first = first or refused
        assert first is not None
        raise first

    def acknowledgement(self) -> GatewayReply:
        return self._current.acknowledgement()

    def refusal(self) -> GatewayReply:
        return self._current.refusal()

    def query(self, out_trade_no: str) -> TradeReport:
        return self._current.query(out_trade_no)

    def close(self, out_trade_no: str) -> None:
        self._current.close(out_trade_no)

    def refund(self, order: RefundOrder) -> RefundReport:
        return self._current.refund(order)

    def query_refund(self, out_trade_no: str, out_refund_no: str) -> RefundReport:
        return self._current.query_refund(out_trade_no, out_refund_no)

    def statement(self, day: date) -> list[StatementEntry]:
        return self._current.statement(day)
