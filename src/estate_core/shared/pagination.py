"""Keyset (cursor) pagination for every list query.

A cursor is an opaque string made from the sort key of the last row of a page, so the next page
is ``WHERE key > cursor ORDER BY key LIMIT n``: page 10,000 costs what page 1 costs.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Iterable, Sequence
from typing import Any, Generic, TypeVar

import attrs

from estate_core.shared.errors import InvalidInput

T = TypeVar("T")

MAX_PAGE_SIZE = 200


def _check_limit(instance: PageRequest, attribute: attrs.Attribute[int], value: int) -> None:
    if not 1 <= value <= MAX_PAGE_SIZE:
        raise InvalidInput("page.invalid_limit", f"limit must be between 1 and {MAX_PAGE_SIZE}")


@attrs.frozen(kw_only=True)
class PageRequest:
    limit: int = attrs.field(default=20, validator=_check_limit)
    after: str | None = None


@attrs.frozen(kw_only=True)
class Page(Generic[T]):
    items: Sequence[T]
    next_cursor: str | None


def encode_cursor(key: Sequence[Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(list(key), default=str).encode()).decode()


def decode_cursor(cursor: str) -> list[Any]:
    try:
        key = json.loads(base64.urlsafe_b64decode(cursor.encode()))
    except ValueError:
        raise InvalidInput(
            "page.invalid_cursor", "the cursor is not one this service gave"
        ) from None
    if not isinstance(key, list):
        raise InvalidInput("page.invalid_cursor", "the cursor is not one this service gave")
    return key


def paginate(
    items: Iterable[T], key: Callable[[T], Sequence[Any]], request: PageRequest
) -> Page[T]:
    """Keyset pagination over an in-memory collection (memory adapters, small read models).

    ``key`` must be unique per item and made of values that survive a JSON round trip as
    strings or numbers (ids and times are compared as their ``str``).
    """

    def comparable(item: T) -> list[Any]:
        return [part if isinstance(part, int | str) else str(part) for part in key(item)]

    ordered = sorted(items, key=comparable)
    if request.after is not None:
        after = decode_cursor(request.after)
        ordered = [item for item in ordered if comparable(item) > after]
    page = ordered[: request.limit]
    has_more = len(ordered) > request.limit
    next_cursor = encode_cursor(comparable(page[-1])) if has_more and page else None
    return Page(items=page, next_cursor=next_cursor)
