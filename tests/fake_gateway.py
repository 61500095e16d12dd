"""A fake of the PaymentGateway port for the reconciliation unit tests.

It is not an emulator of any gateway: it holds the daily statements a test gives it and says
which days were asked for. Reconciliation only downloads statements, so every other operation
of the port fails the test loudly if called. The real adapters are tested against loopback
emulators of the gateways in tests/integration.
"""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

import attrs

from estate_core.payments.gateway import (
    Checkout,
    GatewayOrder,
    GatewayReply,
    GatewayUnavailable,
    Notice,
    NotificationRequest,
    RefundOrder,
    RefundReport,
    StatementEntry,
    TradeReport,
)
from estate_core.payments.values import PaymentChannel


def _not_for_reconciliation(operation: str) -> AssertionError:
    return AssertionError(f"reconciliation must not call {operation}")


@attrs.define
class StatementGateway:
    """One tenant's account: ``statements[day]`` is what the gateway lists for that day."""

    statements: dict[date, list[StatementEntry]] = attrs.field(factory=dict)
    asked: list[date] = attrs.field(factory=list)
    down: bool = False

    def statement(self, day: date) -> list[StatementEntry]:
        self.asked.append(day)
        if self.down:
            raise GatewayUnavailable("the gateway did not answer")
        return list(self.statements.get(day, []))

    def create(self, order: GatewayOrder) -> Checkout:
        raise _not_for_reconciliation("create")

    def verify_notification(self, request: NotificationRequest, now: datetime) -> Notice:
        raise _not_for_reconciliation("verify_notification")

    def acknowledgement(self) -> GatewayReply:
        raise _not_for_reconciliation("acknowledgement")

    def refusal(self) -> GatewayReply:
        raise _not_for_reconciliation("refusal")

    def query(self, out_trade_no: str) -> TradeReport:
        raise _not_for_reconciliation("query")

    def close(self, out_trade_no: str) -> None:
        raise _not_for_reconciliation("close")

    def refund(self, order: RefundOrder) -> RefundReport:
        raise _not_for_reconciliation("refund")

    def query_refund(self, out_trade_no: str, out_refund_no: str) -> RefundReport:
        raise _not_for_reconciliation("query_refund")


@attrs.define
class OneGatewayPerGroup:
    """``PaymentGateways`` of one tenant: a statement gateway per channel group prefix."""

    wechat: StatementGateway = attrs.field(factory=StatementGateway)
    alipay: StatementGateway = attrs.field(factory=StatementGateway)

    def for_channel(self, tenant_id: UUID, channel: PaymentChannel) -> StatementGateway:
        return self.wechat if channel.value.startswith("wechat") else self.alipay
