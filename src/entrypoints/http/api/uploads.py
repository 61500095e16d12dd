"""``POST /uploads``: a repair or complaint photo, before the work order or complaint that
names it; ``GET /uploads/{key}`` serves it back to callers of the same tenant."""

from __future__ import annotations

from typing import Annotated

from litestar import Response, Router, get, post
from litestar.datastructures import UploadFile
from litestar.di import NamedDependency
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath

from entrypoints.config import Settings
from entrypoints.http.auth import Caller
from entrypoints.http.schemas.service import UploadView
from entrypoints.http.uploads import sniff, store_photo
from estate_core.shared.errors import NotFound
from estate_core.shared.files import FileStorage


@post("/uploads", sync_to_thread=True, summary="Upload a photo (JPEG, PNG or WebP)")
def upload(
    data: Annotated[UploadFile, Body(media_type=RequestEncodingType.MULTI_PART)],
    caller: NamedDependency[Caller],
    files: NamedDependency[FileStorage],
    settings: NamedDependency[Settings],
) -> UploadView:
    content = data.file.read(settings.upload_max_bytes + 1)
    key = store_photo(files, caller.tenant_id, content, settings.upload_max_bytes)
    media_type, _ = sniff(content)
    return UploadView(key=key, media_type=media_type, size=len(content))


@get("/uploads/{key:str}", sync_to_thread=True, summary="A photo uploaded in my company")
def download(
    key: FromPath[str], caller: NamedDependency[Caller], files: NamedDependency[FileStorage]
) -> Response[bytes]:
    content = files.load(caller.tenant_id, key)
    if content is None:
        raise NotFound("upload.not_found", "no such photo")
    media_type, _ = sniff(content)
    return Response(content, media_type=media_type)


router = Router(path="", route_handlers=[upload, download], tags=["uploads"])
