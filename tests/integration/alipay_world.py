"""The Alipay tests' world: the emulator served, a receiving webhook served, the real adapter.

Keys are real RSA 2048 keys generated with ``cryptography`` once per session (the app's, a
partner's, Alipay's own, and a stranger's to forge with). The webhook is a small Litestar app
that hands the posted body to the adapter and answers its reply, so a notification travels
over real HTTP from the emulator to the adapter.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack
from datetime import UTC, datetime, timedelta
from typing import Any

import attrs
import httpx
from litestar import Litestar, Request, post
from litestar.response import Response

from adapters.payment.alipay import AlipayGateway
from entrypoints.sandbox import alipay_keys as keys
from entrypoints.sandbox.alipay import AlipayEmulator
from entrypoints.sandbox.server import serving
from estate_core.payments.gateway import (
    Checkout,
    CheckoutKind,
    GatewayOrder,
    Notice,
    NotificationRefused,
    NotificationRequest,
)
from estate_core.payments.values import PaymentChannel
from estate_core.shared.money import Money

AT = datetime(2026, 12, 3, 2, 0, tzinfo=UTC)
"""10:00 in Beijing, on 3 December 2026: the day of every trade in these tests."""

DIRECT_APP = "2021000122600001"
PARTNER_APP = "2021000199990001"
TENANT_APP = "2021000122600002"
SELLER = "2088102177846880"
HUNDRED_YUAN = Money(10_000)


@attrs.frozen
class Keys:
    app: str
    partner: str
    alipay: str
    stranger: str

    @classmethod
    def generate(cls) -> Keys:
        return cls(*(keys.private_pem(keys.generate_private_key()) for _ in range(4)))


@attrs.define
class Webhook:
    """What the receiving end saw: the notices it accepted, the refusals it answered."""

    gateway: AlipayGateway
    notices: list[Notice] = attrs.field(factory=list)
    refusals: list[NotificationRefused] = attrs.field(factory=list)

    def app(self) -> Litestar:
        @post("/notify/alipay", status_code=200)
        async def notify(request: Request[Any, Any, Any]) -> Response[bytes]:
            headers = {name.lower(): value for name, value in request.headers.items()}
            notice = NotificationRequest(headers=headers, body=await request.body())
            try:
                self.notices.append(self.gateway.verify_notification(notice, AT))
                reply = self.gateway.acknowledgement()
            except NotificationRefused as refused:
                self.refusals.append(refused)
                reply = self.gateway.refusal()
            return Response(
                reply.body, status_code=reply.status_code, media_type=reply.content_type
            )

        return Litestar(route_handlers=[notify])


@attrs.define
class Alipay:
    """One tenant's account on the served emulator, in direct or partner mode."""

    mode: str
    emulator: AlipayEmulator
    gateway: AlipayGateway
    webhook: Webhook
    notify_url: str
    settings: Settings

    def reset(self) -> None:
        """Forget every trade, bill and notification: the servers outlive one test."""
        self.emulator.clock = lambda: AT
        self.emulator.trades.clear()
        self.emulator.bills.clear()
        self.emulator.deliveries.clear()
        self.webhook.notices.clear()
        self.webhook.refusals.clear()

    def order(
        self,
        out_trade_no: str,
        channel: PaymentChannel = PaymentChannel.ALIPAY_WAP,
        amount: Money = HUNDRED_YUAN,
    ) -> GatewayOrder:
        return GatewayOrder(
            out_trade_no=out_trade_no,
            channel=channel,
            amount=amount,
            description="物业费 2026年12月",
            notify_url=self.notify_url,
            expires_at=AT + timedelta(minutes=15),
            return_url="https://estate.example.com/paid",
        )

    def open(self, checkout: Checkout) -> httpx.Response:
        """The payer's browser or Alipay app follows the checkout to the cashier."""
        assert checkout.kind in (CheckoutKind.REDIRECT, CheckoutKind.QR_CODE)
        assert checkout.url is not None
        page = httpx.get(checkout.url)
        assert page.status_code == 200, page.text
        return page

    def paid(
        self,
        out_trade_no: str,
        channel: PaymentChannel = PaymentChannel.ALIPAY_WAP,
        amount: Money = HUNDRED_YUAN,
    ) -> Notice:
        """Create, open and pay a trade; the notice the webhook accepted for it."""
        self.open(self.gateway.create(self.order(out_trade_no, channel, amount)))
        assert self.emulator.pay(out_trade_no) == 200
        assert self.emulator.deliveries[-1].acknowledged
        return self.webhook.notices[-1]

    def adapter(self, **changes: Any) -> AlipayGateway:
        """Another adapter on the same emulator, with some of its settings changed."""
        return make_gateway(self.mode, self.settings, **changes)


@attrs.frozen
class Settings:
    keys: Keys
    alipay_public_key: str
    gateway_url: str
    app_auth_token: str


def make_gateway(mode: str, given: Settings, **changes: Any) -> AlipayGateway:
    settings: dict[str, Any] = {
        "app_id": DIRECT_APP,
        "seller_id": SELLER,
        "app_private_key": given.keys.app,
        "alipay_public_key": given.alipay_public_key,
        "gateway_url": given.gateway_url,
    }
    if mode == "partner":
        settings |= {
            "app_id": PARTNER_APP,
            "app_private_key": given.keys.partner,
            "auth_app_id": TENANT_APP,
            "app_auth_token": given.app_auth_token,
        }
    return AlipayGateway(**(settings | changes))


def alipay_world(mode: str, given: Keys) -> Iterator[Alipay]:
    """The emulator and the webhook served for one test; direct or partner mode."""
    emulator = AlipayEmulator(given.alipay, clock=lambda: AT)
    emulator.add_app(DIRECT_APP, public_pem_of(given.app), SELLER)
    emulator.add_isv(PARTNER_APP, public_pem_of(given.partner))
    token = emulator.authorize(PARTNER_APP, TENANT_APP, SELLER)
    with ExitStack() as stack:
        base = stack.enter_context(serving(emulator.app()))
        settings = Settings(given, emulator.public_key_pem, f"{base}/gateway.do", token)
        gateway = make_gateway(mode, settings)
        webhook = Webhook(gateway)
        hook = stack.enter_context(serving(webhook.app()))
        yield Alipay(mode, emulator, gateway, webhook, f"{hook}/notify/alipay", settings)


def public_pem_of(private_pem: str) -> str:
    return keys.public_pem(keys.load_private(private_pem))
