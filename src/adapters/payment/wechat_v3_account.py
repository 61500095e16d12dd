"""One generation of a WeChat Pay v3 account's keys, and the ``wechatpayv3`` client over it."""

from __future__ import annotations

import attrs
from wechatpayv3 import WeChatPay, WeChatPayType  # type: ignore[import-untyped]

from estate_core.payments.credentials import WechatPartnerCredentials, WechatV3Credentials
from estate_core.payments.values import MerchantAccount

TIMEOUT = (5, 10)
"""Seconds to connect, to read: a notification must be answered within 5 s, so no call made
while answering one may hang."""


@attrs.frozen(kw_only=True)
class WechatV3Account:
    """One generation of the keys of a direct merchant, or of the service provider with the
    sub-merchant it acts for (partner mode when ``sub_mch_id`` is set)."""

    app_id: str
    mch_id: str
    api_v3_key: str = attrs.field(repr=False)
    private_key: str = attrs.field(repr=False)
    cert_serial: str
    wechatpay_public_key: str
    wechatpay_public_key_id: str
    sub_mch_id: str | None = None
    sub_app_id: str | None = None

    @property
    def partner(self) -> bool:
        return self.sub_mch_id is not None

    @property
    def merchant(self) -> MerchantAccount:
        return MerchantAccount(
            app_id=self.app_id, merchant_id=self.mch_id, sub_merchant_id=self.sub_mch_id
        )

    def client(self, gateway_url: str) -> WeChatPay:
        pay = WeChatPay(
            wechatpay_type=WeChatPayType.NATIVE,
            mchid=self.mch_id,
            private_key=self.private_key,
            cert_serial_no=self.cert_serial,
            appid=self.app_id,
            apiv3_key=self.api_v3_key,
            partner_mode=self.partner,
            timeout=TIMEOUT,
            public_key=self.wechatpay_public_key,
            public_key_id=self.wechatpay_public_key_id,
        )
        # The SDK has no setting for its base URL; production, sandbox and emulator differ by it.
        pay._core._gate_way = gateway_url.rstrip("/")
        return pay


def account_from(
    credentials: WechatV3Credentials, partner: WechatPartnerCredentials | None = None
) -> WechatV3Account:
    return WechatV3Account(
        app_id=credentials.app_id,
        mch_id=credentials.mch_id,
        api_v3_key=credentials.api_v3_key,
        private_key=credentials.private_key,
        cert_serial=credentials.cert_serial,
        wechatpay_public_key=credentials.wechatpay_public_key,
        wechatpay_public_key_id=credentials.wechatpay_public_key_id,
        sub_mch_id=partner.sub_mch_id if partner else None,
        sub_app_id=partner.sub_app_id if partner else None,
    )
