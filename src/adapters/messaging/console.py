"""The console channel: writes each message as one line instead of sending it.

For development, where a developer reads what residents would receive, and for tests, which
read the lines back (:attr:`ConsoleChannel.sent`, or the stream a subprocess writes to). The
line carries the idempotency key, so a duplicate send would show. Never configure it in
production.
"""

from __future__ import annotations

import sys
import threading
from typing import TextIO
from uuid import UUID

from estate_core.shared.messaging import Recipient, ResidentMessage


class ConsoleChannel:
    """A :class:`~estate_core.shared.messaging.MessageChannel` printing to a text stream."""

    name = "console"

    def __init__(self, stream: TextIO | None = None) -> None:
        self._stream = stream
        self._lock = threading.Lock()
        self._sent: list[tuple[str, ResidentMessage]] = []

    @property
    def sent(self) -> list[tuple[str, ResidentMessage]]:
        """(idempotency key, message) of every send, in order."""
        with self._lock:
            return list(self._sent)

    def send(
        self, tenant_id: UUID, recipient: Recipient, message: ResidentMessage, key: str
    ) -> bool:
        stream = self._stream or sys.stdout
        with self._lock:
            self._sent.append((key, message))
            stream.write(f"message {key} to {recipient.resident_id}: {message.title}\n")
            stream.flush()
        return True
