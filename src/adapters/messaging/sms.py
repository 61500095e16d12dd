"""Urgent messages by SMS: a push channel over the core's SMS sender port.

Only messages marked urgent (an urgent notice 紧急通知) go by text; everything else stays in
the inbox and on WeChat, since SMS costs money and residents tire of it. The sender is the one
the identity context uses for login codes (console in development, the cloud provider in
production), so one SMS configuration serves both.
"""

from __future__ import annotations

from uuid import UUID

from estate_core.identity.ports import SmsSender
from estate_core.shared.messaging import Recipient, ResidentMessage

SMS_TEXT_MAX = 300


class SmsChannel:
    """A :class:`~estate_core.shared.messaging.MessageChannel` texting urgent messages."""

    name = "sms"

    def __init__(self, sender: SmsSender) -> None:
        self._sender = sender

    def send(
        self, tenant_id: UUID, recipient: Recipient, message: ResidentMessage, key: str
    ) -> bool:
        if not message.urgent or not recipient.phone:
            return False
        text = f"【{message.title}】{message.body}"[:SMS_TEXT_MAX]
        self._sender.send_text(tenant_id=tenant_id, phone=recipient.phone, text=text)
        return True
