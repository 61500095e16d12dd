"""Staff set, rotate and disable the tenant's receiving accounts; secrets never come back out."""

from __future__ import annotations

from uuid import UUID

import pytest

from adapters.payment.accounts import StoredMerchantAccounts, StoredPaymentGateways
from adapters.persistence.memory import InMemoryStore, InMemoryUnitOfWork
from estate_core.payments.credentials import (
    AccountMode,
    AlipayCredentials,
    GatewayFamily,
    Platform,
    WechatPartnerCredentials,
    WechatV3Credentials,
    credentials_from,
    mask,
)
from estate_core.payments.services.gateway_accounts import (
    SetGatewayAccount,
    disable_gateway_account,
    list_gateway_accounts,
    rotate_gateway_account,
    set_gateway_account,
)
from estate_core.payments.values import MerchantAccount, PaymentChannel
from estate_core.shared.access import Permission, StaffActor
from estate_core.shared.clock import FixedClock
from estate_core.shared.errors import InvalidInput, PermissionDenied
from estate_core.shared.ids import new_id

V3_KEY = "0123456789abcdef0123456789abcdef"
PRIVATE_KEY = (
    "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----"
)
URL = "https://api.mch.weixin.qq.com"


def v3(key: str = V3_KEY, mch_id: str = "1900000109") -> WechatV3Credentials:
    return WechatV3Credentials(
        app_id="wx8888888888888888",
        mch_id=mch_id,
        api_v3_key=key,
        private_key=PRIVATE_KEY,
        cert_serial="3775B6A45ACD588826D15E583A95F5DD",
        wechatpay_public_key="-----BEGIN PUBLIC KEY-----\nMIIB\n-----END PUBLIC KEY-----",
        wechatpay_public_key_id="PUB_KEY_ID_0114232134912410000000",
    )


SP = v3(mch_id="1230000109")
PLATFORM = Platform(wechat_service_provider=SP)


def setter(uow: InMemoryUnitOfWork, clock: FixedClock, admin: StaffActor, creds: object) -> None:
    set_gateway_account(
        uow,
        clock,
        PLATFORM,
        admin,
        SetGatewayAccount(credentials=creds, gateway_url=URL),  # type: ignore[arg-type]
    )


def test_a_set_account_names_the_merchant_payments_record(
    store: InMemoryStore,
    uow: InMemoryUnitOfWork,
    tenant_id: UUID,
    clock: FixedClock,
    admin: StaffActor,
) -> None:
    setter(uow, clock, admin, v3())
    accounts = StoredMerchantAccounts(lambda t: InMemoryUnitOfWork(store, t, clock), PLATFORM)
    assert accounts.for_channel(tenant_id, PaymentChannel.WECHAT_NATIVE) == MerchantAccount(
        app_id="wx8888888888888888", merchant_id="1900000109"
    )
    with pytest.raises(InvalidInput) as error:
        accounts.for_channel(tenant_id, PaymentChannel.ALIPAY_WAP)
    assert error.value.code == "payment.channel_unavailable"


def test_partner_mode_names_the_service_provider_and_the_sub_merchant(
    store: InMemoryStore,
    uow: InMemoryUnitOfWork,
    tenant_id: UUID,
    clock: FixedClock,
    admin: StaffActor,
) -> None:
    setter(uow, clock, admin, WechatPartnerCredentials(sub_mch_id="1900000222"))
    accounts = StoredMerchantAccounts(lambda t: InMemoryUnitOfWork(store, t, clock), PLATFORM)
    assert accounts.for_channel(tenant_id, PaymentChannel.WECHAT_JSAPI) == MerchantAccount(
        app_id=SP.app_id, merchant_id="1230000109", sub_merchant_id="1900000222"
    )


def test_partner_mode_needs_the_platform_configured(
    uow: InMemoryUnitOfWork, clock: FixedClock, admin: StaffActor
) -> None:
    with pytest.raises(InvalidInput) as error:
        set_gateway_account(
            uow,
            clock,
            Platform(),
            admin,
            SetGatewayAccount(
                credentials=WechatPartnerCredentials(sub_mch_id="19"), gateway_url=URL
            ),
        )
    assert error.value.code == "payment.channel_unavailable"
    with uow:
        assert uow.gateway_accounts.all() == []


def test_read_models_and_reprs_never_show_a_secret(
    uow: InMemoryUnitOfWork, clock: FixedClock, admin: StaffActor
) -> None:
    setter(uow, clock, admin, v3())
    [view] = list_gateway_accounts(uow, PLATFORM, admin)
    shown = repr(view) + repr(v3())
    assert V3_KEY not in shown
    assert "MIIEvQIBADANBgkqhkiG9w0BAQEFAASC" not in shown
    assert view.fields["api_v3_key"] == "****cdef" == mask(V3_KEY)
    assert view.fields["mch_id"] == "1900000109"


def test_rotation_keeps_the_previous_keys_and_the_merchant(
    uow: InMemoryUnitOfWork, clock: FixedClock, admin: StaffActor
) -> None:
    setter(uow, clock, admin, v3())
    new_key = "fedcba9876543210fedcba9876543210"
    view = rotate_gateway_account(
        uow, clock, PLATFORM, admin, SetGatewayAccount(credentials=v3(new_key), gateway_url="")
    )
    assert view.has_previous_keys
    with uow:
        account = uow.gateway_accounts.find_for(GatewayFamily.WECHAT)
        assert account is not None
        assert [c.api_v3_key for c in account.generations] == [new_key, V3_KEY]  # type: ignore[union-attr]


def test_a_rotation_cannot_change_the_merchant(
    uow: InMemoryUnitOfWork, clock: FixedClock, admin: StaffActor
) -> None:
    setter(uow, clock, admin, v3())
    with pytest.raises(InvalidInput) as error:
        rotate_gateway_account(
            uow,
            clock,
            PLATFORM,
            admin,
            SetGatewayAccount(credentials=v3(mch_id="1900000999"), gateway_url=""),
        )
    assert error.value.code == "merchant_account.not_a_rotation"


def test_a_disabled_account_opens_no_payment_and_builds_no_gateway(
    store: InMemoryStore,
    uow: InMemoryUnitOfWork,
    tenant_id: UUID,
    clock: FixedClock,
    admin: StaffActor,
) -> None:
    setter(uow, clock, admin, v3())
    disable_gateway_account(uow, clock, PLATFORM, admin, GatewayFamily.WECHAT)
    factory = lambda t: InMemoryUnitOfWork(store, t, clock)  # noqa: E731
    for reader in (
        StoredMerchantAccounts(factory, PLATFORM),
        StoredPaymentGateways(factory, PLATFORM, {}),
    ):
        with pytest.raises(InvalidInput) as error:
            reader.for_channel(tenant_id, PaymentChannel.WECHAT_H5)
        assert error.value.code == "payment.channel_unavailable"


def test_only_staff_with_the_permission_manage_accounts(
    uow: InMemoryUnitOfWork, clock: FixedClock
) -> None:
    cashier = StaffActor(staff_id=new_id(), permissions=frozenset({Permission.PAYMENT_COLLECT}))
    with pytest.raises(PermissionDenied):
        setter(uow, clock, cashier, v3())
    with pytest.raises(PermissionDenied):
        list_gateway_accounts(uow, PLATFORM, cashier)


@pytest.mark.parametrize(
    ("mode", "fields", "code"),
    [
        ("paypal", {}, "merchant_account.invalid_mode"),
        ("alipay", {"app_id": "2021"}, "merchant_account.missing_field"),
        ("wechat_partner", {"sub_mch_id": "1", "api_key": "x"}, "merchant_account.unknown_field"),
        (
            "wechat_v3",
            {**v3().to_document(), "api_v3_key": "short"},
            "merchant_account.invalid_key",
        ),
    ],
)
def test_malformed_credentials_are_refused_with_a_code(
    mode: str, fields: dict[str, str], code: str
) -> None:
    with pytest.raises(InvalidInput) as error:
        credentials_from(mode, fields)
    assert error.value.code == code


def test_credentials_survive_their_document() -> None:
    alipay = AlipayCredentials(
        app_id="2021000122600001",
        app_private_key="-----BEGIN RSA PRIVATE KEY-----\nabc\n-----END RSA PRIVATE KEY-----",
        alipay_public_key="-----BEGIN PUBLIC KEY-----\nabc\n-----END PUBLIC KEY-----",
        seller_id="2088102177846880",
    )
    for creds in (v3(), alipay, WechatPartnerCredentials(sub_mch_id="19", sub_app_id="wx1")):
        assert credentials_from(creds.mode, creds.to_document()) == creds
    assert AccountMode.WECHAT_PARTNER.family is GatewayFamily.WECHAT
