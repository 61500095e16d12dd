"""A tenant paying through the WeChat Pay v2 or the Alipay emulator, over real HTTP both ways.

Like ``wechat_v3_world``: the emulator on one loopback port, the service's webhook router on
another; the tenant's merchant account set through the staff use case and stored, so the adapter
is the one ``GATEWAY_FACTORIES`` builds. WeChat Pay v2 partner mode has no stored mode (the
service provider is a v3 merchant), so it is wired as an embedder would: configured gateways.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from typing import Any
from uuid import UUID

from billing_samples import World
from litestar import Litestar
from wechat_v3_world import FEBRUARY, JANUARY, PayWorld, _free_port

from adapters.moderation.rules import RuleBasedModerator
from adapters.payment.accounts import (
    ConfiguredMerchantAccounts,
    ConfiguredPaymentGateways,
    StoredMerchantAccounts,
    StoredPaymentGateways,
)
from adapters.payment.wechat_v2 import WeChatPayV2Gateway
from adapters.payment.wechat_v2_client import WeChatV2Account
from adapters.sms.console import ConsoleSmsSender
from entrypoints.bootstrap import GATEWAY_FACTORIES, Estate
from entrypoints.http.notify import notify_router
from entrypoints.sandbox import alipay_keys
from entrypoints.sandbox.alipay import AlipayEmulator
from entrypoints.sandbox.server import LOOPBACK, serving
from entrypoints.sandbox.wechat_v2 import V2Merchant, WeChatV2Emulator
from estate_core.identity.model import SurplusPolicy
from estate_core.identity.sms import CodeSecret
from estate_core.payments.credentials import (
    AlipayCredentials,
    AlipayIsvCredentials,
    Credentials,
    Platform,
    WechatV2Credentials,
)
from estate_core.payments.services.gateway_accounts import SetGatewayAccount, set_gateway_account
from estate_core.payments.values import PaymentChannel
from estate_core.shared.clock import FixedClock

V2_DIRECT = V2Merchant(
    mch_id="1900000109", api_key=secrets.token_hex(16), app_id="wx2421b1c4370ec43b"
)
V2_PARTNER = V2Merchant(
    mch_id="1900000100",
    api_key=secrets.token_hex(16),
    app_id="wx8888888888888888",
    sub_mch_id="1900000201",
)
ALIPAY_APP, ISV_APP, TENANT_APP = "2021000122600001", "2021000199990001", "2021000122600002"
SELLER, ISV_SELLER = "2088102177846880", "2088102177840000"
WECHAT = (PaymentChannel.WECHAT_JSAPI, PaymentChannel.WECHAT_NATIVE, PaymentChannel.WECHAT_H5)
GATEWAYS = ["v2-direct", "v2-partner", "alipay-direct", "alipay-isv"]


def _key() -> str:
    return alipay_keys.private_pem(alipay_keys.generate_private_key())


def _public(private_pem: str) -> str:
    return alipay_keys.public_pem(alipay_keys.load_private(private_pem))


@contextmanager
def gateway_world(
    make_uow: Callable[[UUID], Any], clock: FixedClock, tenant_id: UUID, gateway: str
) -> Iterator[PayWorld]:
    """A tenant with a home, its owner and two unpaid bills, paying through ``gateway``
    (one of :data:`GATEWAYS`)."""
    emulator: Any
    platform = Platform()
    credentials: Credentials | None = None
    if gateway.startswith("v2"):
        emulator = WeChatV2Emulator([V2_DIRECT, V2_PARTNER], clock=clock.now)
        credentials = WechatV2Credentials(
            app_id=V2_DIRECT.app_id, mch_id=V2_DIRECT.mch_id, api_key=V2_DIRECT.api_key
        )
    else:
        emulator = AlipayEmulator(clock=clock.now)
        app_key, isv_key = _key(), _key()
        emulator.add_app(ALIPAY_APP, _public(app_key), SELLER)
        emulator.add_isv(ISV_APP, _public(isv_key))
        credentials = AlipayCredentials(
            app_id=ALIPAY_APP,
            app_private_key=app_key,
            alipay_public_key=emulator.public_key_pem,
            seller_id=SELLER,
        )
        if gateway == "alipay-isv":
            token = emulator.authorize(ISV_APP, TENANT_APP, SELLER)
            platform = Platform(
                alipay_isv=AlipayCredentials(
                    app_id=ISV_APP,
                    app_private_key=isv_key,
                    alipay_public_key=emulator.public_key_pem,
                    seller_id=ISV_SELLER,
                )
            )
            credentials = AlipayIsvCredentials(
                app_auth_token=token, auth_app_id=TENANT_APP, seller_id=SELLER
            )
    port = _free_port()
    with ExitStack() as stack:
        base = stack.enter_context(serving(emulator.app()))
        gateway_url = f"{base}/gateway.do" if gateway.startswith("alipay") else base
        merchant_accounts: Any = StoredMerchantAccounts(make_uow, platform)
        gateways: Any = StoredPaymentGateways(make_uow, platform, GATEWAY_FACTORIES)
        if gateway == "v2-partner":
            adapter = WeChatPayV2Gateway(
                WeChatV2Account(
                    app_id=V2_PARTNER.app_id,
                    mch_id=V2_PARTNER.mch_id,
                    api_key=V2_PARTNER.api_key,
                    sub_mch_id=V2_PARTNER.sub_mch_id,
                    base_url=f"{base}/",
                )
            )
            credentials = None
            gateways = ConfiguredPaymentGateways({(tenant_id, c): adapter for c in WECHAT})
            merchant_accounts = ConfiguredMerchantAccounts(
                {(tenant_id, c): adapter.merchant for c in WECHAT}
            )
        estate = Estate(
            unit_of_work=make_uow,
            clock=clock,
            sms=ConsoleSmsSender(),
            code_secret=CodeSecret(pepper=hmac.new(b"k", b"p", hashlib.sha256).digest()),
            moderator=RuleBasedModerator(),
            platform=platform,
            merchant_accounts=merchant_accounts,
            gateways=gateways,
            public_url=f"http://{LOOPBACK}:{port}",
        )
        stack.enter_context(
            serving(Litestar(route_handlers=[notify_router(lambda: estate)]), port=port)
        )
        world = World.open(make_uow(tenant_id), clock, SurplusPolicy.REFUND)
        if credentials is not None:
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
            emulator=emulator,
            gateway_url=gateway_url,
            world=world,
            home=home,
            owner=owner,
            bills=world.bill_ids(home),
        )
