"""WeChat Pay v2 through the real wechatpy against the loopback v2 emulator, over real HTTP.

Every test runs in direct and partner mode, signed MD5 and HMAC-SHA256 (the ``v2`` fixture):
each channel opened, paid and its notification verified; a lost notification found by the
order query; closing; full and partial refunds with their notification and their query; the
daily statement.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from urllib.parse import quote

import pytest
from wechat_v2_samples import (
    AT,
    CHANNELS,
    FEE,
    MODES,
    RETURN_URL,
    V2World,
    new_number,
    v2_world,
)

from estate_core.payments.gateway import (
    CheckoutKind,
    GatewayRefused,
    RefundOrder,
    RefundReport,
    RefundState,
    StatementEntry,
    StatementEntryKind,
    TradeReport,
    TradeStatus,
)
from estate_core.payments.values import MerchantAccount, PaymentChannel
from estate_core.shared.money import Money

KINDS = {
    PaymentChannel.WECHAT_JSAPI: CheckoutKind.JSAPI,
    PaymentChannel.WECHAT_NATIVE: CheckoutKind.QR_CODE,
    PaymentChannel.WECHAT_H5: CheckoutKind.REDIRECT,
}


@pytest.fixture(params=list(MODES))
def v2(request: pytest.FixtureRequest) -> Iterator[V2World]:
    with v2_world(request.param) as world:
        yield world


def _refund(v2: V2World, out_trade_no: str, fen: int, out_refund_no: str) -> RefundReport:
    return v2.gateway.refund(
        RefundOrder(
            out_trade_no=out_trade_no,
            out_refund_no=out_refund_no,
            amount=Money(fen),
            payment_amount=FEE,
            reason="多收物业费",
            notify_url=v2.notify_url,
        )
    )


@pytest.mark.parametrize("channel", CHANNELS)
def test_each_channel_is_paid_and_its_notification_verified(
    v2: V2World, channel: PaymentChannel
) -> None:
    out_trade_no, checkout = v2.open(channel)
    assert checkout.kind is KINDS[channel]
    if channel is PaymentChannel.WECHAT_JSAPI:
        assert v2.emulator.check_jsapi(dict(checkout.params)) == out_trade_no
        assert checkout.params["appId"] == (v2.merchant.sub_app_id or v2.merchant.app_id)
        assert checkout.params["signType"] == v2.sign_type.value
    elif channel is PaymentChannel.WECHAT_NATIVE:
        assert checkout.url is not None
        assert checkout.url.startswith("weixin://wxpay/bizpayurl")
    else:
        assert checkout.url is not None
        assert "checkmweb?prepay_id=wx" in checkout.url
        assert checkout.url.endswith("&redirect_url=" + quote(RETURN_URL, safe=""))

    assert v2.emulator.pay(out_trade_no) == 200

    [notice] = v2.receiver.notices
    assert isinstance(notice, TradeReport)
    assert (notice.out_trade_no, notice.status, notice.paid_amount, notice.paid_at) == (
        out_trade_no,
        TradeStatus.PAID,
        FEE,
        AT,
    )
    assert notice.merchant == v2.gateway.merchant
    assert notice.merchant == MerchantAccount(
        app_id=v2.merchant.app_id,
        merchant_id=v2.merchant.mch_id,
        sub_merchant_id=v2.merchant.sub_mch_id,
    )
    assert notice.transaction_id
    assert notice.transaction_id.startswith("42000")
    assert v2.emulator.deliveries[-1].acknowledged


def test_a_copy_of_the_notification_is_verified_again_and_acknowledged(v2: V2World) -> None:
    out_trade_no = v2.paid()
    assert v2.emulator.pay(out_trade_no) == 200
    first, second = v2.receiver.notices
    assert first == second
    assert all(delivery.acknowledged for delivery in v2.emulator.deliveries)


def test_a_lost_notification_is_found_by_the_order_query(v2: V2World) -> None:
    order = v2.order(PaymentChannel.WECHAT_NATIVE, notify_url=f"{v2.receiver_url}/lost")
    v2.gateway.create(order)
    assert v2.gateway.query(order.out_trade_no).status is TradeStatus.NOT_PAID

    assert v2.emulator.pay(order.out_trade_no) == 503

    report = v2.gateway.query(order.out_trade_no)
    assert v2.receiver.notices == []
    assert (report.status, report.paid_amount, report.merchant, report.paid_at) == (
        TradeStatus.PAID,
        FEE,
        v2.gateway.merchant,
        AT,
    )
    assert report.transaction_id is not None


def test_an_order_never_opened_is_unknown_to_the_query(v2: V2World) -> None:
    report = v2.gateway.query(new_number())
    assert (report.status, report.paid_amount, report.merchant) == (TradeStatus.UNKNOWN, None, None)


def test_a_closed_order_cannot_be_paid_and_closing_it_again_is_no_error(v2: V2World) -> None:
    out_trade_no, _ = v2.open(PaymentChannel.WECHAT_H5)
    v2.gateway.close(out_trade_no)
    v2.gateway.close(out_trade_no)

    assert v2.gateway.query(out_trade_no).status is TradeStatus.CLOSED
    with pytest.raises(ValueError, match="CLOSED"):
        v2.emulator.pay(out_trade_no)


def test_a_paid_order_cannot_be_closed(v2: V2World) -> None:
    out_trade_no = v2.paid()
    with pytest.raises(GatewayRefused) as refused:
        v2.gateway.close(out_trade_no)
    assert refused.value.details["gateway_code"] == "ORDERPAID"
    assert v2.gateway.query(out_trade_no).status is TradeStatus.PAID


def test_a_full_refund_is_accepted_then_notified_and_queried(v2: V2World) -> None:
    out_trade_no = v2.paid()
    accepted = _refund(v2, out_trade_no, FEE.fen, "R" + out_trade_no)
    assert (accepted.state, accepted.amount) == (RefundState.PROCESSING, FEE)
    processing = v2.gateway.query_refund(out_trade_no, "R" + out_trade_no)
    assert processing.state is RefundState.PROCESSING

    assert v2.emulator.finish_refund("R" + out_trade_no) == 200

    notified = v2.receiver.notices[-1]
    queried = v2.gateway.query_refund(out_trade_no, "R" + out_trade_no)
    expected = RefundReport(
        out_trade_no=out_trade_no,
        out_refund_no="R" + out_trade_no,
        state=RefundState.SUCCEEDED,
        amount=FEE,
        refund_id=accepted.refund_id,
    )
    assert notified == queried == expected
    assert v2.emulator.deliveries[-1].acknowledged
    assert v2.gateway.query(out_trade_no).status is TradeStatus.REFUNDED


def test_partial_refunds_add_up_and_a_retried_number_refunds_once(v2: V2World) -> None:
    out_trade_no = v2.paid()
    first = _refund(v2, out_trade_no, 10_000, "R1" + out_trade_no)
    again = _refund(v2, out_trade_no, 10_000, "R1" + out_trade_no)
    second = _refund(v2, out_trade_no, 15_000, "R2" + out_trade_no)
    assert again.refund_id == first.refund_id != second.refund_id

    with pytest.raises(GatewayRefused):
        _refund(v2, out_trade_no, 1, "R3" + out_trade_no)

    v2.emulator.finish_refund("R1" + out_trade_no)
    v2.emulator.finish_refund("R2" + out_trade_no, succeed=False)
    notices = [n for n in v2.receiver.notices if isinstance(n, RefundReport)]
    assert [(n.out_refund_no, n.state, n.amount) for n in notices] == [
        ("R1" + out_trade_no, RefundState.SUCCEEDED, Money(10_000)),
        ("R2" + out_trade_no, RefundState.FAILED, Money(15_000)),
    ]
    queried = v2.gateway.query_refund(out_trade_no, "R2" + out_trade_no)
    assert (queried.state, queried.amount) == (RefundState.FAILED, Money(15_000))


def test_a_refund_of_an_unknown_number_is_refused_by_the_query(v2: V2World) -> None:
    out_trade_no = v2.paid()
    with pytest.raises(GatewayRefused) as refused:
        v2.gateway.query_refund(out_trade_no, "R" + out_trade_no)
    assert refused.value.details["gateway_code"] == "REFUNDNOTEXIST"


def test_the_statement_lists_the_days_payments_and_refunds(v2: V2World) -> None:
    first, second = v2.paid(), v2.paid()
    v2.open()
    _refund(v2, second, 5_000, "R" + second)
    v2.emulator.finish_refund("R" + second)
    notices = v2.receiver.notices
    transaction = {n.out_trade_no: n.transaction_id for n in notices if isinstance(n, TradeReport)}

    statement = v2.gateway.statement(date(2026, 3, 15))

    def entry(kind: StatementEntryKind, number: str, fen: int) -> StatementEntry:
        refund_no = "R" + number if kind is StatementEntryKind.REFUND else None
        return StatementEntry(
            kind=kind,
            out_trade_no=number,
            transaction_id=str(transaction[number]),
            amount=Money(fen),
            at=AT,
            out_refund_no=refund_no,
        )

    assert sorted(statement, key=lambda e: (e.out_trade_no, e.kind)) == sorted(
        [
            entry(StatementEntryKind.PAYMENT, first, FEE.fen),
            entry(StatementEntryKind.PAYMENT, second, FEE.fen),
            entry(StatementEntryKind.REFUND, second, 5_000),
        ],
        key=lambda e: (e.out_trade_no, e.kind),
    )
    assert v2.gateway.statement(date(2026, 3, 15) + timedelta(days=1)) == []
