"""The Alipay adapter, through the real python-alipay-sdk, against the served emulator.

Every test runs in direct mode (the tenant's own app) and partner mode (the platform's app with
the tenant's app_auth_token): create → the payer opens the cashier → pay → the RSA2-signed
notification over real HTTP → verified; query, close, refunds and the zipped GBK bill.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from datetime import timedelta
from urllib.parse import parse_qsl, urlsplit

import httpx
import pytest
from alipay_world import AT, SELLER, Alipay, Keys, alipay_world

from adapters.payment.alipay_statement import member_name
from entrypoints.sandbox.alipay_state import AlipayError
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
from estate_core.payments.values import PaymentChannel
from estate_core.shared.money import Money

BEIJING_DAY = AT.date()


@pytest.fixture(scope="module")
def given_keys() -> Keys:
    return Keys.generate()


@pytest.fixture(scope="module", params=["direct", "partner"])
def served(request: pytest.FixtureRequest, given_keys: Keys) -> Iterator[Alipay]:
    yield from alipay_world(request.param, given_keys)


@pytest.fixture
def alipay(served: Alipay) -> Alipay:
    served.reset()
    return served


def refund(alipay: Alipay, out_refund_no: str, fen: int, paid: int = 10_000) -> RefundReport:
    return alipay.gateway.refund(
        RefundOrder(
            out_trade_no="P0001",
            out_refund_no=out_refund_no,
            amount=Money(fen),
            payment_amount=Money(paid),
            reason="多收",
        )
    )


@pytest.mark.parametrize(
    ("channel", "kind"),
    [
        (PaymentChannel.ALIPAY_WAP, CheckoutKind.REDIRECT),
        (PaymentChannel.ALIPAY_PAGE, CheckoutKind.REDIRECT),
        (PaymentChannel.ALIPAY_QR, CheckoutKind.QR_CODE),
    ],
)
def test_each_channel_is_paid_and_its_notification_verified_as_this_tenants(
    alipay: Alipay, channel: PaymentChannel, kind: CheckoutKind
) -> None:
    checkout = alipay.gateway.create(alipay.order("P0001", channel, Money(12_345)))
    assert checkout.kind is kind
    cashier = alipay.open(checkout)
    assert "¥123.45" in cashier.text

    assert alipay.emulator.pay("P0001") == 200

    assert alipay.emulator.deliveries[-1].body == b"success"
    [notice] = alipay.webhook.notices
    assert notice == TradeReport(
        out_trade_no="P0001",
        status=TradeStatus.PAID,
        paid_amount=Money(12_345),
        merchant=alipay.gateway.merchant,
        transaction_id=alipay.emulator.find("P0001").trade_no,
        paid_at=AT,
    )
    assert alipay.gateway.merchant.merchant_id == SELLER
    assert alipay.webhook.refusals == []


def test_the_cashier_sends_the_payer_back_to_the_return_url_signed(alipay: Alipay) -> None:
    alipay.open(alipay.gateway.create(alipay.order("P0001")))
    trade = alipay.emulator.find("P0001")
    base = urlsplit(alipay.settings.gateway_url)
    pressed = httpx.post(f"{base.scheme}://{base.netloc}/cashier/{trade.trade_no}/pay")
    assert pressed.status_code == 303
    back = urlsplit(pressed.headers["location"])
    fields = dict(parse_qsl(back.query))
    assert (back.netloc, back.path) == ("estate.example.com", "/paid")
    assert (fields["out_trade_no"], fields["total_amount"]) == ("P0001", "100.00")
    assert fields["method"] == "alipay.trade.wap.pay.return"
    signature = fields.pop("sign")
    fields.pop("sign_type")
    assert alipay.gateway._client.verify(fields, signature)
    assert [n.status for n in alipay.webhook.notices] == [TradeStatus.PAID]


def test_a_payment_whose_notification_is_lost_is_found_by_query(alipay: Alipay) -> None:
    alipay.gateway.create(alipay.order("P0001", PaymentChannel.ALIPAY_QR, Money(1)))
    assert alipay.gateway.query("P0001").status is TradeStatus.UNKNOWN
    alipay.open(alipay.gateway.create(alipay.order("P0001", PaymentChannel.ALIPAY_QR, Money(1))))
    assert alipay.gateway.query("P0001").status is TradeStatus.NOT_PAID

    trade = alipay.emulator.find("P0001")
    trade.notify_url = "http://127.0.0.1:9/nobody-listens"
    assert alipay.emulator.pay("P0001") is None

    assert alipay.webhook.notices == []
    assert alipay.gateway.query("P0001") == TradeReport(
        out_trade_no="P0001",
        status=TradeStatus.PAID,
        paid_amount=Money(1),
        merchant=alipay.gateway.merchant,
        transaction_id=trade.trade_no,
        paid_at=AT,
    )


def test_an_unpaid_trade_closes_and_closing_again_or_unopened_is_no_error(alipay: Alipay) -> None:
    alipay.open(alipay.gateway.create(alipay.order("P0001")))
    alipay.gateway.close("P0001")
    alipay.gateway.close("P0001")
    alipay.gateway.close("NEVEROPENED1")
    assert alipay.gateway.query("P0001").status is TradeStatus.CLOSED
    assert alipay.gateway.query("NEVEROPENED1").status is TradeStatus.UNKNOWN
    with pytest.raises(AlipayError, match=r"ACQ\.TRADE_STATUS_ERROR"):
        alipay.emulator.pay("P0001")


def test_a_trade_past_its_time_expire_is_closed_and_cannot_be_paid(alipay: Alipay) -> None:
    alipay.open(alipay.gateway.create(alipay.order("P0001")))
    alipay.emulator.clock = lambda: AT + timedelta(minutes=15)
    assert alipay.gateway.query("P0001").status is TradeStatus.CLOSED
    with pytest.raises(AlipayError, match=r"ACQ\.TRADE_STATUS_ERROR"):
        alipay.emulator.pay("P0001")
    assert alipay.webhook.notices == []


def test_a_paid_trade_cannot_be_closed(alipay: Alipay) -> None:
    alipay.paid("P0001")
    with pytest.raises(GatewayRefused) as refused:
        alipay.gateway.close("P0001")
    assert refused.value.details["sub_code"] == "ACQ.TRADE_STATUS_ERROR"
    assert alipay.gateway.query("P0001").status is TradeStatus.PAID


def test_the_payer_cancelling_closes_the_trade_with_a_notification(alipay: Alipay) -> None:
    alipay.open(alipay.gateway.create(alipay.order("P0001")))
    assert alipay.emulator.cancel("P0001") == 200
    [notice] = alipay.webhook.notices
    assert notice == TradeReport(
        out_trade_no="P0001",
        status=TradeStatus.CLOSED,
        paid_amount=None,
        merchant=None,
        transaction_id=alipay.emulator.find("P0001").trade_no,
    )


def test_partial_then_full_refund_each_refund_once_and_are_queried(alipay: Alipay) -> None:
    alipay.paid("P0001")

    first = refund(alipay, "R1", 3_000)
    again = refund(alipay, "R1", 3_000)
    assert first == RefundReport(
        out_trade_no="P0001",
        out_refund_no="R1",
        state=RefundState.SUCCEEDED,
        amount=Money(3_000),
        refund_id=alipay.emulator.find("P0001").trade_no,
    )
    assert again == first
    assert alipay.gateway.query("P0001").status is TradeStatus.PAID
    assert alipay.gateway.query_refund("P0001", "R1") == first
    assert alipay.gateway.query_refund("P0001", "R9").state is RefundState.PROCESSING
    with pytest.raises(GatewayRefused, match=r"ACQ\.REFUND_AMT_NOT_EQUAL_TOTAL"):
        refund(alipay, "R2", 7_001)
    with pytest.raises(GatewayRefused, match=r"ACQ\.DISCORDANT_REPEAT_REQUEST"):
        refund(alipay, "R1", 3_001)

    rest = refund(alipay, "R2", 7_000)
    assert (rest.state, rest.amount) == (RefundState.SUCCEEDED, Money(7_000))
    assert alipay.emulator.find("P0001").refunded_fen == 10_000
    report = alipay.gateway.query("P0001")
    assert (report.status, report.paid_amount) == (TradeStatus.REFUNDED, Money(10_000))


def test_a_refund_notification_becomes_a_refund_report(alipay: Alipay) -> None:
    alipay.paid("P0001")
    refund(alipay, "R1", 2_500)
    assert alipay.emulator.notify_refund("P0001", "R1") == 200
    refund(alipay, "R2", 7_500)
    assert alipay.emulator.notify_refund("P0001", "R2") == 200
    assert alipay.webhook.notices[1:] == [
        RefundReport(
            out_trade_no="P0001",
            out_refund_no=number,
            state=RefundState.SUCCEEDED,
            refund_id=alipay.emulator.find("P0001").trade_no,
        )
        for number in ("R1", "R2")
    ]
    assert [d.trade_status for d in alipay.emulator.deliveries[1:]] == [
        "TRADE_SUCCESS",
        "TRADE_CLOSED",
    ]


def test_the_days_bill_is_downloaded_unzipped_and_read(alipay: Alipay) -> None:
    first = alipay.paid("P0001", amount=Money(10_000))
    second = alipay.paid("P0002", PaymentChannel.ALIPAY_QR, Money(1))
    refund(alipay, "R1", 2_550)
    assert isinstance(first, TradeReport)
    assert isinstance(second, TradeReport)

    entries = alipay.gateway.statement(BEIJING_DAY)

    assert entries == [
        StatementEntry(
            kind=StatementEntryKind.PAYMENT,
            out_trade_no="P0001",
            transaction_id=str(first.transaction_id),
            amount=Money(10_000),
            at=AT,
        ),
        StatementEntry(
            kind=StatementEntryKind.REFUND,
            out_trade_no="P0001",
            transaction_id=str(first.transaction_id),
            amount=Money(2_550),
            at=AT,
            out_refund_no="R1",
        ),
        StatementEntry(
            kind=StatementEntryKind.PAYMENT,
            out_trade_no="P0002",
            transaction_id=str(second.transaction_id),
            amount=Money(1),
            at=AT,
        ),
    ]
    assert alipay.gateway.statement(BEIJING_DAY.replace(day=2)) == []


def test_the_bill_is_a_zip_of_gbk_files_with_gbk_names_as_alipay_serves_it(
    alipay: Alipay,
) -> None:
    alipay.paid("P0001")
    archive = zipfile.ZipFile(io.BytesIO(alipay.emulator.statement(SELLER, BEIJING_DAY)))
    infos = archive.infolist()
    assert [info.flag_bits & 0x800 for info in infos] == [0, 0]
    assert [member_name(info) for info in infos] == [
        f"{SELLER}_20261203_业务明细.csv",
        f"{SELLER}_20261203_业务明细(汇总).csv",
    ]
    detail = archive.read(infos[0]).decode("gbk").splitlines()
    assert detail[0] == "#支付宝业务明细查询"
    assert detail[4].startswith("支付宝交易号,商户订单号,业务类型")
    assert detail[5].split(",")[1:3] == ["P0001\t", "交易"]
    with pytest.raises(UnicodeDecodeError):
        archive.read(infos[0]).decode("utf-8")
