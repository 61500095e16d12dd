"""Delivering residents' messages: each push channel once per message, by idempotency key, then
the inbox in the transaction that marks the event done.

The inbox row is written in the transaction that marks the event done, so it exists exactly
once. A push leaves the database, so it cannot join that transaction: it happens first, and its
idempotency key (event, resident, kind, channel) is looked up before sending and recorded,
committed, right after the send. A job run again after a crash skips what was recorded; only
a crash between a provider's acceptance and that record (milliseconds) can repeat a push, and
the key is passed to the provider too, for those that deduplicate.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.engine import Connection

from adapters.persistence.sqlalchemy.audience import SqlRecipients
from adapters.persistence.sqlalchemy.deliveries import SqlDeliveries
from adapters.persistence.sqlalchemy.inbox import write_inbox
from entrypoints.worker.runner import Finish, JobContext
from estate_core.shared.messaging import MessageChannel, ResidentMessage


class Postman:
    """Sends the messages an event produced: inbox always, then every configured channel."""

    def __init__(
        self,
        deliveries: SqlDeliveries,
        recipients: SqlRecipients,
        channels: Sequence[MessageChannel],
    ) -> None:
        self.deliveries = deliveries
        self.recipients = recipients
        self.channels = list(channels)

    def deliver(self, context: JobContext, messages: Sequence[ResidentMessage]) -> Finish:
        """Push every message now; the returned finish writes them to the inbox."""
        tenant_id = context.item.tenant_id
        self._push(context, messages)

        def to_inbox(connection: Connection) -> None:
            for message in messages:
                source = _key(context, message)
                write_inbox(connection, tenant_id, message, source, context.now)

        return to_inbox

    def _push(self, context: JobContext, messages: Sequence[ResidentMessage]) -> None:
        tenant_id = context.item.tenant_id
        if not self.channels:
            return
        for message in messages:
            recipient = self.recipients.find(tenant_id, message.resident_id)
            if recipient is None:
                continue
            for channel in self.channels:
                key = f"{_key(context, message)}:{channel.name}"
                if self.deliveries.delivered(tenant_id, key):
                    continue
                if channel.send(tenant_id, recipient, message, key):
                    self.deliveries.record(
                        tenant_id, key, channel.name, str(recipient.resident_id), context.now
                    )


def _key(context: JobContext, message: ResidentMessage) -> str:
    """Event (or job slot), resident, kind and subject: one message, however often it runs."""
    return f"{context.item.id}:{message.resident_id}:{message.kind}:{message.about}"
