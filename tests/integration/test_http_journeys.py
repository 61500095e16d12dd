"""A resident's and a staff member's day through the real web service, on SQLite and
PostgreSQL: every step an HTTP request to uvicorn on 127.0.0.1, every answer checked."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from http_service import (
    DEMO_ADMIN,
    DEMO_OWNER,
    DEMO_TECHNICIAN,
    DEMO_UNBOUND_OWNER,
    Service,
    bearer,
    running_service,
)
from sqlalchemy.engine import URL

from estate_core.shared.clock import local_date
from estate_core.shared.ids import new_id

PNG = b"\x89PNG\r\n\x1a\n" + bytes(200)


@pytest.fixture
def service(database: URL, tmp_path: Path, mapped: None) -> Iterator[Service]:
    with running_service(database, tmp_path) as running:
        yield running


def _ok(answer: Any, status: int = 200) -> Any:
    assert answer.status_code == status, answer.text
    return answer.json() if answer.content else None


def _upload(service: Service, token: str) -> str:
    uploaded = _ok(
        service.client.post(
            "/api/v1/uploads", files={"data": ("leak.png", PNG, "image/png")}, headers=bearer(token)
        ),
        201,
    )
    assert uploaded["mediaType"] == "image/png"
    key: str = uploaded["key"]
    return key


def test_a_resident_binds_a_home_sees_bills_reports_a_repair_and_complains(
    service: Service,
) -> None:
    tenant = new_id()
    service.demo_company(tenant)
    token = service.login_resident(DEMO_UNBOUND_OWNER, tenant)
    get = lambda path: service.client.get(path, headers=bearer(token))  # noqa: E731
    community = _ok(get("/api/v1/communities"))["items"][0]
    assert community["name"] == "阳光花园"
    home = _ok(
        service.client.post(
            "/api/v1/properties/claim",
            json={
                "communityId": community["id"],
                "building": "1",
                "unit": "1",
                "room": "102",
                "ownerName": "王芳",
                "ownerPhone": DEMO_UNBOUND_OWNER,
            },
            headers=bearer(token),
        ),
        201,
    )["propertyId"]
    mine = _ok(get("/api/v1/properties/mine"))
    assert [(h["address"], h["role"]) for h in mine] == [("1-1-102", "owner")]
    due = _ok(get(f"/api/v1/properties/{home}/bills?view=due"))["items"]
    assert [bill["feeItemName"] for bill in due] == ["物业费"]
    assert due[0]["amountDue"] == {"fen": 33600}

    photo = _upload(service, token)
    order = _ok(
        service.client.post(
            "/api/v1/work-orders",
            json={
                "propertyId": home,
                "category": "水电",
                "description": "卫生间漏水",
                "photos": [photo],
            },
            headers=bearer(token),
        ),
        201,
    )["id"]
    assert [o["id"] for o in _ok(get("/api/v1/work-orders/mine"))["items"]] == [order]
    detail = _ok(get(f"/api/v1/work-orders/{order}"))
    assert (detail["status"], detail["photos"]) == ("pending", [photo])
    assert get(f"/api/v1/work-orders/{order}/photos/{photo}").content == PNG
    _ok(
        service.client.post(
            f"/api/v1/work-orders/{order}/cancel",
            json={"note": "已自行修好"},
            headers=bearer(token),
        ),
        204,
    )
    assert _ok(get(f"/api/v1/work-orders/{order}"))["status"] == "cancelled"

    complaint = _ok(
        service.client.post(
            "/api/v1/complaints",
            json={
                "propertyId": home,
                "kind": "complaint",
                "category": "environment",
                "text": "楼道垃圾无人清理",
            },
            headers=bearer(token),
        ),
        201,
    )["id"]
    assert [c["id"] for c in _ok(get("/api/v1/complaints/mine"))["items"]] == [complaint]

    _ok(
        service.client.post(
            f"/api/v1/properties/{home}/members",
            json={"phone": "13812345678", "name": "王小明", "role": "family"},
            headers=bearer(token),
        ),
        201,
    )
    members = _ok(get(f"/api/v1/properties/{home}/members"))
    assert [(m["name"], m["phone"], m["role"]) for m in members] == [
        ("王芳", "138****8002", "owner"),
        ("王小明", "138****5678", "family"),
    ]


def test_staff_register_bill_void_dispatch_complete_and_answer_a_complaint(
    service: Service,
) -> None:
    tenant = new_id()
    service.demo_company(tenant)
    admin = service.login_staff(DEMO_ADMIN, tenant)
    owner = service.login_resident(DEMO_OWNER, tenant)

    def call(method: str, path: str, token: str = admin, status: int = 200, **body: Any) -> Any:
        answer = service.client.request(
            method, f"/api/v1{path}", json=body or None, headers=bearer(token)
        )
        return _ok(answer, status)

    community = call("GET", "/communities")["items"][0]["id"]
    homes = call("GET", f"/communities/{community}/properties")["items"]
    assert [(h["address"], h["ownerPhone"]) for h in homes] == [
        ("1-1-101", "138****8001"),
        ("1-1-102", "138****8002"),
        ("2-1-301", "138****8003"),
    ]
    shop = call(
        "POST",
        f"/communities/{community}/properties",
        status=201,
        kind="shop",
        building="3",
        unit="",
        room="S01",
        area="52.00",
    )["id"]
    call("PUT", f"/properties/{shop}/owner", status=204, name="赵敏", phone="13912340000")

    period = local_date(datetime.now(UTC)).replace(day=1).isoformat()
    call(
        "POST",
        f"/communities/{community}/fee-items",
        status=201,
        name="垃圾清运费",
        category="other",
        calculation="fixed",
        unitPrice="20.00",
        propertyKinds=["residence", "shop"],
        firstPeriodStart=period,
        dueRule={"kind": "days_after_start", "value": 15},
    )
    first = call("POST", f"/communities/{community}/billing-runs", status=201, periodStart=period)
    again = call("POST", f"/communities/{community}/billing-runs", status=201, periodStart=period)
    assert (first["issued"], again["issued"], again["alreadyIssued"]) == (4, 0, 7)
    unpaid = call("GET", f"/communities/{community}/bills?status=unpaid&limit=200")["items"]
    shop_bills = [bill for bill in unpaid if bill["propertyId"] == shop]
    assert [bill["amountDue"] for bill in shop_bills] == [{"fen": 2000}]
    call("POST", f"/bills/{shop_bills[0]['billId']}/void", status=204, reason="商铺未交付")
    assert (
        call("GET", f"/communities/{community}/bills?status=void")["items"][0]["billId"]
        == (shop_bills[0]["billId"])
    )

    home = call("GET", "/properties/mine", token=owner)[0]["propertyId"]
    order = call(
        "POST",
        "/work-orders",
        token=owner,
        status=201,
        propertyId=home,
        category="门窗",
        description="入户门锁坏了",
    )["id"]
    pending = call("GET", f"/communities/{community}/work-orders?status=pending")["items"]
    assert [o["id"] for o in pending] == [order]
    technician_id = str(service.staff_actor(tenant, DEMO_TECHNICIAN).staff_id)
    arrival = (datetime.now(UTC) + timedelta(hours=2)).isoformat()
    call(
        "POST",
        f"/work-orders/{order}/dispatch",
        status=204,
        technicianId=technician_id,
        expectedArrival=arrival,
    )
    technician = service.login_staff(DEMO_TECHNICIAN, tenant)
    assert order in [o["id"] for o in call("GET", "/work-orders/queue", token=technician)["items"]]
    call("POST", f"/work-orders/{order}/accept", token=technician, status=204, expectedArrival=None)
    photo = _upload(service, technician)
    call(
        "POST",
        f"/work-orders/{order}/complete",
        token=technician,
        status=204,
        photos=[photo],
        note="已更换锁芯",
    )
    call("POST", f"/work-orders/{order}/rate", token=owner, status=204, stars=5, text="很快")
    call("POST", f"/work-orders/{order}/visit", status=204, note="业主满意")
    done = call("GET", f"/work-orders/{order}")
    assert (done["status"], done["completionPhotos"], done["rating"]["stars"]) == (
        "closed",
        [photo],
        5,
    )
    assert done["visit"]["note"] == "业主满意"

    complaint = call(
        "POST",
        "/complaints",
        token=owner,
        status=201,
        propertyId=home,
        kind="complaint",
        category="security",
        text="夜间巡逻太少",
    )["id"]
    call("POST", f"/complaints/{complaint}/accept", status=204)
    call("POST", f"/complaints/{complaint}/reply", status=204, text="已增加夜间巡逻班次")
    call("POST", f"/complaints/{complaint}/rate", token=owner, status=204, stars=4)
    answered = call("GET", f"/complaints/{complaint}", token=owner)
    assert [reply["text"] for reply in answered["replies"]] == ["已增加夜间巡逻班次"]
    assert answered["rating"]["stars"] == 4
