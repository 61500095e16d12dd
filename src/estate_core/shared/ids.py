"""Time-ordered identifiers (UUID version 7, RFC 9562).

The first 48 bits are the Unix time in milliseconds, so new rows land at the end of a B-tree index
and ids sort roughly by creation time (useful as a keyset pagination tie-breaker).
"""

from __future__ import annotations

import secrets
import time
import uuid


def new_id() -> uuid.UUID:
    millis = time.time_ns() // 1_000_000
    value = (millis & ((1 << 48) - 1)) << 80
    value |= 0x7 << 76
    value |= secrets.randbits(12) << 64
    value |= 0b10 << 62
    value |= secrets.randbits(62)
    return uuid.UUID(int=value)
