"""The v2 adapter's edges: errors become the port's, bad orders are refused before any call, the
refund goes out with the API client certificate (mutual TLS), and a verified notification
drives ``settle_payment`` on the in-memory unit of work, which refuses an amount off by a fen.
"""

from __future__ import annotations

import socket
import ssl
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from uuid import UUID

import attrs
import pytest
from billing_samples import World
from litestar import Litestar, Response, post
from tls_samples import CertificateAuthority, write
from wechat_v2_samples import (
    AT,
    DIRECT,
    FEE,
    V2World,
    account_of,
    new_number,
    v2_world,
)

from adapters.payment.wechat_v2 import WeChatPayV2Gateway
from adapters.payment.wechat_v2_client import SignType
from adapters.persistence.memory import InMemoryStore, InMemoryUnitOfWork
from entrypoints.sandbox.server import serving
from entrypoints.sandbox.wechat_v2 import WeChatV2Emulator
from entrypoints.sandbox.wechat_v2_protocol import signed, to_xml
from estate_core.billing.model import BillStatus
from estate_core.payments.errors import AmountMismatch
from estate_core.payments.gateway import (
    GatewayOrder,
    GatewayRefused,
    GatewayUnavailable,
    RefundOrder,
    RefundState,
    TradeReport,
    TradeStatus,
)
from estate_core.payments.services import checkout, settlement
from estate_core.payments.values import MerchantAccount, PaymentChannel, PaymentStatus
from estate_core.shared.clock import FixedClock
from estate_core.shared.errors import InvalidInput
from estate_core.shared.money import Money


@pytest.fixture
def v2() -> Iterator[V2World]:
    with v2_world("partner-md5") as world:
        yield world


def _gateway(base_url: str, api_key: str = DIRECT.api_key) -> WeChatPayV2Gateway:
    merchant = attrs.evolve(DIRECT, api_key=api_key)
    return WeChatPayV2Gateway(account_of(merchant, SignType.MD5, base_url))


def test_an_unreachable_gateway_is_unavailable() -> None:
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        gateway = _gateway(f"http://127.0.0.1:{closed.getsockname()[1]}")
        with pytest.raises(GatewayUnavailable):
            gateway.query(new_number())


def test_a_request_signed_with_the_wrong_key_is_refused(v2: V2World) -> None:
    with pytest.raises(GatewayRefused, match="签名错误"):
        _gateway(v2.gateway_url, api_key="0" * 32).query(new_number())


def _fake_gateway(status: int, answer: dict[str, str]) -> Litestar:
    @post("/pay/orderquery", status_code=status)
    async def order_query() -> Response[bytes]:
        return Response(to_xml(answer), media_type="text/xml", status_code=status)

    return Litestar([order_query])


MD5 = SignType.MD5.value
GENUINE = {"return_code": "SUCCESS", "appid": DIRECT.app_id, "mch_id": DIRECT.mch_id}
FAKE_ANSWERS = {
    "a forged answer": (
        200,
        {**GENUINE, "result_code": "SUCCESS", "trade_state": "SUCCESS", "sign": "0" * 32},
    ),
    "a server error": (502, {}),
    "a retryable error code": (
        200,
        signed(
            {**GENUINE, "result_code": "FAIL", "err_code": "SYSTEMERROR"}, DIRECT.api_key, "MD5"
        ),
    ),
}


@pytest.mark.parametrize("answer", list(FAKE_ANSWERS))
def test_a_gateway_answering_badly_is_unavailable(answer: str) -> None:
    status, fields = FAKE_ANSWERS[answer]
    with serving(_fake_gateway(status, fields)) as base_url, pytest.raises(GatewayUnavailable):
        _gateway(base_url).query(new_number())


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"payer_id": None}, "payment.payer_required"),
        ({"channel": PaymentChannel.WECHAT_H5, "client_ip": None}, "payment.client_ip_required"),
        ({"channel": PaymentChannel.ALIPAY_WAP}, "payment.invalid_channel"),
    ],
)
def test_an_order_missing_what_its_channel_needs_is_refused_before_any_call(
    v2: V2World, change: dict[str, object], code: str
) -> None:
    order = attrs.evolve(v2.order(), **change)
    with pytest.raises(InvalidInput) as refused:
        v2.gateway.create(order)
    assert refused.value.code == code
    assert v2.gateway.query(order.out_trade_no).paid_amount is None


def test_a_long_description_is_cut_to_what_the_gateway_takes(v2: V2World) -> None:
    order = attrs.evolve(v2.order(), description="阳光花园物业费" * 20)
    v2.gateway.create(order)
    assert v2.gateway.query(order.out_trade_no).status is TradeStatus.NOT_PAID


def test_the_refund_goes_out_with_the_api_client_certificate(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    authority = CertificateAuthority()
    server = authority.issue("api.mch.weixin.qq.com", server=True)
    client = authority.issue(DIRECT.mch_id, server=False)
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", write(tmp_path, "ca.pem", authority.cert_pem))
    emulator = WeChatV2Emulator([DIRECT], clock=lambda: AT)
    tls = {
        "ssl_certfile": write(tmp_path, "server.pem", server.cert_pem),
        "ssl_keyfile": write(tmp_path, "server.key", server.key_pem),
        "ssl_ca_certs": write(tmp_path, "ca.pem", authority.cert_pem),
        "ssl_cert_reqs": ssl.CERT_REQUIRED,
    }
    with serving(emulator.app(), **tls) as base_url, serving(Litestar([_sink])) as receiver_url:
        account = account_of(DIRECT, SignType.MD5, base_url)
        with_cert = WeChatPayV2Gateway(
            attrs.evolve(account, client_cert_pem=client.cert_pem, client_key_pem=client.key_pem)
        )
        without_cert = WeChatPayV2Gateway(account)
        order = GatewayOrder(
            out_trade_no=new_number(),
            channel=PaymentChannel.WECHAT_NATIVE,
            amount=FEE,
            description="物业费",
            notify_url=f"{receiver_url}/notify",
            expires_at=AT,
        )
        with_cert.create(order)
        assert emulator.pay(order.out_trade_no) == 200
        refund = RefundOrder(
            out_trade_no=order.out_trade_no,
            out_refund_no="R" + order.out_trade_no,
            amount=FEE,
            payment_amount=FEE,
            reason="退费",
        )
        try:
            with pytest.raises(GatewayUnavailable):
                without_cert.refund(refund)
            assert with_cert.refund(refund).state is RefundState.PROCESSING
        finally:  # an idle TLS connection would hold the server's shutdown for 30 s
            with_cert.close_connections()
            without_cert.close_connections()


@post("/notify", status_code=200)
async def _sink() -> None:
    """A notification URL that takes anything (this test is about the refund call)."""
    return None


@attrs.frozen
class _Merchants:
    account: MerchantAccount

    def for_channel(self, tenant_id: UUID, channel: PaymentChannel) -> MerchantAccount:
        return self.account


def _bill_payment(world: World, v2: V2World) -> checkout.PaymentView:
    home = world.home()
    owner = world.owner_of(home)
    world.fee()
    world.run(date(2026, 3, 1))
    payment = checkout.start_bill_payment(
        world.uow,
        world.clock,
        _Merchants(v2.gateway.merchant),
        owner,
        checkout.PayBills(
            property_id=home,
            bill_ids=tuple(world.bill_ids(home)),
            channel=PaymentChannel.WECHAT_JSAPI,
        ),
    )
    order = attrs.evolve(v2.order(), out_trade_no=payment.out_trade_no, amount=payment.amount)
    v2.gateway.create(order)
    return payment


def _settle(world: World, report: TradeReport) -> settlement.SettlementResult:
    assert report.paid_amount is not None
    return settlement.settle_payment(
        world.uow,
        world.clock,
        settlement.SettlePayment(
            out_trade_no=report.out_trade_no,
            paid_amount=report.paid_amount,
            merchant=report.merchant,
            transaction_id=report.transaction_id,
        ),
    )


@pytest.fixture
def world(tenant_id: UUID, clock: FixedClock) -> World:
    return World.open(InMemoryUnitOfWork(InMemoryStore(), tenant_id, clock), clock)


def test_a_verified_notification_settles_the_payment_once(world: World, v2: V2World) -> None:
    payment = _bill_payment(world, v2)
    v2.emulator.pay(payment.out_trade_no)
    v2.emulator.pay(payment.out_trade_no)

    first, copy = (n for n in v2.receiver.notices if isinstance(n, TradeReport))
    settled, again = _settle(world, first), _settle(world, copy)

    assert (settled.status, settled.already_settled) == (PaymentStatus.SUCCEEDED, False)
    assert again.already_settled
    with world.uow:
        bill = world.uow.bills.get(payment.allocations[0].bill_id)
        assert (bill.status, bill.paid_by_payment_id) == (BillStatus.PAID, payment.id)


def test_a_genuine_notification_for_a_fen_more_settles_nothing(world: World, v2: V2World) -> None:
    payment = _bill_payment(world, v2)
    v2.emulator.pay(payment.out_trade_no)
    off = str(payment.amount.fen + 1)
    report = v2.verify(v2.emulator.notification_for(payment.out_trade_no, total_fee=off))
    assert isinstance(report, TradeReport)
    assert report.paid_amount == payment.amount + Money(1)

    with pytest.raises(AmountMismatch):
        _settle(world, report)
    with world.uow:
        assert world.uow.payments.get(payment.id).status is PaymentStatus.PENDING
