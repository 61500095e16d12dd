"""``POST /uploads``: a repair or complaint photo, before the work order or complaint that
names it. Photos are served back through the work order or complaint that holds them
(``photo_response``), so whoever may see the record may see its photos, and nobody else."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Annotated
from uuid import UUID

from litestar import Response, Router, post
from litestar.datastructures import UploadFile
from litestar.di import NamedDependency
from litestar.enums import RequestEncodingType
from litestar.params import Body

from entrypoints.config import Settings
from entrypoints.http.auth import Caller
from entrypoints.http.schemas.service import UploadView
from entrypoints.http.uploads import sniff, store_photo
from estate_core.shared.errors import NotFound
from estate_core.shared.files import FileStorage


@dataclass
class PhotoForm:
    """The multipart form of an upload: the photo in the field ``data``."""

    data: UploadFile


def photo_response(
    files: FileStorage, tenant_id: UUID, key: str, keys: Sequence[str]
) -> Response[bytes]:
    """The photo ``key`` of a record the caller may see, whose photos are ``keys``."""
    content = files.load(tenant_id, key) if key in keys else None
    if content is None:
        raise NotFound("upload.not_found", "no such photo")
    media_type, _ = sniff(content)
    return Response(content, media_type=media_type)


@post("/uploads", sync_to_thread=True, summary="Upload a photo (JPEG, PNG or WebP)")
def upload(
    data: Annotated[PhotoForm, Body(media_type=RequestEncodingType.MULTI_PART)],
    caller: NamedDependency[Caller],
    files: NamedDependency[FileStorage],
    settings: NamedDependency[Settings],
) -> UploadView:
    content = data.data.file.read(settings.upload_max_bytes + 1)
    key = store_photo(files, caller.tenant_id, content, settings.upload_max_bytes)
    media_type, _ = sniff(content)
    return UploadView(key=key, media_type=media_type, size=len(content))


router = Router(path="", route_handlers=[upload], tags=["uploads"])
