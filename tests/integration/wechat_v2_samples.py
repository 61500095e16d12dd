"""The v2 adapter's world: the emulator and a notification receiver on loopback ports.

Four accounts cover both modes and both sign types: a direct merchant, a sub-merchant with its
own app (sub_appid) and one without, under one service provider whose API key signs for all its
sub-merchants, and that provider's other sub-merchant: another tenant (the neighbour).
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import attrs
from litestar import Litestar, Request, Response, post

from adapters.payment.wechat_v2 import WeChatPayV2Gateway
from adapters.payment.wechat_v2_client import SignType, WeChatV2Account
from entrypoints.sandbox.server import serving
from entrypoints.sandbox.wechat_v2 import V2Merchant, WeChatV2Emulator
from entrypoints.sandbox.wechat_v2_protocol import from_xml, to_xml
from estate_core.payments.gateway import (
    Checkout,
    GatewayOrder,
    Notice,
    NotificationRefused,
    NotificationRequest,
)
from estate_core.payments.values import PaymentChannel
from estate_core.shared.money import Money

AT = datetime(2026, 3, 15, 2, 0, tzinfo=UTC)
"""The emulator's clock: 10:00 in Beijing, 15 March 2026."""

SERVICE_PROVIDER_KEY = secrets.token_hex(16)
DIRECT = V2Merchant(mch_id="1900000109", api_key=secrets.token_hex(16), app_id="wx2421b1c4370ec43b")
PARTNER = V2Merchant(
    mch_id="1900000100",
    api_key=SERVICE_PROVIDER_KEY,
    app_id="wx8888888888888888",
    sub_mch_id="1900000201",
    sub_app_id="wx1f1f1f1f1f1f1f1f",
)
PARTNER_WITHOUT_APP = V2Merchant(
    mch_id="1900000100",
    api_key=SERVICE_PROVIDER_KEY,
    app_id="wx8888888888888888",
    sub_mch_id="1900000203",
)
NEIGHBOUR = V2Merchant(
    mch_id="1900000100",
    api_key=SERVICE_PROVIDER_KEY,
    app_id="wx8888888888888888",
    sub_mch_id="1900000202",
)

MODES = {
    "direct-md5": (DIRECT, SignType.MD5),
    "direct-hmac": (DIRECT, SignType.HMAC_SHA256),
    "partner-md5": (PARTNER, SignType.MD5),
    "partner-hmac": (PARTNER_WITHOUT_APP, SignType.HMAC_SHA256),
}
CHANNELS = (PaymentChannel.WECHAT_JSAPI, PaymentChannel.WECHAT_NATIVE, PaymentChannel.WECHAT_H5)
FEE = Money(25_000)
RETURN_URL = "https://estate.example.com/paid?bill=1"


def account_of(merchant: V2Merchant, sign_type: SignType, base_url: str) -> WeChatV2Account:
    return WeChatV2Account(
        app_id=merchant.app_id,
        mch_id=merchant.mch_id,
        api_key=merchant.api_key,
        sign_type=sign_type,
        sub_mch_id=merchant.sub_mch_id,
        sub_app_id=merchant.sub_app_id,
        base_url=base_url,
    )


def changed(message: bytes, **fields: str) -> bytes:
    """``message`` with ``fields`` changed and its signature left as it was (a forgery)."""
    return to_xml({**from_xml(message), **fields})


def new_number() -> str:
    return f"V2{secrets.token_hex(10).upper()}"


@attrs.define
class Receiver:
    """The merchant's notification URL: verifies with the gateway and answers as it says.

    ``/notify`` handles; ``/lost`` answers 503 without looking (a notification that never
    arrived, as far as the merchant knows).
    """

    gateway: WeChatPayV2Gateway | None = None
    notices: list[Notice] = attrs.field(factory=list)
    refusals: list[str] = attrs.field(factory=list)

    def app(self) -> Litestar:
        @post("/notify", status_code=200)
        async def notify(request: Request[Any, Any, Any]) -> Response[bytes]:
            assert self.gateway is not None
            received = NotificationRequest(headers={}, body=await request.body())
            try:
                self.notices.append(self.gateway.verify_notification(received, AT))
                reply = self.gateway.acknowledgement()
            except NotificationRefused as exc:
                self.refusals.append(exc.message)
                reply = self.gateway.refusal()
            return Response(reply.body, media_type=reply.content_type, status_code=200)

        @post("/lost", status_code=503)
        async def lost() -> None:
            return None

        return Litestar([notify, lost])


@attrs.define
class V2World:
    emulator: WeChatV2Emulator
    gateway: WeChatPayV2Gateway
    merchant: V2Merchant
    sign_type: SignType
    receiver: Receiver
    receiver_url: str
    gateway_url: str

    @property
    def notify_url(self) -> str:
        return f"{self.receiver_url}/notify"

    def order(
        self,
        channel: PaymentChannel = PaymentChannel.WECHAT_JSAPI,
        amount: Money = FEE,
        *,
        notify_url: str | None = None,
    ) -> GatewayOrder:
        return GatewayOrder(
            out_trade_no=new_number(),
            channel=channel,
            amount=amount,
            description="阳光花园 1-1-101 物业费",
            notify_url=notify_url or self.notify_url,
            expires_at=AT + timedelta(minutes=30),
            payer_id="oUpF8uMuAJO_M2pxb1Q9zNjWeS6o",
            client_ip="203.0.113.7",
            return_url=RETURN_URL,
        )

    def open(self, channel: PaymentChannel = PaymentChannel.WECHAT_JSAPI) -> tuple[str, Checkout]:
        order = self.order(channel)
        return order.out_trade_no, self.gateway.create(order)

    def paid(self) -> str:
        """An order opened and paid (its notification handled); its number."""
        out_trade_no, _ = self.open()
        assert self.emulator.pay(out_trade_no) == 200
        return out_trade_no

    def verify(self, body: bytes) -> Notice:
        return self.gateway.verify_notification(NotificationRequest(headers={}, body=body), AT)


@contextmanager
def v2_world(mode: str) -> Iterator[V2World]:
    """The world of one of :data:`MODES`, served while the block runs."""
    merchant, sign_type = MODES[mode]
    merchants = [DIRECT, PARTNER, PARTNER_WITHOUT_APP, NEIGHBOUR]
    emulator = WeChatV2Emulator(merchants, clock=lambda: AT)
    receiver = Receiver()
    with serving(emulator.app()) as gateway_url, serving(receiver.app()) as receiver_url:
        gateway = WeChatPayV2Gateway(account_of(merchant, sign_type, gateway_url))
        receiver.gateway = gateway
        yield V2World(
            emulator=emulator,
            gateway=gateway,
            merchant=merchant,
            sign_type=sign_type,
            receiver=receiver,
            receiver_url=receiver_url,
            gateway_url=gateway_url,
        )
