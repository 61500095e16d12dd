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
from http_sweep_table import BODIES, BODY_OBJECT_ROUTES, LEGITIMATE, NO_OBJECT_ROUTES
from litestar import Litestar
from sqlalchemy.engine import URL

from adapters.persistence.sqlalchemy import metadata
from entrypoints.http.app import create_app
from estate_core.shared.ids import new_id

API = "/api/v1"
OTHER_OWNER = "13800138003"
PNG = b"\x89PNG\r\n\x1a\n" + bytes(64)
SOON = datetime.now(UTC) + timedelta(days=3)


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
    post("/roles", admin, code="frontdesk", name="前台", permissions=["payment.reconcile"])
    post("/staff", admin, name="前台", phone="13722220000", roles=["frontdesk"])
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
    notice = post(
        "/notices", admin, kind="general", title="停水", body="明日停水", propertyIds=[home]
    )
    post(f"/notices/{notice['id']}/publish", admin, 200)
    activity = post(
        f"/communities/{community}/activities",
        admin,
        title="包饺子",
        capacity=20,
        startsAt=(SOON + timedelta(days=1)).isoformat(),
        endsAt=(SOON + timedelta(days=1, hours=2)).isoformat(),
        signUpDeadline=SOON.isoformat(),
    )["id"]
    post(f"/activities/{activity}/sign-up", owner, 200, headCount=2)
    issued = post(
        "/visitor-passes", owner, propertyId=home, visitorName="张三", visitorPhone="13912345678"
    )
    commerce = _commerce(post, admin, owner, community, home)
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
            "notice_id": notice["id"],
            "activity_id": activity,
            "pass_id": issued["passId"],
            "pass_token": issued["token"],
            **commerce,
        },
        tokens={
            "other_household": neighbour,
            "other_tenant_resident": service.login_resident(OTHER_OWNER, other_tenant),
            "other_tenant_staff": service.login_staff_with_password(DEMO_ADMIN, other_tenant),
            "out_of_scope_staff": service.login_staff("13711110000", tenant),
            "no_permission_staff": service.login_staff("13722220000", tenant),
        },
    )


def _commerce(post: Any, admin: str, owner: str, community: str, home: str) -> dict[str, str]:
    """A merchant with a product, a campaign, the owner's coupon and cash-on-delivery order."""
    shop = {"name": "小卖部", "contact": "李", "address": "1 号楼", "tags": ["便利"]}
    merchant = post("/merchants", admin, communityIds=[community], details=shop)["id"]
    product = post(f"/merchants/{merchant}/products", admin, name="矿泉水", priceFen=200)["id"]
    campaign = post(
        "/coupon-campaigns",
        admin,
        title="满减",
        issuer="property",
        merchantId=merchant,
        communityIds=[community],
        discount={"kind": "fixed", "amountFen": 100},
        validFrom=datetime.now(UTC).isoformat(),
        validUntil=SOON.isoformat(),
        totalStock=10,
    )["id"]
    coupon = post(f"/coupon-campaigns/{campaign}/claim", owner)
    order = post(
        "/orders",
        owner,
        merchantId=merchant,
        propertyId=home,
        items=[{"productId": product, "quantity": 2}],
        paymentMethod="cod",
    )["id"]
    return {
        "merchant_id": merchant,
        "product_id": product,
        "campaign_id": campaign,
        "coupon_code": coupon["code"],
        "order_id": order,
    }


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
    if isinstance(value, list):
        return [_fill(item, ids) for item in value]
    return value


def _expected(caller: str, path: str, handler: Any) -> set[int]:
    """404 where the caller's kind may use the route (the object is not theirs to know), 403
    where it may not (a resident on a staff route, a staff member lacking the permission).
    Staff outside their data scope get 403 ``permission.out_of_scope`` or, where the core
    hides the object, 404. Another company's community in the path is unknown to whoever asks,
    so another company's staff get 404 on a resident route under it too."""
    parameters = set(handler.parsed_fn_signature.parameters)
    resident_route = "resident" in parameters or "caller" in parameters
    staff_route = "staff" in parameters or "caller" in parameters
    if caller == "no_permission_staff":
        return {403}
    if caller == "out_of_scope_staff":
        return {403, 404}
    if caller == "other_tenant_staff":
        return {404} if staff_route or "{community_id}" in path else {403}
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
            expected = _expected(caller, path, handler)
            if answer.status_code not in expected:
                wrong.append(f"{caller} {method} {path}: {answer.status_code} {answer.text[:120]}")
            if _snapshot(service) != before:
                wrong.append(f"{caller} {method} {path}: changed the database")
    assert wrong == [], "\n".join(wrong)
