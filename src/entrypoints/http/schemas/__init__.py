"""msgspec structs of the API: camelCase on the wire; request bodies refuse unknown fields, so
no client can slip a tenant, an amount or a status into a command (no mass assignment)."""

from __future__ import annotations

from typing import Generic, TypeVar

import msgspec

T = TypeVar("T")


class Body(msgspec.Struct, rename="camel", forbid_unknown_fields=True):
    """Base of every request body."""


class View(msgspec.Struct, rename="camel"):
    """Base of every response body: a read model, never a stored entity."""


class PageOf(View, Generic[T]):
    """One page of a keyset-paginated list; pass ``nextCursor`` as ``after`` for the next."""

    items: list[T]
    next_cursor: str | None
