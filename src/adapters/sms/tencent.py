"""Tencent Cloud SMS 腾讯云短信 (``tencentcloud-sdk-python-sms``, API 2021-01-11) as the
core's :class:`~estate_core.identity.ports.SmsSender`.

Mainland SMS only carries approved templates with a signature 短信签名, so a verification code
goes out as the ``code`` template (parameters: the code, the minutes it is valid) and any other
text as the ``notice`` template (one parameter: the text, cut to the template's limit). The
endpoint and scheme are configuration: tests run the SDK, with its TC3-HMAC-SHA256 signing,
against a loopback emulator that checks the signature.

Errors: a request the SDK could not complete (network, ``InternalError``, throttling of the API)
raises :class:`SmsUnavailable`, which the worker retries; a refusal that retrying cannot fix (a
template or signature not approved, an invalid number, the phone's daily limit) raises
:class:`~estate_core.shared.messaging.PermanentDeliveryError`. Numbers are logged masked.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from uuid import UUID

from tencentcloud.common import credential
from tencentcloud.common.exception.tencent_cloud_sdk_exception import TencentCloudSDKException
from tencentcloud.common.profile.client_profile import ClientProfile
from tencentcloud.common.profile.http_profile import HttpProfile
from tencentcloud.sms.v20210111 import models, sms_client

from adapters.sms.console import mask_phone
from estate_core.identity.sms import SmsPurpose
from estate_core.shared.errors import DomainError
from estate_core.shared.messaging import PermanentDeliveryError

_log = logging.getLogger("estate.sms")

PRODUCTION_ENDPOINT = "sms.tencentcloudapi.com"
NOTICE_PARAMETER_MAX = 20
"""Characters of a notice template's parameter (Tencent's limit for non-code variables)."""

PERMANENT_PREFIXES = (
    "FailedOperation.TemplateIncorrectOrUnapproved",
    "FailedOperation.SignatureIncorrectOrUnapproved",
    "FailedOperation.PhoneNumberInBlacklist",
    "FailedOperation.ContainSensitiveWord",
    "InvalidParameterValue",
    "LimitExceeded.PhoneNumberDailyLimit",
    "UnsupportedOperation",
    "AuthFailure",
)


class SmsUnavailable(DomainError):
    """Tencent Cloud could not take the message now; the worker retries it later."""

    code = "sms.unavailable"


class TencentSmsSender:
    def __init__(
        self,
        *,
        secret_id: str,
        secret_key: str,
        app_id: str,
        sign_name: str,
        code_template: str,
        notice_template: str,
        region: str = "ap-guangzhou",
        endpoint: str = PRODUCTION_ENDPOINT,
        scheme: str = "https",
        timeout: int = 10,
    ) -> None:
        http = HttpProfile(protocol=scheme, endpoint=endpoint, reqTimeout=timeout)
        self._client = sms_client.SmsClient(
            credential.Credential(secret_id, secret_key), region, ClientProfile(httpProfile=http)
        )
        self._app_id = app_id
        self._sign_name = sign_name
        self._code_template = code_template
        self._notice_template = notice_template

    def send_code(
        self, *, tenant_id: UUID, phone: str, code: str, purpose: SmsPurpose, valid_minutes: int
    ) -> None:
        self._send(phone, self._code_template, [code, str(valid_minutes)], f"{purpose}:{tenant_id}")

    def send_text(self, *, tenant_id: UUID, phone: str, text: str) -> None:
        self._send(phone, self._notice_template, [text[:NOTICE_PARAMETER_MAX]], str(tenant_id))

    def _send(self, phone: str, template: str, parameters: Sequence[str], context: str) -> None:
        request = models.SendSmsRequest()
        request.PhoneNumberSet = [f"+86{phone}"]
        request.SmsSdkAppId = self._app_id
        request.SignName = self._sign_name
        request.TemplateId = template
        request.TemplateParamSet = list(parameters)
        request.SessionContext = context
        try:
            response = self._client.SendSms(request)
        except TencentCloudSDKException as error:
            code = error.get_code() or ""
            if code.startswith(PERMANENT_PREFIXES):
                raise PermanentDeliveryError(
                    "sms.refused", f"tencent sms refused: {code}"
                ) from error
            raise SmsUnavailable(f"tencent sms error {code}: {error.get_message()}") from error
        (status,) = response.SendStatusSet
        if status.Code != "Ok":
            reason = f"tencent sms refused {mask_phone(phone)}: {status.Code}"
            if status.Code.startswith(PERMANENT_PREFIXES):
                raise PermanentDeliveryError("sms.refused", reason)
            raise SmsUnavailable(reason)
        _log.info("SMS to %s sent (%s)", mask_phone(phone), status.SerialNo)
