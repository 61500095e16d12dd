"""The file-storage port: repair and complaint photos live outside the database (DESIGN.md §5).

The core keeps only the key a storage returned; entrypoints store the bytes of an upload and
serve them back. Keys are opaque to everything but the storage that made them. Runtime
checkable, so a web framework that checks its dependencies' types accepts any adapter.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable
from uuid import UUID


@runtime_checkable
class FileStorage(Protocol):
    def save(self, tenant_id: UUID, content: bytes, suffix: str) -> str:
        """Store ``content`` for one tenant; returns a new key (``suffix`` like ``.jpg``)."""
        ...

    def exists(self, tenant_id: UUID, key: str) -> bool:
        """Whether this tenant holds ``key``."""
        ...

    def load(self, tenant_id: UUID, key: str) -> bytes | None:
        """The content of ``key`` in this tenant, or None when the tenant holds no such key."""
        ...
