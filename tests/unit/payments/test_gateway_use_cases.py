"""The use cases that drive a gateway, against the port: what each does with the gateway's
word, and that a refused notification changes nothing and gets the retry reply."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from uuid import UUID

import attrs
import pytest
from billing_world import World
from payment_world import WECHAT, Home, home_with_bills

from estate_core.payments.gateway import (
    Checkout,
    CheckoutKind,
    GatewayOrder,
    GatewayRefused,
    GatewayReply,
    GatewayUnavailable,
    Notice,
    NotificationRefused,
    NotificationRequest,
    PaymentGateway,
    RefundOrder,
    RefundReport,
    RefundState,
    StatementEntry,
    TradeReport,
    TradeStatus,
)
from estate_core.payments.refund import RefundStatus
from estate_core.payments.services.gateway_jobs import (
    close_expired_at_gateway,
    submit_refund,
    sync_refunds,
)
from estate_core.payments.services.notifications import handle_notification, settle_by_query
from estate_core.payments.services.settlement import RefundPayment
from estate_core.payments.values import PaymentChannel, PaymentStatus
from estate_core.shared.access import SystemActor
from estate_core.shared.money import Money

ACK = GatewayReply(status_code=204, content_type="application/json", body=b"")
RETRY = GatewayReply(status_code=500, content_type="application/json", body=b'{"code":"FAIL"}')
WORKER = SystemActor(job="payments")


@attrs.define
class ScriptedGateway:
    """A gateway whose word the test writes: notices by body, trade states by number."""

    notices: dict[bytes, Notice] = attrs.field(factory=dict)
    trades: dict[str, TradeReport] = attrs.field(factory=dict)
    refunds: dict[str, RefundReport] = attrs.field(factory=dict)
    submitted: list[RefundOrder] = attrs.field(factory=list)
    closed: list[str] = attrs.field(factory=list)
    refuse_refunds: bool = False

    def create(self, order: GatewayOrder) -> Checkout:
        return Checkout(kind=CheckoutKind.QR_CODE, url=f"weixin://{order.out_trade_no}")

    def verify_notification(self, request: NotificationRequest, now: datetime) -> Notice:
        notice = self.notices.get(request.body)
        if notice is None:
            raise NotificationRefused("payment.notification_forged", "bad signature")
        return notice

    def acknowledgement(self) -> GatewayReply:
        return ACK

    def refusal(self) -> GatewayReply:
        return RETRY

    def query(self, out_trade_no: str) -> TradeReport:
        return self.trades.get(out_trade_no) or TradeReport(
            out_trade_no=out_trade_no, status=TradeStatus.NOT_PAID, paid_amount=None, merchant=None
        )

    def close(self, out_trade_no: str) -> None:
        self.closed.append(out_trade_no)

    def refund(self, order: RefundOrder) -> RefundReport:
        if self.refuse_refunds:
            raise GatewayRefused("payment.gateway_refused", "not enough balance")
        self.submitted.append(order)
        return RefundReport(
            out_trade_no=order.out_trade_no,
            out_refund_no=order.out_refund_no,
            state=RefundState.PROCESSING,
        )

    def query_refund(self, out_trade_no: str, out_refund_no: str) -> RefundReport:
        found = self.refunds.get(out_refund_no)
        if found is None:
            raise GatewayRefused("payment.gateway_refused", "no such refund")
        return found

    def statement(self, day: date) -> list[StatementEntry]:
        return []


@attrs.define
class Gateways:
    gateway: PaymentGateway

    def for_channel(self, tenant_id: UUID, channel: PaymentChannel) -> PaymentGateway:
        return self.gateway


def paid(out_trade_no: str, fen: int, merchant: object = WECHAT) -> TradeReport:
    return TradeReport(
        out_trade_no=out_trade_no,
        status=TradeStatus.PAID,
        paid_amount=Money(fen),
        merchant=merchant,  # type: ignore[arg-type]
        transaction_id="4200000001",
    )


@pytest.fixture
def home(world: World) -> Home:
    return home_with_bills(world)


def _notify(home: Home, gateway: ScriptedGateway, body: bytes) -> Callable[[], object]:
    return lambda: handle_notification(
        home.uow,
        home.world.clock,
        Gateways(gateway),
        PaymentChannel.WECHAT_NATIVE,
        NotificationRequest(headers={}, body=body),
    )


def _status(home: Home, payment_id: UUID) -> PaymentStatus:
    with home.uow:
        return home.uow.payments.get(payment_id).status


def test_a_verified_notification_settles_and_is_acknowledged(home: Home) -> None:
    payment = home.pay(channel=PaymentChannel.WECHAT_NATIVE)
    gateway = ScriptedGateway(notices={b"ok": paid(payment.out_trade_no, payment.amount.fen)})
    handled = _notify(home, gateway, b"ok")()
    assert handled.reply == ACK  # type: ignore[attr-defined]
    assert _status(home, payment.id) is PaymentStatus.SUCCEEDED


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"forged", "payment.notification_forged"),
        (b"one fen more", "payment.amount_mismatch"),
        (b"other merchant", "payment.merchant_mismatch"),
        (b"unknown", "payment.not_found"),
    ],
)
def test_a_refused_notification_changes_nothing_and_asks_for_a_retry(
    home: Home, body: bytes, reason: str
) -> None:
    payment = home.pay(channel=PaymentChannel.WECHAT_NATIVE)
    no, fen = payment.out_trade_no, payment.amount.fen
    other = attrs.evolve(WECHAT, merchant_id="1900000000")
    gateway = ScriptedGateway(
        notices={
            b"one fen more": paid(no, fen + 1),
            b"other merchant": paid(no, fen, other),
            b"unknown": paid("260315" + "0" * 26, fen),
        }
    )
    handled = _notify(home, gateway, body)()
    assert handled.reply == RETRY  # type: ignore[attr-defined]
    assert handled.refused == reason  # type: ignore[attr-defined]
    assert _status(home, payment.id) is PaymentStatus.PENDING


def test_the_query_settles_what_the_gateway_says_is_paid(home: Home) -> None:
    payment = home.pay(channel=PaymentChannel.WECHAT_NATIVE)
    gateway = ScriptedGateway()
    assert (
        settle_by_query(home.uow, home.world.clock, Gateways(gateway), payment.out_trade_no) is None
    )
    gateway.trades[payment.out_trade_no] = paid(payment.out_trade_no, payment.amount.fen)
    settled = settle_by_query(home.uow, home.world.clock, Gateways(gateway), payment.out_trade_no)
    assert settled is not None
    assert _status(home, payment.id) is PaymentStatus.SUCCEEDED


def test_expired_payments_close_at_the_gateway_first(home: Home) -> None:
    payment = home.pay(channel=PaymentChannel.WECHAT_NATIVE)
    gateway = ScriptedGateway()
    home.world.clock.advance(timedelta(minutes=16))
    handled = close_expired_at_gateway(home.uow, home.world.clock, Gateways(gateway), WORKER)
    assert handled.closed == (payment.id,)
    assert gateway.closed == [payment.out_trade_no]
    assert _status(home, payment.id) is PaymentStatus.CLOSED


def test_a_refund_is_submitted_then_synced_and_a_refused_one_fails(home: Home) -> None:
    payment = home.pay(channel=PaymentChannel.WECHAT_NATIVE)
    home.notify(payment)
    gateway = ScriptedGateway()
    command = RefundPayment(payment_id=payment.id, amount=Money(100), reason="退多缴")
    view = submit_refund(home.uow, home.world.clock, Gateways(gateway), home.world.admin, command)
    assert view.status is RefundStatus.REQUESTED
    assert [o.out_refund_no for o in gateway.submitted] == [view.out_refund_no]
    gateway.refunds[view.out_refund_no] = RefundReport(
        out_trade_no=payment.out_trade_no,
        out_refund_no=view.out_refund_no,
        state=RefundState.SUCCEEDED,
        amount=Money(100),
    )
    home.world.clock.advance(timedelta(minutes=3))
    assert sync_refunds(home.uow, home.world.clock, Gateways(gateway), WORKER) == [
        view.out_refund_no
    ]
    assert _status(home, payment.id) is PaymentStatus.PARTIALLY_REFUNDED
    gateway.refuse_refunds = True
    refused = submit_refund(
        home.uow,
        home.world.clock,
        Gateways(gateway),
        home.world.admin,
        RefundPayment(payment_id=payment.id, amount=Money(50), reason="再退"),
    )
    assert refused.status is RefundStatus.FAILED


def test_an_unreachable_gateway_leaves_the_refund_requested_for_the_sync(home: Home) -> None:
    payment = home.pay(channel=PaymentChannel.WECHAT_NATIVE)
    home.notify(payment)

    @attrs.define
    class Down(ScriptedGateway):
        def refund(self, order: RefundOrder) -> RefundReport:
            raise GatewayUnavailable("timeout")

    command = RefundPayment(payment_id=payment.id, amount=Money(100), reason="退多缴")
    view = submit_refund(home.uow, home.world.clock, Gateways(Down()), home.world.admin, command)
    assert view.status is RefundStatus.REQUESTED
