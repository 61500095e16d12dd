"""Tencent Cloud SMS through its SDK (TC3 signing included) against the loopback emulator: codes
and notices go out as their templates; refusals are permanent or worth a retry."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from tencent_sms_emulator import (
    APP_ID,
    SECRET_ID,
    SECRET_KEY,
    SIGN_NAME,
    TencentSmsEmulator,
    tencent_sms_emulator,
)

from adapters.messaging.sms import SmsChannel
from adapters.sms.tencent import NOTICE_PARAMETER_MAX, SmsUnavailable, TencentSmsSender
from entrypoints.worker.compose import channels_named
from entrypoints.worker.config import WorkerConfig
from estate_core.identity.sms import SmsPurpose
from estate_core.shared.errors import InvalidInput
from estate_core.shared.ids import new_id
from estate_core.shared.messaging import PermanentDeliveryError, Recipient, ResidentMessage

PHONE = "13800000001"


@pytest.fixture
def emulator() -> Iterator[tuple[TencentSmsEmulator, str]]:
    with tencent_sms_emulator() as running:
        yield running


def _sender(endpoint: str, secret_key: str = SECRET_KEY) -> TencentSmsSender:
    return TencentSmsSender(
        secret_id=SECRET_ID,
        secret_key=secret_key,
        app_id=APP_ID,
        sign_name=SIGN_NAME,
        code_template="CODE-1001",
        notice_template="NOTICE-2001",
        endpoint=endpoint,
        scheme="http",
    )


def test_a_code_goes_out_as_the_code_template_signed_by_the_sdk(
    emulator: tuple[TencentSmsEmulator, str],
) -> None:
    sms, endpoint = emulator
    tenant_id = new_id()
    _sender(endpoint).send_code(
        tenant_id=tenant_id, phone=PHONE, code="123456", purpose=SmsPurpose.LOGIN, valid_minutes=10
    )
    (sent,) = sms.sent
    assert sent["PhoneNumberSet"] == [f"+86{PHONE}"]
    assert (sent["TemplateId"], sent["TemplateParamSet"]) == ("CODE-1001", ["123456", "10"])
    assert sent["SessionContext"] == f"login:{tenant_id}"


def test_an_urgent_message_goes_out_as_the_notice_template_cut_to_its_limit(
    emulator: tuple[TencentSmsEmulator, str],
) -> None:
    sms, endpoint = emulator
    channel = SmsChannel(_sender(endpoint))
    recipient = Recipient(resident_id=new_id(), phone=PHONE, wechat_openid=None)
    urgent = ResidentMessage(
        kind="notice.published",
        resident_id=recipient.resident_id,
        title="紧急通知",
        body="3号楼明日9点至12点停水检修，请提前储水",
        urgent=True,
    )
    assert channel.send(new_id(), recipient, urgent, "key-1")
    (sent,) = sms.sent
    assert sent["TemplateId"] == "NOTICE-2001"
    (text,) = sent["TemplateParamSet"]
    assert len(text) == NOTICE_PARAMETER_MAX
    assert text.startswith("【紧急通知】3号楼")
    plain = ResidentMessage(
        kind="coupon.issued", resident_id=recipient.resident_id, title="优惠券", body="到账"
    )
    assert not channel.send(new_id(), recipient, plain, "key-2"), "only urgent messages"


def test_refusals_are_permanent_and_outages_are_retried(
    emulator: tuple[TencentSmsEmulator, str],
) -> None:
    sms, endpoint = emulator
    sender = _sender(endpoint)

    def text() -> None:
        sender.send_text(tenant_id=new_id(), phone=PHONE, text="停水通知")

    sms.answer_next({"status": "LimitExceeded.PhoneNumberDailyLimit"})
    with pytest.raises(PermanentDeliveryError) as refused:
        text()
    assert refused.value.code == "sms.refused"
    assert "138****0001" in refused.value.message
    sms.answer_next({"error": "InternalError.Timeout"})
    with pytest.raises(SmsUnavailable) as unavailable:
        text()
    assert unavailable.value.code == "sms.unavailable"
    with pytest.raises(PermanentDeliveryError, match="AuthFailure"):
        _sender(endpoint, secret_key="a-wrong-secret-key-0123456789abcd").send_text(
            tenant_id=new_id(), phone=PHONE, text="停水通知"
        )
    assert sms.sent == []


def test_unreachable_tencent_cloud_is_worth_a_retry() -> None:
    with tencent_sms_emulator() as (_, closed_endpoint):
        pass
    with pytest.raises(SmsUnavailable):
        _sender(closed_endpoint).send_text(tenant_id=new_id(), phone=PHONE, text="停水通知")


def test_the_sms_channel_uses_tencent_cloud_when_configured(
    emulator: tuple[TencentSmsEmulator, str],
) -> None:
    sms, endpoint = emulator
    config = WorkerConfig(
        {
            "ESTATE_SMS_PROVIDER": "tencent",
            "ESTATE_SMS_TENCENT_SECRET_ID": SECRET_ID,
            "ESTATE_SMS_TENCENT_SECRET_KEY": SECRET_KEY,
            "ESTATE_SMS_TENCENT_APP_ID": APP_ID,
            "ESTATE_SMS_TENCENT_SIGN_NAME": SIGN_NAME,
            "ESTATE_SMS_TENCENT_CODE_TEMPLATE": "CODE-1001",
            "ESTATE_SMS_TENCENT_NOTICE_TEMPLATE": "NOTICE-2001",
            "ESTATE_SMS_TENCENT_ENDPOINT": endpoint,
            "ESTATE_SMS_TENCENT_SCHEME": "http",
        }
    )
    (channel,) = channels_named(["sms"], config)
    recipient = Recipient(resident_id=new_id(), phone=PHONE, wechat_openid=None)
    urgent = ResidentMessage(
        kind="notice.published", resident_id=new_id(), title="紧急通知", body="停水", urgent=True
    )
    assert channel.send(new_id(), recipient, urgent, "key-1")
    assert [sent["TemplateParamSet"] for sent in sms.sent] == [["【紧急通知】停水"]]
    incomplete = WorkerConfig({"ESTATE_SMS_PROVIDER": "tencent"})
    with pytest.raises(InvalidInput):
        channels_named(["sms"], incomplete)[0]
