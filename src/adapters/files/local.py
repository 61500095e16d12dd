"""Photos in a local directory: ``<root>/<tenant id>/<random key><suffix>``.

Keys are random (``secrets``), so one tenant's key never names another tenant's file and a
key cannot be guessed from another; a key that is not of our shape is refused before any path is
built, so no key reaches outside the tenant's directory.
"""

from __future__ import annotations

import os
import re
import secrets
from pathlib import Path
from uuid import UUID

_KEY = re.compile(r"^[A-Za-z0-9_-]{22,64}\.[a-z0-9]{1,5}$")
_SUFFIX = re.compile(r"^\.[a-z0-9]{1,5}$")


class LocalFileStorage:
    """A :class:`~estate_core.shared.files.FileStorage` on one directory."""

    def __init__(self, root: Path) -> None:
        self._root = root

    def save(self, tenant_id: UUID, content: bytes, suffix: str) -> str:
        if not _SUFFIX.match(suffix):
            raise ValueError(f"not a file suffix: {suffix!r}")
        directory = self._root / str(tenant_id)
        directory.mkdir(parents=True, exist_ok=True)
        key = secrets.token_urlsafe(24) + suffix
        partial = directory / f".{key}.partial"
        partial.write_bytes(content)
        os.replace(partial, directory / key)
        return key

    def exists(self, tenant_id: UUID, key: str) -> bool:
        return bool(_KEY.match(key)) and (self._root / str(tenant_id) / key).is_file()

    def load(self, tenant_id: UUID, key: str) -> bytes | None:
        if not _KEY.match(key):
            return None
        path = self._root / str(tenant_id) / key
        return path.read_bytes() if path.is_file() else None
