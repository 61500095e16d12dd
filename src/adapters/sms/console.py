"""The console SMS sender: logs each message instead of sending it, and keeps what it sent.

For development (the developer reads the code in the log) and for tests (which read it from
:attr:`ConsoleSmsSender.sent`). The log shows the number masked, as every log must (DESIGN.md
§9); the code itself is logged because reading it is this adapter's purpose. Never configure it
in production.
"""

from __future__ import annotations

import logging
import threading
from uuid import UUID

import attrs

from estate_core.identity.sms import SmsPurpose

_log = logging.getLogger("estate.sms")


def mask_phone(phone: str) -> str:
    """138****0001: enough to tell numbers apart, not enough to call one."""
    return f"{phone[:3]}****{phone[-4:]}" if len(phone) >= 7 else "****"


@attrs.frozen(kw_only=True)
class SentSms:
    tenant_id: UUID
    phone: str
    text: str
    code: str | None = None
    purpose: SmsPurpose | None = None


_PURPOSE_TEXT = {
    SmsPurpose.LOGIN: "登录",
    SmsPurpose.CHANGE_PHONE_OLD: "更换手机号（原号码验证）",
    SmsPurpose.CHANGE_PHONE_NEW: "更换手机号（新号码验证）",
    SmsPurpose.STAFF_LOGIN: "员工登录",
}


class ConsoleSmsSender:
    """An :class:`~estate_core.identity.ports.SmsSender` that writes to the ``estate.sms`` log."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._sent: list[SentSms] = []

    @property
    def sent(self) -> list[SentSms]:
        with self._lock:
            return list(self._sent)

    def send_code(
        self, *, tenant_id: UUID, phone: str, code: str, purpose: SmsPurpose, valid_minutes: int
    ) -> None:
        text = (
            f"您的{_PURPOSE_TEXT[purpose]}验证码是{code}，{valid_minutes}分钟内有效。"
            "请勿将验证码告诉他人。"
        )
        self._keep(SentSms(tenant_id=tenant_id, phone=phone, text=text, code=code, purpose=purpose))

    def send_text(self, *, tenant_id: UUID, phone: str, text: str) -> None:
        self._keep(SentSms(tenant_id=tenant_id, phone=phone, text=text))

    def _keep(self, message: SentSms) -> None:
        with self._lock:
            self._sent.append(message)
        _log.info("SMS to %s: %s", mask_phone(message.phone), message.text)

    def last_code(self, phone: str, purpose: SmsPurpose | None = None) -> str | None:
        """The last code sent to ``phone`` (for ``purpose`` if given), or None."""
        for message in reversed(self.sent):
            matches = purpose is None or message.purpose is purpose
            if message.phone == phone and message.code is not None and matches:
                return message.code
        return None
