"""The authorisation sweep, generated from the app's route table: every route that names an
object (in its path or its body) is called as a resident of another household, a resident and
an administrator of another company, a staff member outside the data scope and a staff member
without the permission. Each answer must be the designed 404 or 403 and the database must be
unchanged after each call. A route the sweep does not know fails the test, so a new route has
to be classified here before it can ship.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import attrs
import pytest
import sqlalchemy as sa
from http_service import (
    DEMO_ADMIN,
    DEMO_OWNER,
    DEMO_TECHNICIAN,
    DEMO_UNBOUND_OWNER,
    Service,
    bearer,
    running_service,
)
from litestar import Litestar
from sqlalchemy.engine import URL

from adapters.persistence.sqlalchemy import metadata
from entrypoints.http.app import create_app
from estate_core.shared.ids import new_id

API = "/api/v1"
OTHER_OWNER = "13800138003"
PNG = b"\x89PNG\r\n\x1a\n" + bytes(64)
ARRIVAL = (datetime.now(UTC) + timedelta(hours=3)).isoformat()

NO_OBJECT_ROUTES = {
    ("POST", "/auth/codes"),
    ("POST", "/auth/resident/login"),
    ("POST", "/auth/resident/select"),
    ("POST", "/auth/staff/login"),
    ("POST", "/auth/staff/select"),
    ("POST", "/auth/logout"),
    ("PUT", "/auth/staff/password"),
    ("GET", "/me"),
    ("PATCH", "/me"),
    ("POST", "/me/phone/codes"),
    ("POST", "/me/phone"),
    ("GET", "/communities"),
    ("POST", "/communities"),
    ("GET", "/staff"),
    ("POST", "/staff"),
    ("GET", "/roles"),
    ("POST", "/roles"),
    ("GET", "/properties/mine"),
    ("GET", "/work-orders/mine"),
    ("GET", "/work-orders/queue"),
    ("GET", "/complaints/mine"),
    ("POST", "/uploads"),
}
"""Routes that act only on the caller's own account or tenant, or create a new object.

``POST /properties/claim`` is here too: it names a home by address and proves ownership with
the owner's phone, which the household-binding rules test (another person's claim is refused).
"""
NO_OBJECT_ROUTES.add(("POST", "/properties/claim"))

BODIES: dict[tuple[str, str], dict[str, Any]] = {
    ("PUT", "/communities/{community_id}"): {"name": "改名小区", "address": "x"},
    ("POST", "/residents/{resident_id}/disable"): {"reason": "测试"},
    ("PUT", "/staff/{staff_id}/access"): {"roles": ["manager"]},
    ("POST", "/staff/{staff_id}/disable"): {"reason": "测试"},
    ("POST", "/properties/{property_id}/members"): {
        "phone": "13898765432",
        "name": "外人",
        "role": "family",
    },
    ("POST", "/communities/{community_id}/properties"): {
        "kind": "residence",
        "building": "9",
        "unit": "9",
        "room": "909",
        "area": "10.00",
    },
    ("PUT", "/properties/{property_id}/owner"): {"name": "冒名", "phone": "13898765432"},
    ("POST", "/communities/{community_id}/fee-items"): {
        "name": "新费",
        "category": "other",
        "calculation": "fixed",
        "unitPrice": "1.00",
        "propertyKinds": ["residence"],
        "firstPeriodStart": "2026-01-01",
        "dueRule": {"kind": "days_after_start", "value": 10},
    },
    ("POST", "/meter-readings"): {
        "propertyId": "{property_id}",
        "feeItemId": "{fee_item_id}",
        "reading": "10",
        "readOn": "2026-01-01",
    },
    ("POST", "/communities/{community_id}/billing-runs"): {"periodStart": "2026-01-01"},
    ("POST", "/bills/{bill_id}/void"): {"reason": "测试"},
    ("POST", "/work-orders"): {
        "propertyId": "{property_id}",
        "category": "水电",
        "description": "冒名报修",
    },
    ("POST", "/work-orders/{work_order_id}/cancel"): {"note": "x"},
    ("POST", "/work-orders/{work_order_id}/rate"): {"stars": 1},
    ("POST", "/work-orders/{work_order_id}/approve"): {"note": "x"},
    ("POST", "/work-orders/{work_order_id}/reject"): {"reason": "x"},
    ("POST", "/work-orders/{work_order_id}/dispatch"): {
        "technicianId": "{staff_id}",
        "expectedArrival": ARRIVAL,
    },
    ("POST", "/work-orders/{work_order_id}/reassign"): {
        "technicianId": "{staff_id}",
        "expectedArrival": ARRIVAL,
    },
    ("POST", "/work-orders/{work_order_id}/accept"): {},
    ("POST", "/work-orders/{work_order_id}/complete"): {"photos": []},
    ("POST", "/work-orders/{work_order_id}/visit"): {"note": "x"},
    ("POST", "/complaints"): {
        "propertyId": "{property_id}",
        "kind": "complaint",
        "category": "other",
        "text": "冒名投诉",
    },
    ("POST", "/complaints/{complaint_id}/reopen"): {"reason": "x"},
    ("POST", "/complaints/{complaint_id}/rate"): {"stars": 1},
    ("POST", "/complaints/{complaint_id}/reply"): {"text": "x"},
    ("POST", "/complaints/{complaint_id}/visit"): {"note": "x"},
}
"""A valid body for every write route of the sweep, so an answer is about authorisation and
never about a malformed request. ``{name}`` is the id of the victim's object."""

BODY_OBJECT_ROUTES = {
    ("POST", "/meter-readings"),
    ("POST", "/work-orders"),
    ("POST", "/complaints"),
}
"""Routes with no id in their path whose body names an existing object."""

LEGITIMATE = {
    ("other_household", "GET", "/communities/{community_id}/public-fund"): (
        "a resident bound in the community reads its public funds (seed 001)"
    ),
}


def _template(path: str) -> str:
    return re.sub(r"\{(\w+):\w+\}", r"{\1}", path.removeprefix(API))


def api_routes(app: Litestar) -> list[tuple[str, str, Any]]:
    """(method, path template, handler) of every API route but the automatic OPTIONS."""
    found = []
    for route in app.routes:
        if not route.path.startswith(API):
            continue
        for handler in getattr(route, "route_handlers", []):
            for method in handler.http_methods:
                if method != "OPTIONS":
                    found.append((method, _template(route.path), handler))
    return sorted(found, key=lambda r: (r[1], r[0]))


@attrs.define
class World:
    ids: dict[str, str]
    tokens: dict[str, str]


def _ok(answer: Any, status: int = 200) -> Any:
    assert answer.status_code == status, answer.text
    return answer.json() if answer.content else None


def _world(service: Service) -> World:
    tenant, other_tenant = new_id(), new_id()
    service.demo_company(tenant)
    service.demo_company(other_tenant)
    client = service.client
    admin = service.login_staff(DEMO_ADMIN, tenant)
    owner = service.login_resident(DEMO_OWNER, tenant)
    neighbour = service.login_resident(DEMO_UNBOUND_OWNER, tenant)

    def post(path: str, token: str, status: int = 201, **body: Any) -> Any:
        return _ok(client.post(f"{API}{path}", json=body, headers=bearer(token)), status)

    community = _ok(client.get(f"{API}/communities", headers=bearer(admin)))["items"][0]["id"]
    elsewhere = post("/communities", admin, name="翠苑")["id"]
    post(
        "/staff",
        admin,
        name="外区经理",
        phone="13711110000",
        roles=["manager"],
        communityIds=[elsewhere],
    )
    post("/roles", admin, code="guard", name="门岗", permissions=["visitor.verify"])
    post("/staff", admin, name="门岗", phone="13722220000", roles=["guard"])
    home = _ok(client.get(f"{API}/properties/mine", headers=bearer(owner)))[0]["propertyId"]
    post(
        "/properties/claim",
        neighbour,
        communityId=community,
        building="1",
        unit="1",
        room="102",
        ownerName="王芳",
        ownerPhone=DEMO_UNBOUND_OWNER,
    )
    photo = _ok(
        client.post(
            f"{API}/uploads", files={"data": ("p.png", PNG, "image/png")}, headers=bearer(owner)
        ),
        201,
    )["key"]
    order = post(
        "/work-orders", owner, propertyId=home, category="水电", description="漏水", photos=[photo]
    )["id"]
    complaint = post(
        "/complaints",
        owner,
        propertyId=home,
        kind="complaint",
        category="other",
        text="噪音",
        photos=[photo],
    )["id"]
    bills = _ok(
        client.get(f"{API}/communities/{community}/bills?status=unpaid", headers=bearer(admin))
    )["items"]
    items = _ok(client.get(f"{API}/communities/{community}/fee-items", headers=bearer(admin)))
    resident = _ok(client.get(f"{API}/me", headers=bearer(owner)))["id"]
    return World(
        ids={
            "community_id": community,
            "property_id": home,
            "work_order_id": order,
            "complaint_id": complaint,
            "bill_id": bills[0]["billId"],
            "fee_item_id": items[0]["id"],
            "resident_id": resident,
            "staff_id": str(service.staff_actor(tenant, DEMO_TECHNICIAN).staff_id),
            "key": photo,
        },
        tokens={
            "other_household": neighbour,
            "other_tenant_resident": service.login_resident(OTHER_OWNER, other_tenant),
            "other_tenant_staff": service.login_staff_with_password(DEMO_ADMIN, other_tenant),
            "out_of_scope_staff": service.login_staff("13711110000", tenant),
            "no_permission_staff": service.login_staff("13722220000", tenant),
        },
    )


VOLATILE = {"auth_sessions", "sms_codes", "sms_throttles"}


def _snapshot(service: Service) -> dict[str, list[tuple[Any, ...]]]:
    with service.container.engine().connect() as connection:
        return {
            table.name: sorted(map(tuple, connection.execute(sa.select(table))), key=repr)
            for table in metadata.sorted_tables
            if table.name not in VOLATILE
        }


def _fill(value: Any, ids: dict[str, str]) -> Any:
    if isinstance(value, str):
        return value.format(**ids) if value.startswith("{") else value
    if isinstance(value, dict):
        return {key: _fill(item, ids) for key, item in value.items()}
    return value


def _expected(caller: str, handler: Any) -> set[int]:
    """404 where the caller's kind may use the route (the object is not theirs to know), 403
    where it may not (a resident on a staff route, a staff member lacking the permission).
    Staff outside their data scope get 403 ``permission.out_of_scope`` or, where the core
    hides the object, 404."""
    parameters = set(handler.parsed_fn_signature.parameters)
    resident_route = "resident" in parameters or "caller" in parameters
    staff_route = "staff" in parameters or "caller" in parameters
    if caller == "no_permission_staff":
        return {403}
    if caller == "out_of_scope_staff":
        return {403, 404}
    if caller == "other_tenant_staff":
        return {404} if staff_route else {403}
    if caller == "other_household":
        return {404} if resident_route else {403}
    return {404} if resident_route else {403, 404}


@pytest.fixture
def service(database: URL, tmp_path: Path, mapped: None) -> Iterator[Service]:
    with running_service(database, tmp_path) as running:
        yield running


def test_every_api_route_is_classified_for_the_sweep(tmp_path: Path) -> None:
    from entrypoints.config import Settings
    from entrypoints.container import build_container

    app = create_app(
        build_container(Settings(data_dir=tmp_path, database_url=None, secret_key="k" * 40))
    )
    unknown = []
    for method, path, handler in api_routes(app):
        named = "{" in path or (method, path) in BODY_OBJECT_ROUTES
        if not named and (method, path) not in NO_OBJECT_ROUTES:
            unknown.append(f"{method} {path}: add it to NO_OBJECT_ROUTES or give it an id")
        takes_body = "data" in handler.parsed_fn_signature.parameters
        if named and takes_body and (method, path) not in BODIES:
            unknown.append(f"{method} {path}: give the sweep a valid body in BODIES")
    assert unknown == []


def test_every_staff_route_declares_its_function_permission(tmp_path: Path) -> None:
    from entrypoints.config import Settings
    from entrypoints.container import build_container

    app = create_app(
        build_container(Settings(data_dir=tmp_path, database_url=None, secret_key="k" * 40))
    )
    undeclared = [
        f"{method} {path}"
        for method, path, handler in api_routes(app)
        if "staff" in handler.parsed_fn_signature.parameters
        and path != "/auth/staff/password"
        and "permission" not in handler.opt
    ]
    assert undeclared == []


def test_nobody_reaches_another_households_or_companys_objects(service: Service) -> None:
    world = _world(service)
    app = create_app(service.container)
    routes = [
        (method, path, handler)
        for method, path, handler in api_routes(app)
        if "{" in path or (method, path) in BODY_OBJECT_ROUTES
    ]
    wrong = []
    for caller, token in world.tokens.items():
        for method, path, handler in routes:
            if (caller, method, path) in LEGITIMATE:
                continue
            before = _snapshot(service)
            body = _fill(BODIES.get((method, path)), world.ids)
            answer = service.client.request(
                method,
                API + path.format(**world.ids),
                json=body,
                headers=bearer(token),
            )
            expected = _expected(caller, handler)
            if answer.status_code not in expected:
                wrong.append(f"{caller} {method} {path}: {answer.status_code} {answer.text[:120]}")
            if _snapshot(service) != before:
                wrong.append(f"{caller} {method} {path}: changed the database")
    assert wrong == [], "\n".join(wrong)
