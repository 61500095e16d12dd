"""Shaping answers: the core's frozen read models into the API's msgspec structs.

``view`` copies a read model's attributes into a struct by field name (msgspec's
``from_attributes``), so a struct declares only what the API shows; ``paged`` does it for a
keyset page. Money shows as ``{"fen": 1234}``: whole fen, never a float.
"""

from __future__ import annotations

from typing import Any, TypeVar

import msgspec

from adapters.sms.console import mask_phone
from entrypoints.http.schemas import PageOf
from estate_core.shared.pagination import Page, PageRequest

S = TypeVar("S", bound=msgspec.Struct)


def view(kind: type[S], source: object, **overrides: Any) -> S:
    built = msgspec.convert(source, kind, from_attributes=True)
    return msgspec.structs.replace(built, **overrides) if overrides else built


def paged(kind: type[S], page: Page[Any]) -> PageOf[S]:
    return PageOf(items=[view(kind, item) for item in page.items], next_cursor=page.next_cursor)


def page_request(limit: int, after: str | None) -> PageRequest:
    """The ``limit`` and ``after`` query parameters of every list."""
    return PageRequest(limit=limit, after=after)


def masked(phone: str) -> str:
    """Responses never show a whole phone number (DESIGN.md §9)."""
    return mask_phone(phone)
