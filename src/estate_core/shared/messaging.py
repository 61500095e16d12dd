"""Messages to residents 消息通知: the in-app inbox (always written) and the push channels.

The worker turns domain events into :class:`ResidentMessage` values (one table,
``entrypoints/worker/messages.py``). Every message goes to the resident's inbox 站内信, so
nothing is lost for a resident without a WeChat openid; a push channel (WeChat template
message, SMS, the development console) sends it on as well. A send carries an idempotency key,
stored with its delivery record, so a job run again after a crash does not send twice.
"""

from __future__ import annotations

from datetime import datetime
from typing import Protocol
from uuid import UUID

import attrs

from estate_core.shared.access import Actor, ResidentActor
from estate_core.shared.errors import DomainError, PermissionDenied


@attrs.frozen(kw_only=True)
class ResidentMessage:
    """One message to one resident."""

    kind: str
    """Stable name of the message, e.g. ``workorder.dispatched``; push channels map it to
    their own template."""
    resident_id: UUID
    title: str
    body: str
    fields: dict[str, str] = attrs.field(factory=dict)
    """The values a template message fills in (keyword1, keyword2 …), by name."""
    urgent: bool = False
    """Also by SMS (urgent notices)."""
    about: str = ""
    """What it is about when one event or job sends several of a kind to one resident (a bill
    id): part of its idempotency key."""


@attrs.frozen(kw_only=True)
class Recipient:
    """Where a resident can be reached besides the inbox."""

    resident_id: UUID
    phone: str | None
    wechat_openid: str | None


class MessageChannel(Protocol):
    """A push channel. ``send`` raises on failure; a provider error that retrying cannot fix
    raises :class:`PermanentDeliveryError` so the job is dead-lettered at once."""

    name: str

    def send(
        self, tenant_id: UUID, recipient: Recipient, message: ResidentMessage, key: str
    ) -> bool:
        """True when sent; False when this channel cannot reach the recipient (no openid)."""
        ...


class PermanentDeliveryError(DomainError):
    """The provider refused the message for good (bad template, blocked user): do not retry.

    A domain error, so an SMS code refused while a resident logs in reaches them with its code.
    """

    code = "delivery.refused"


@attrs.frozen(kw_only=True)
class InboxItem:
    id: UUID
    kind: str
    title: str
    body: str
    created_at: datetime
    read_at: datetime | None


class Inbox(Protocol):
    """The residents' inbox as a read model."""

    def messages(self, tenant_id: UUID, resident_id: UUID, limit: int) -> list[InboxItem]:
        """Newest first."""
        ...


def my_inbox(inbox: Inbox, actor: Actor, tenant_id: UUID, *, limit: int = 50) -> list[InboxItem]:
    """我的消息: a resident reads their own inbox, and only their own."""
    if not isinstance(actor, ResidentActor):
        raise PermissionDenied("permission.resident_only", "only a resident has an inbox")
    return inbox.messages(tenant_id, actor.resident_id, limit)
