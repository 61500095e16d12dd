"""WeChat official-account template messages 模板消息, through wechatpy.

One official account (the platform's shared one, seed 000) sends to residents who linked their
openid. Each message kind maps to a template id from configuration; a kind without a template,
or a resident without an openid, is not sent here (the inbox has it). The API base URL is
configuration, so tests run against a loopback emulator and production against
``https://api.weixin.qq.com/cgi-bin/``.

Provider errors: those retrying cannot fix (the user unfollowed, a bad openid or template) raise
:class:`PermanentDeliveryError` so the job is dead-lettered at once with the reason; the rest
(system busy, rate limit, network) raise :class:`WechatUnavailable` and are retried with
backoff. wechatpy itself refreshes an expired access token once.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from uuid import UUID

from wechatpy import WeChatClient
from wechatpy.exceptions import WeChatClientException

from estate_core.shared.messaging import PermanentDeliveryError, Recipient, ResidentMessage

PRODUCTION_BASE_URL = "https://api.weixin.qq.com/cgi-bin/"

PERMANENT_ERRORS = frozenset(
    {
        40003,  # invalid openid
        40036,  # invalid template_id size
        40037,  # invalid template_id
        43004,  # the user does not follow the account
        43019,  # the user blocked the account
        47003,  # template parameters invalid
    }
)


class WechatUnavailable(Exception):
    """WeChat could not take the message now; the job is retried later."""


class _Client(WeChatClient):  # type: ignore[misc]
    """wechatpy's client with the base URL of configuration, token endpoint included."""

    def __init__(self, app_id: str, secret: str, base_url: str, timeout: float) -> None:
        super().__init__(app_id, secret, timeout=timeout)
        self.API_BASE_URL = base_url

    def fetch_access_token(self) -> Any:
        return self._fetch_access_token(
            url=f"{self.API_BASE_URL}token",
            params={"grant_type": "client_credential", "appid": self.appid, "secret": self.secret},
        )


class WechatTemplateChannel:
    """A :class:`~estate_core.shared.messaging.MessageChannel` for template messages."""

    name = "wechat"

    def __init__(
        self,
        *,
        app_id: str,
        secret: str,
        templates: Mapping[str, str],
        base_url: str = PRODUCTION_BASE_URL,
        timeout: float = 5.0,
    ) -> None:
        self._client = _Client(app_id, secret, base_url.rstrip("/") + "/", timeout)
        self._templates = dict(templates)

    def send(
        self, tenant_id: UUID, recipient: Recipient, message: ResidentMessage, key: str
    ) -> bool:
        template_id = self._templates.get(message.kind)
        if template_id is None or not recipient.wechat_openid:
            return False
        data = {
            "first": {"value": message.title},
            **{name: {"value": value} for name, value in message.fields.items()},
            "remark": {"value": message.body},
        }
        try:
            self._client.message.send_template(recipient.wechat_openid, template_id, data)
        except WeChatClientException as error:
            if error.errcode in PERMANENT_ERRORS:
                raise PermanentDeliveryError(
                    f"wechat refused {message.kind} for good: {error.errcode} {error.errmsg}"
                ) from error
            raise WechatUnavailable(f"wechat error {error.errcode}: {error.errmsg}") from error
        except OSError as error:  # requests' errors are OSErrors: refused, timed out, reset
            raise WechatUnavailable(f"wechat unreachable: {error}") from error
        return True
