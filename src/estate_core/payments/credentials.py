"""Merchant credentials 商户配置: what a tenant gives us to receive money at a gateway.

One value class per mode (DESIGN.md §9): WeChat Pay API v3 direct, v2 direct, WeChat partner
mode (the platform's service provider plus the tenant's sub-merchant), Alipay direct and Alipay
ISV (the platform app acting with the tenant's ``app_auth_token``). The platform's own accounts
(service provider, ISV app) come from deployment configuration as :class:`Platform`.

Secret fields are left out of ``repr`` so a value that reaches a log or a traceback shows none;
:meth:`masked` is what a read model shows.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from typing import cast

import attrs

from estate_core.payments.values import MerchantAccount, PaymentChannel
from estate_core.shared.errors import InvalidInput

MASK_KEEP = 4
"""Trailing characters of a secret a read model shows, so staff can tell two keys apart."""

API_V3_KEY_BYTES = 32
"""The WeChat Pay API v3 key is an AES-256 key: 32 characters."""


class GatewayFamily(enum.StrEnum):
    """A tenant has at most one receiving account per family; its channels share it."""

    WECHAT = "wechat"
    ALIPAY = "alipay"

    @classmethod
    def of(cls, channel: PaymentChannel) -> GatewayFamily:
        if channel.value.startswith("wechat_"):
            return cls.WECHAT
        if channel.value.startswith("alipay_"):
            return cls.ALIPAY
        raise InvalidInput("payment.invalid_channel", f"{channel.value} has no gateway")


class AccountMode(enum.StrEnum):
    WECHAT_V3 = "wechat_v3"
    WECHAT_V2 = "wechat_v2"
    WECHAT_PARTNER = "wechat_partner"
    ALIPAY = "alipay"
    ALIPAY_ISV = "alipay_isv"

    @property
    def family(self) -> GatewayFamily:
        return GatewayFamily.WECHAT if self.value.startswith("wechat") else GatewayFamily.ALIPAY


def _filled(instance: object, attribute: attrs.Attribute[str], value: str) -> None:
    if not isinstance(value, str) or not value.strip():
        raise InvalidInput("merchant_account.missing_field", f"{attribute.name} is required")


def _secret() -> str:
    return attrs.field(validator=_filled, repr=False, metadata={"secret": True})


def _plain() -> str:
    return attrs.field(validator=_filled)


def mask(secret: str) -> str:
    """``****abcd``: enough to recognise a key, never enough to use it."""
    tail = secret.strip()[-MASK_KEEP:] if len(secret.strip()) > 2 * MASK_KEEP else ""
    return "****" + tail


def _fields_of(value: object) -> tuple[attrs.Attribute[object], ...]:
    return tuple(attrs.fields(cast("type[attrs.AttrsInstance]", type(value))))


class _Fields:
    mode: AccountMode

    def masked(self) -> dict[str, str]:
        """Every field, secrets masked: what staff see of a stored account."""
        shown: dict[str, str] = {}
        for field in _fields_of(self):
            value = getattr(self, field.name)
            if value is None:
                continue
            shown[field.name] = mask(value) if field.metadata.get("secret") else str(value)
        return shown

    def to_document(self) -> dict[str, str]:
        """Every field in the clear, for the encrypted column only (``from_document``)."""
        document = {"mode": self.mode.value}
        for field in _fields_of(self):
            value = getattr(self, field.name)
            if value is not None:
                document[field.name] = value
        return document


@attrs.frozen(kw_only=True)
class WechatV3Credentials(_Fields):
    """API v3 in public-key mode: the merchant's API certificate key and serial sign requests,
    the WeChat Pay public key (and its id) verifies answers and notifications, the API v3 key
    decrypts notification resources."""

    mode = AccountMode.WECHAT_V3
    app_id: str = _plain()
    mch_id: str = _plain()
    api_v3_key: str = _secret()
    private_key: str = _secret()
    cert_serial: str = _plain()
    wechatpay_public_key: str = _plain()
    wechatpay_public_key_id: str = _plain()

    def __attrs_post_init__(self) -> None:
        if len(self.api_v3_key.encode()) != API_V3_KEY_BYTES:
            raise InvalidInput("merchant_account.invalid_key", "the API v3 key has 32 characters")


class WechatSignType(enum.StrEnum):
    MD5 = "MD5"
    HMAC_SHA256 = "HMAC-SHA256"


@attrs.frozen(kw_only=True)
class WechatV2Credentials(_Fields):
    mode = AccountMode.WECHAT_V2
    app_id: str = _plain()
    mch_id: str = _plain()
    api_key: str = _secret()
    sign_type: WechatSignType = attrs.field(default=WechatSignType.MD5, converter=WechatSignType)


@attrs.frozen(kw_only=True)
class WechatPartnerCredentials(_Fields):
    """A sub-merchant 特约商户 of the platform's service provider: no secret of its own."""

    mode = AccountMode.WECHAT_PARTNER
    sub_mch_id: str = _plain()
    sub_app_id: str | None = None


@attrs.frozen(kw_only=True)
class AlipayCredentials(_Fields):
    mode = AccountMode.ALIPAY
    app_id: str = _plain()
    app_private_key: str = _secret()
    alipay_public_key: str = _plain()
    seller_id: str = _plain()


@attrs.frozen(kw_only=True)
class AlipayIsvCredentials(_Fields):
    """The platform's ISV app acts for the tenant with the token the tenant granted it;
    ``auth_app_id`` is the tenant's own app and ``seller_id`` its Alipay account (PID)."""

    mode = AccountMode.ALIPAY_ISV
    app_auth_token: str = _secret()
    auth_app_id: str = _plain()
    seller_id: str = _plain()


Credentials = (
    WechatV3Credentials
    | WechatV2Credentials
    | WechatPartnerCredentials
    | AlipayCredentials
    | AlipayIsvCredentials
)

_CLASSES: Mapping[AccountMode, type[Credentials]] = {
    AccountMode.WECHAT_V3: WechatV3Credentials,
    AccountMode.WECHAT_V2: WechatV2Credentials,
    AccountMode.WECHAT_PARTNER: WechatPartnerCredentials,
    AccountMode.ALIPAY: AlipayCredentials,
    AccountMode.ALIPAY_ISV: AlipayIsvCredentials,
}


def credentials_from(mode: str, fields: Mapping[str, str | None]) -> Credentials:
    """Credentials of ``mode`` from plain fields (a form, a stored document); unknown fields and
    missing ones are refused with a clear code."""
    try:
        account_mode = AccountMode(mode)
    except ValueError:
        raise InvalidInput("merchant_account.invalid_mode", f"unknown mode {mode!r}") from None
    cls = _CLASSES[account_mode]
    known = {field.name for field in attrs.fields(cls)}
    given = {k: v for k, v in fields.items() if k != "mode"}
    unknown = sorted(set(given) - known)
    if unknown:
        raise InvalidInput(
            "merchant_account.unknown_field", f"{account_mode} has no {', '.join(unknown)}"
        )
    required = {f.name for f in attrs.fields(cls) if f.default is attrs.NOTHING}
    missing = sorted(required - {k for k, v in given.items() if v})
    if missing:
        raise InvalidInput("merchant_account.missing_field", f"{', '.join(missing)} is required")
    return cls(**{k: v for k, v in given.items() if v is not None})


def from_document(document: Mapping[str, str]) -> Credentials:
    return credentials_from(document["mode"], document)


@attrs.frozen(kw_only=True)
class Platform:
    """The platform's own accounts, from deployment configuration (``ESTATE_WECHAT_SP_*``,
    ``ESTATE_ALIPAY_ISV_*``): needed only by tenants in partner / ISV mode."""

    wechat_service_provider: WechatV3Credentials | None = None
    wechat_gateway_url: str = "https://api.mch.weixin.qq.com"
    alipay_isv: AlipayCredentials | None = None
    alipay_gateway_url: str = "https://openapi.alipay.com/gateway.do"

    def service_provider(self) -> WechatV3Credentials:
        if self.wechat_service_provider is None:
            raise InvalidInput(
                "payment.channel_unavailable", "no WeChat Pay service provider is configured"
            )
        return self.wechat_service_provider

    def isv(self) -> AlipayCredentials:
        if self.alipay_isv is None:
            raise InvalidInput("payment.channel_unavailable", "no Alipay ISV app is configured")
        return self.alipay_isv


def receiving_account(credentials: Credentials, platform: Platform) -> MerchantAccount:
    """The account a payment records, and settlement compares with the gateway's word.

    Partner mode names the service provider and the sub-merchant: both must match.
    """
    match credentials:
        case WechatV3Credentials() | WechatV2Credentials():
            return MerchantAccount(app_id=credentials.app_id, merchant_id=credentials.mch_id)
        case WechatPartnerCredentials():
            sp = platform.service_provider()
            return MerchantAccount(
                app_id=sp.app_id, merchant_id=sp.mch_id, sub_merchant_id=credentials.sub_mch_id
            )
        case AlipayCredentials():
            return MerchantAccount(app_id=credentials.app_id, merchant_id=credentials.seller_id)
        case AlipayIsvCredentials():
            return MerchantAccount(
                app_id=platform.isv().app_id,
                merchant_id=credentials.seller_id,
                sub_merchant_id=credentials.auth_app_id,
            )
