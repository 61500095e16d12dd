"""Free text where it enters the core: one check of a field's length and characters (issue 15).

Each field's maximum is declared once, next to its aggregate (``BUILDING_MAX``...), and the
table's column is declared from the same constant, so the core refuses what the database could
not store instead of a driver failing half-way through a write.
"""

from __future__ import annotations

import re

from estate_core.shared.errors import InvalidInput

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
"""C0 and C1 control characters: never part of a name or an address, and PostgreSQL refuses NUL."""


def check_text(value: str, code: str, what: str, max_length: int, *, required: bool = True) -> str:
    """``value`` stripped, if it has at most ``max_length`` characters and no control character
    (and is not empty when ``required``); else ``InvalidInput(code)`` naming the limit."""
    text = value.strip()
    if (required and not text) or len(text) > max_length:
        least = 1 if required else 0
        raise InvalidInput(code, f"{what} is {least} to {max_length} characters")
    if _CONTROL.search(text):
        raise InvalidInput(code, f"{what} may not contain control characters")
    return text
