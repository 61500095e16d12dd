"""Merchant configuration is stored encrypted (issue 8): no key in a raw row, keys come back
whole through the application, rotation keeps the previous generation, one account per family."""

from __future__ import annotations

from collections.abc import Callable
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from adapters.payment.accounts import StoredMerchantAccounts
from adapters.persistence.sqlalchemy import SqlAlchemyUnitOfWork
from estate_core.payments.credentials import (
    GatewayFamily,
    Platform,
    WechatPartnerCredentials,
    WechatV3Credentials,
)
from estate_core.payments.services.gateway_accounts import (
    SetGatewayAccount,
    rotate_gateway_account,
    set_gateway_account,
)
from estate_core.payments.values import MerchantAccount, PaymentChannel
from estate_core.shared.access import Permission, StaffActor
from estate_core.shared.clock import FixedClock
from estate_core.shared.ids import new_id

KEY = "0123456789abcdef0123456789abcdef"
NEW_KEY = "fedcba9876543210fedcba9876543210"
SECRET_PEM = "-----BEGIN PRIVATE KEY-----\nSECRETSECRETSECRET\n-----END PRIVATE KEY-----"
ADMIN = StaffActor(staff_id=new_id(), permissions=frozenset(Permission))


def _v3(key: str) -> WechatV3Credentials:
    return WechatV3Credentials(
        app_id="wx8888888888888888",
        mch_id="1900000109",
        api_v3_key=key,
        private_key=SECRET_PEM,
        cert_serial="3775B6A45ACD588826D15E583A95F5DD",
        wechatpay_public_key="-----BEGIN PUBLIC KEY-----\nPUB\n-----END PUBLIC KEY-----",
        wechatpay_public_key_id="PUB_KEY_ID_0114232134912410000000",
    )


def test_keys_are_encrypted_at_rest_and_rotation_keeps_the_old_generation(
    make_uow: Callable[[UUID], SqlAlchemyUnitOfWork],
    engine: Engine,
    tenant_id: UUID,
    clock: FixedClock,
) -> None:
    platform = Platform()
    url = "https://api.mch.weixin.qq.com"
    uow = make_uow(tenant_id)
    set_gateway_account(
        uow, clock, platform, ADMIN, SetGatewayAccount(credentials=_v3(KEY), gateway_url=url)
    )
    rotate_gateway_account(
        uow, clock, platform, ADMIN, SetGatewayAccount(credentials=_v3(NEW_KEY), gateway_url="")
    )
    with engine.connect() as connection:
        raw = connection.execute(sa.text("SELECT * FROM merchant_accounts")).one()
    stored = b"".join(
        bytes(v) if isinstance(v, bytes | memoryview) else str(v).encode() for v in raw
    )
    for secret in (KEY, NEW_KEY, "SECRETSECRETSECRET", "1900000109"):
        assert secret.encode() not in stored
    with uow:
        account = uow.gateway_accounts.find_for(GatewayFamily.WECHAT)
        assert account is not None
        assert account.generations == (_v3(NEW_KEY), _v3(KEY))
    accounts = StoredMerchantAccounts(make_uow, platform)
    assert accounts.for_channel(tenant_id, PaymentChannel.WECHAT_NATIVE) == MerchantAccount(
        app_id="wx8888888888888888", merchant_id="1900000109"
    )


def test_setting_the_family_again_replaces_its_one_account(
    make_uow: Callable[[UUID], SqlAlchemyUnitOfWork], tenant_id: UUID, clock: FixedClock
) -> None:
    platform = Platform(wechat_service_provider=_v3(KEY))
    uow = make_uow(tenant_id)
    for creds in (_v3(KEY), WechatPartnerCredentials(sub_mch_id="1900000222")):
        set_gateway_account(
            uow,
            clock,
            platform,
            ADMIN,
            SetGatewayAccount(credentials=creds, gateway_url="http://127.0.0.1:1"),
        )
    with uow:
        [account] = uow.gateway_accounts.all()
        assert account.credentials == WechatPartnerCredentials(sub_mch_id="1900000222")
        assert account.previous == _v3(KEY)
