"""Community life through the real web service, on SQLite and PostgreSQL: staff publish a
notice (moderation refuses an advert first), organise an activity and check a party in; a
resident reads the notice, signs up and cancels, registers a visitor, fetches the QR code and
the guard admits the visitor with its token."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from http_service import DEMO_ADMIN, DEMO_OWNER, Service, bearer, running_service
from sqlalchemy.engine import URL

from estate_core.shared.ids import new_id

API = "/api/v1"


@pytest.fixture
def service(database: URL, tmp_path: Path, mapped: None) -> Iterator[Service]:
    with running_service(database, tmp_path) as running:
        yield running


def _ok(answer: Any, status: int = 200) -> Any:
    assert answer.status_code == status, answer.text
    return answer.json() if answer.content else None


def test_notices_activities_and_visitor_passes(service: Service) -> None:
    tenant = new_id()
    service.demo_company(tenant)
    admin, owner = (
        service.login_staff(DEMO_ADMIN, tenant),
        service.login_resident(DEMO_OWNER, tenant),
    )

    def call(method: str, path: str, who: str, status: int = 200, **body: Any) -> Any:
        json = body or ({} if method in {"POST", "PUT"} else None)
        return _ok(
            service.client.request(method, API + path, json=json, headers=bearer(who)), status
        )

    community = call("GET", "/communities", admin)["items"][0]["id"]
    advert = call(
        "POST",
        "/notices",
        admin,
        201,
        kind="general",
        title="便民服务",
        body="代开发票，联系电话见楼下",
        communityIds=[community],
    )["id"]
    refused = service.client.post(f"{API}/notices/{advert}/publish", json={}, headers=bearer(admin))
    assert refused.status_code == 409
    assert refused.json()["code"] == "notice.rejected_by_moderation"
    assert "代开发票" in refused.json()["reason"]
    notice = call(
        "POST",
        "/notices",
        admin,
        201,
        kind="urgent",
        title="停水通知",
        body="明日 9 点停水",
        communityIds=[community],
    )["id"]
    assert call("POST", f"/notices/{notice}/publish", admin) == {"state": "published"}
    states = {
        n["id"]: n["state"]
        for n in call("GET", f"/communities/{community}/notices/all", admin)["items"]
    }
    assert states == {advert: "draft", notice: "published"}

    listed = call("GET", f"/communities/{community}/notices", owner)["items"]
    assert [(n["title"], n["read"]) for n in listed] == [("停水通知", False)]
    assert call("POST", f"/notices/{notice}/read", owner)["read"] is True
    assert call("GET", f"/communities/{community}/notices", owner)["items"][0]["read"] is True
    reach = call("GET", f"/notices/{notice}/reach", admin)
    assert (reach["audienceReaders"], reach["readers"]) == (1, 1)
    assert 0 < float(reach["rate"]) <= 1

    soon = datetime.now(UTC) + timedelta(minutes=20)
    activity = call(
        "POST",
        f"/communities/{community}/activities",
        admin,
        201,
        title="中秋游园",
        capacity=10,
        startsAt=(soon + timedelta(minutes=10)).isoformat(),
        endsAt=(soon + timedelta(hours=3)).isoformat(),
        signUpDeadline=soon.isoformat(),
    )["id"]
    signed = call("POST", f"/activities/{activity}/sign-up", owner, headCount=3)
    assert (signed["myHeadCount"], signed["placesLeft"]) == (3, 7)
    call("DELETE", f"/activities/{activity}/sign-up", owner, 204)
    mine = call("GET", f"/communities/{community}/activities", owner)["items"]
    assert [(a["id"], a["myHeadCount"], a["placesLeft"]) for a in mine] == [(activity, None, 10)]
    call("POST", f"/activities/{activity}/sign-up", owner, headCount=2)
    sign_ups = call("GET", f"/activities/{activity}/sign-ups", admin)["items"]
    assert [(s["headCount"], s["status"]) for s in sign_ups] == [(2, "signed_up")]
    assert "*" in sign_ups[0]["phone"]
    counts = call(
        "POST", f"/activities/{activity}/check-in", admin, residentId=sign_ups[0]["residentId"]
    )
    assert (counts["checkedInPeople"], counts["placesLeft"]) == (2, 8)
    assert call("GET", f"/activities/{activity}/counts", admin)["checkedInSignUps"] == 1

    home = call("GET", "/properties/mine", owner)[0]["propertyId"]
    issued = call(
        "POST",
        "/visitor-passes",
        owner,
        201,
        propertyId=home,
        visitorName="张三",
        visitorPhone="13912345678",
        headCount=2,
        maxEntries=1,
    )
    png = service.client.get(
        f"{API}/visitor-passes/{issued['passId']}/qr.png", headers=bearer(owner)
    )
    assert (png.status_code, png.headers["content-type"]) == (200, "image/png")
    assert png.content.startswith(b"\x89PNG\r\n\x1a\n")
    svg = service.client.get(
        f"{API}/visitor-passes/{issued['passId']}/qr.svg", headers=bearer(owner)
    )
    assert svg.headers["content-type"].startswith("image/svg+xml")
    assert svg.text.startswith("<svg")
    gate = call(
        "POST", "/visitor-passes/verify", admin, token=issued["token"], communityId=community
    )
    assert (gate["visitorName"], gate["entriesLeft"], gate["visitorPhone"]) == (
        "张三",
        0,
        "139****5678",
    )
    again = service.client.post(
        f"{API}/visitor-passes/verify", json={"token": issued["token"]}, headers=bearer(admin)
    )
    assert again.status_code == 409
    history = call("GET", "/visitor-passes/mine", owner)["items"]
    assert [(p["id"], len(p["entries"]), p["token"]) for p in history] == [
        (issued["passId"], 1, issued["token"])
    ]
    call("POST", f"/visitor-passes/{issued['passId']}/revoke", owner, 204)
    log = call("GET", f"/communities/{community}/visitor-passes", admin)["items"]
    assert [(p["state"], p["token"]) for p in log] == [("revoked", None)]
