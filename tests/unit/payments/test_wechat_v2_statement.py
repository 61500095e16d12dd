"""The v2 daily statement parser: the gateway's text format, old and new layouts, and its checks."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from adapters.payment.wechat_v2_bill import parse_statement
from entrypoints.sandbox.wechat_v2_book import Order, Refund, V2Merchant, bill
from estate_core.payments.gateway import (
    GatewayRefused,
    GatewayUnavailable,
    StatementEntry,
    StatementEntryKind,
)
from estate_core.shared.money import Money

MERCHANT = V2Merchant(mch_id="1900000109", api_key="k" * 32, app_id="wx2421b1c4370ec43b")
PAID_AT = datetime(2026, 3, 15, 2, 0, 5, tzinfo=UTC)

OLD_LAYOUT = (
    "\ufeff交易时间,公众账号ID,商户号,子商户号,设备号,微信订单号,商户订单号,用户标识,交易类型,"
    "交易状态,付款银行,货币种类,总金额,代金券或立减优惠金额,微信退款单号,商户退款单号,退款金额,"
    "代金券或立减优惠退款金额,退款类型,退款状态,商品名称,商户数据包,手续费,费率\r\n"
    "`2026-03-15 10:00:05,`wx2421b1c4370ec43b,`1900000109,`0,`,`4200000001,`A1B2C3D4,"
    "`oUpF8u,`JSAPI,`SUCCESS,`CMB_DEBIT,`CNY,`250.00,`0.00,`0,`0,`0,`0,`,`,`物业费,`,"
    "`1.50000,`0.60%\r\n"
    "`2026-03-15 11:30:00,`wx2421b1c4370ec43b,`1900000109,`0,`,`4200000001,`A1B2C3D4,"
    "`oUpF8u,`JSAPI,`REFUND,`CMB_DEBIT,`CNY,`0.00,`0.00,`50000001,`R1,`100.01,`0.00,"
    "`ORIGINAL,`SUCCESS,`物业费,`,`-0.60000,`0.60%\r\n"
    "`2026-03-15 12:00:00,`wx2421b1c4370ec43b,`1900000109,`0,`,`4200000002,`A1B2C3D5,"
    "`oUpF8u,`MICROPAY,`REVOKED,`CMB_DEBIT,`CNY,`0.00,`0.00,`0,`0,`0,`0,`,`,`停车费,`,"
    "`0.00000,`0.60%\r\n"
    "总交易单数,总交易额,总退款金额,总代金券或立减优惠退款金额,手续费总金额\r\n"
    "`3,`250.00,`100.01,`0.00,`0.90000\r\n"
)


def test_the_old_layout_reads_payments_and_refunds_and_skips_revoked_trades() -> None:
    assert parse_statement(OLD_LAYOUT, "1900000109", None) == [
        StatementEntry(
            kind=StatementEntryKind.PAYMENT,
            out_trade_no="A1B2C3D4",
            transaction_id="4200000001",
            amount=Money(25_000),
            at=PAID_AT,
        ),
        StatementEntry(
            kind=StatementEntryKind.REFUND,
            out_trade_no="A1B2C3D4",
            transaction_id="4200000001",
            amount=Money(10_001),
            at=datetime(2026, 3, 15, 3, 30, tzinfo=UTC),
            out_refund_no="R1",
        ),
    ]


def test_a_truncated_statement_is_unavailable() -> None:
    truncated = OLD_LAYOUT.replace("`3,`250.00", "`4,`250.00")
    with pytest.raises(GatewayUnavailable):
        parse_statement(truncated, "1900000109", None)
    with pytest.raises(GatewayUnavailable):
        parse_statement(OLD_LAYOUT.split("总交易单数")[0], "1900000109", None)


def test_another_merchants_statement_is_refused() -> None:
    with pytest.raises(GatewayRefused):
        parse_statement(OLD_LAYOUT, "1900000999", None)
    with pytest.raises(GatewayRefused):
        parse_statement(OLD_LAYOUT, "1900000109", "1900000201")


def _order(number: int, fen: int, refunds: list[int]) -> Order:
    order = Order(
        merchant=MERCHANT,
        sign_type="MD5",
        out_trade_no=f"ORDER{number:06d}",
        total_fee=fen,
        body="物业费,含公摊",
        trade_type="NATIVE",
        notify_url="http://127.0.0.1/notify",
        prepay_id=f"wx{number}",
        openid="oUpF8u",
        sub_openid=None,
        state="SUCCESS",
        transaction_id=f"42{number:026d}",
        paid_at=PAID_AT,
    )
    order.refunds = [
        Refund(
            out_refund_no=f"R{number}N{n}",
            refund_id=f"50{number}{n}",
            refund_fee=refund,
            notify_url=None,
            status="SUCCESS",
            finished_at=PAID_AT,
        )
        for n, refund in enumerate(refunds)
    ]
    return order


@given(
    st.lists(
        st.tuples(st.integers(1, 10**10), st.lists(st.integers(1, 10**6), max_size=3)),
        min_size=1,
        max_size=8,
    )
)
def test_the_emulators_statement_reads_back_to_the_fen(trades: list[tuple[int, list[int]]]) -> None:
    orders = [_order(n, fen, refunds) for n, (fen, refunds) in enumerate(trades)]
    text = bill(orders, date(2026, 3, 15))
    assert text is not None

    entries = parse_statement(text, MERCHANT.mch_id, None)

    payments = [e.amount.fen for e in entries if e.kind is StatementEntryKind.PAYMENT]
    refunds = [e.amount.fen for e in entries if e.kind is StatementEntryKind.REFUND]
    assert payments == [fen for fen, _ in trades]
    assert refunds == [refund for _, rs in trades for refund in rs]
