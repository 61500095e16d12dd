"""A tenant paying through the WeChat Pay v3 emulator, over real HTTP both ways.

The emulator is served on a loopback port; the service's webhook router (``notify_router``) on
another. The tenant's merchant configuration is set through the staff use case and stored in
the test's database; payments are opened through the use cases and the real adapter, and the
emulator's notifications are posted to the router as WeChat Pay would.
"""

from __future__ import annotations

import hashlib
import hmac
import socket
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any
from uuid import UUID

import attrs
import sqlalchemy as sa
from billing_samples import World
from litestar import Litestar
from sqlalchemy.engine import Engine

from adapters.moderation.rules import RuleBasedModerator
from adapters.payment.accounts import StoredMerchantAccounts, StoredPaymentGateways
from adapters.persistence.sqlalchemy.tables.outbox import outbox
from adapters.sms.console import ConsoleSmsSender
from entrypoints.bootstrap import GATEWAY_FACTORIES, Estate
from entrypoints.http.notify import notify_router
from entrypoints.sandbox.server import LOOPBACK, serving
from entrypoints.sandbox.wechat_v3 import WechatPayV3Emulator
from estate_core.identity.model import SurplusPolicy
from estate_core.identity.sms import CodeSecret
from estate_core.payments.credentials import (
    Credentials,
    Platform,
    WechatPartnerCredentials,
)
from estate_core.payments.gateway import Checkout, NotificationRequest
from estate_core.payments.services import checkout
from estate_core.payments.services.gateway_accounts import SetGatewayAccount, set_gateway_account
from estate_core.payments.services.notifications import OpenAtGateway, open_at_gateway
from estate_core.payments.values import PaymentChannel
from estate_core.shared.access import ResidentActor
from estate_core.shared.clock import FixedClock

JANUARY, FEBRUARY = date(2026, 1, 1), date(2026, 2, 1)
SP_MCH_ID, SP_APP_ID = "1230000109", "wx5555555555555555"
DIRECT_MCH_ID, DIRECT_APP_ID = "1900000109", "wx8888888888888888"
SUB_MCH_ID = "1900000222"
OTHER_SUB_MCH_ID = "1900000333"


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((LOOPBACK, 0))
        port: int = probe.getsockname()[1]
        return port


def partner_platform(emulator: WechatPayV3Emulator) -> Platform:
    """The platform's service provider, opened at the emulator (deployment configuration)."""
    return Platform(wechat_service_provider=emulator.open_merchant(SP_MCH_ID, SP_APP_ID))


def event_names(engine: Engine) -> list[str]:
    with engine.connect() as connection:
        return list(connection.scalars(sa.select(outbox.c.event_name)))


@attrs.define
class PayWorld:
    estate: Estate
    emulator: WechatPayV3Emulator
    gateway_url: str
    world: World
    home: UUID
    owner: ResidentActor
    bills: list[UUID]

    @property
    def clock(self) -> FixedClock:
        clock: FixedClock = self.world.clock
        return clock

    @property
    def tenant_id(self) -> UUID:
        tenant: UUID = self.world.uow.tenant_id
        return tenant

    def uow(self) -> Any:
        return self.estate.uow(self.tenant_id)

    def open(
        self, channel: PaymentChannel = PaymentChannel.WECHAT_JSAPI, bills: list[UUID] | None = None
    ) -> tuple[checkout.PaymentView, Checkout]:
        """A payment of the home's bills, opened locally and at the gateway."""
        view = checkout.start_bill_payment(
            self.uow(),
            self.clock,
            self.estate.merchant_accounts,
            self.owner,
            checkout.PayBills(
                property_id=self.home, bill_ids=tuple(bills or self.bills), channel=channel
            ),
        )
        opened = open_at_gateway(
            self.uow(),
            self.estate.gateways,
            self.estate.notify_url,
            self.owner,
            OpenAtGateway(
                payment_id=view.id, payer_id="oUpF8uMuAJO_M2pxb1Q9zNjWeS6o", client_ip="127.0.0.1"
            ),
        )
        return view, opened

    def payment(self, payment_id: UUID) -> checkout.PaymentView:
        with self.uow() as uow:
            return checkout.view(uow.payments.get(payment_id))

    def transaction_id(self, payment_id: UUID) -> str | None:
        with self.uow() as uow:
            found: str | None = uow.payments.get(payment_id).transaction_id
            return found

    def unpaid(self) -> list[UUID]:
        with self.uow() as uow:
            return [b.id for b in uow.bills.unpaid_for_property(self.home)]

    def bill_statuses(self) -> list[str]:
        with self.uow() as uow:
            return [uow.bills.get(bill_id).status.value for bill_id in self.bills]

    def notify_url(self, channel: PaymentChannel = PaymentChannel.WECHAT_JSAPI) -> str:
        return self.estate.notify_url(self.tenant_id, channel)


def _page() -> Any:
    from estate_core.shared.pagination import PageRequest

    return PageRequest(limit=100)


def as_request(headers: dict[str, str], body: bytes) -> NotificationRequest:
    return NotificationRequest(headers={k.lower(): v for k, v in headers.items()}, body=body)


@contextmanager
def pay_world(
    make_uow: Callable[[UUID], Any],
    clock: FixedClock,
    tenant_id: UUID,
    *,
    partner: bool = False,
    policy: SurplusPolicy = SurplusPolicy.REFUND,
    emulator: WechatPayV3Emulator | None = None,
    platform: Platform | None = None,
    merchant: tuple[str, str] = (DIRECT_MCH_ID, DIRECT_APP_ID),
    sub_mch_id: str = SUB_MCH_ID,
) -> Iterator[PayWorld]:
    """A tenant with a home, its owner and two unpaid bills, paying through the emulator
    (a fresh one unless given; in partner mode, ``platform`` shares a service provider)."""
    the_emulator = emulator or WechatPayV3Emulator(clock=clock.now)
    credentials: Credentials
    if partner:
        platform = platform or partner_platform(the_emulator)
        the_emulator.add_sub_merchant(SP_MCH_ID, sub_mch_id)
        credentials = WechatPartnerCredentials(sub_mch_id=sub_mch_id)
    else:
        platform = Platform()
        credentials = the_emulator.open_merchant(*merchant)
    port = _free_port()
    estate = Estate(
        unit_of_work=make_uow,
        clock=clock,
        sms=ConsoleSmsSender(),
        code_secret=CodeSecret(pepper=hmac.new(b"k", b"p", hashlib.sha256).digest()),
        moderator=RuleBasedModerator(),
        platform=platform,
        merchant_accounts=StoredMerchantAccounts(make_uow, platform),
        gateways=StoredPaymentGateways(make_uow, platform, GATEWAY_FACTORIES),
        public_url=f"http://{LOOPBACK}:{port}",
    )
    webhook = Litestar(route_handlers=[notify_router(estate)])
    with serving(the_emulator.app()) as gateway_url, serving(webhook, port=port):
        world = World.open(make_uow(tenant_id), clock, policy)
        set_gateway_account(
            world.uow,
            clock,
            platform,
            world.admin,
            SetGatewayAccount(credentials=credentials, gateway_url=gateway_url),
        )
        home = world.home()
        owner = world.owner_of(home)
        world.fee()
        world.run(JANUARY)
        world.run(FEBRUARY)
        yield PayWorld(
            estate=estate,
            emulator=the_emulator,
            gateway_url=gateway_url,
            world=world,
            home=home,
            owner=owner,
            bills=world.bill_ids(home),
        )
