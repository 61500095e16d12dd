"""Photo uploads: the size limit, the content sniffed (JPEG, PNG or WebP only, whatever the
client claims), stored through the file-storage port under the caller's tenant.

A work order or complaint then names its photos by the keys an upload returned; a key another
tenant holds, or none, is refused (``upload.unknown``).
"""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

from estate_core.shared.errors import InvalidInput
from estate_core.shared.files import FileStorage

MAX_PHOTOS = 9

_SIGNATURES = (
    (b"\xff\xd8\xff", "image/jpeg", ".jpg"),
    (b"\x89PNG\r\n\x1a\n", "image/png", ".png"),
)


class UploadTooLarge(InvalidInput):
    code = "upload.too_large"


def sniff(content: bytes) -> tuple[str, str]:
    """The media type and suffix the bytes are, or ``upload.unsupported_type``."""
    for signature, media_type, suffix in _SIGNATURES:
        if content.startswith(signature):
            return media_type, suffix
    if len(content) >= 12 and content[:4] == b"RIFF" and content[8:12] == b"WEBP":
        return "image/webp", ".webp"
    raise InvalidInput("upload.unsupported_type", "only JPEG, PNG and WebP photos are accepted")


def store_photo(files: FileStorage, tenant_id: UUID, content: bytes, max_bytes: int) -> str:
    if len(content) > max_bytes:
        raise UploadTooLarge(f"a photo may be at most {max_bytes} bytes")
    if not content:
        raise InvalidInput("upload.empty", "the upload is empty")
    _, suffix = sniff(content)
    return files.save(tenant_id, content, suffix)


def require_photos(files: FileStorage, tenant_id: UUID, keys: Sequence[str]) -> tuple[str, ...]:
    """The photo keys of a command, each one this tenant uploaded."""
    if len(keys) > MAX_PHOTOS:
        raise InvalidInput("upload.too_many", f"at most {MAX_PHOTOS} photos")
    for key in keys:
        if not files.exists(tenant_id, key):
            raise InvalidInput("upload.unknown", f"no uploaded photo has the key {key!r}")
    return tuple(keys)
