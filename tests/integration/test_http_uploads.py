"""Photo uploads: the size limit, the sniffed content type, the keys a command may name
(the demo owner's one closed repair is all that stays in the list)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from http_service import DEMO_OWNER, Service, bearer, running_service
from sqlalchemy.engine import URL

from estate_core.shared.ids import new_id

LIMIT = 1024
WEBP = b"RIFF\x10\x00\x00\x00WEBPVP8 " + bytes(32)


@pytest.fixture
def service(database: URL, tmp_path: Path, mapped: None) -> Iterator[Service]:
    with running_service(database, tmp_path, upload_max_bytes=LIMIT) as running:
        yield running


def _stored(tmp_path: Path) -> list[Path]:
    return [path for path in (tmp_path / "files").rglob("*") if path.is_file()]


def test_photos_are_sniffed_limited_in_size_and_only_known_keys_are_accepted(
    service: Service, tmp_path: Path
) -> None:
    tenant = new_id()
    service.demo_company(tenant)
    token = service.login_resident(DEMO_OWNER, tenant)

    def upload(name: str, content: bytes, claimed: str) -> tuple[int, str]:
        answer = service.client.post(
            "/api/v1/uploads", files={"data": (name, content, claimed)}, headers=bearer(token)
        )
        return answer.status_code, answer.json().get("code", answer.json().get("mediaType"))

    assert upload("a.gif", b"GIF89a" + bytes(20), "image/png") == (
        422,
        "upload.unsupported_type",
    )
    assert upload("a.html", b"<html><script>", "image/jpeg") == (422, "upload.unsupported_type")
    assert upload("big.png", b"\x89PNG\r\n\x1a\n" + bytes(LIMIT), "image/png") == (
        413,
        "upload.too_large",
    )
    assert upload("empty.png", b"", "image/png") == (422, "upload.empty")
    assert _stored(tmp_path) == []
    assert upload("a.webp", WEBP, "application/octet-stream") == (201, "image/webp")
    assert len(_stored(tmp_path)) == 1

    home = service.client.get("/api/v1/properties/mine", headers=bearer(token)).json()[0]
    refused = service.client.post(
        "/api/v1/work-orders",
        json={
            "propertyId": home["propertyId"],
            "category": "水电",
            "description": "漏水",
            "photos": ["A4frEeWzsJYqGlO-69ST8gAo6DdPwpB1.png"],
        },
        headers=bearer(token),
    )
    assert (refused.status_code, refused.json()["code"]) == (422, "upload.unknown")
    orders = service.client.get("/api/v1/work-orders/mine", headers=bearer(token)).json()
    assert [order["status"] for order in orders["items"]] == ["closed"]
