"""Commerce through the real web service, on SQLite and PostgreSQL: staff register a merchant
and its products and start a coupon campaign; a resident browses, claims a coupon and orders
(cash on delivery with the coupon, and online, then cancels); the merchant's clerk sees its own
orders, delivers and completes one and redeems another resident's coupon in the shop."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from http_service import (
    DEMO_ADMIN,
    DEMO_OWNER,
    DEMO_UNBOUND_OWNER,
    Service,
    bearer,
    running_service,
)
from sqlalchemy.engine import URL

from estate_core.shared.ids import new_id

API = "/api/v1"
CLERK = "13766660000"


@pytest.fixture
def service(database: URL, tmp_path: Path, mapped: None) -> Iterator[Service]:
    with running_service(database, tmp_path) as running:
        yield running


def test_merchants_coupons_orders_and_the_clerk(service: Service) -> None:
    tenant = new_id()
    service.demo_company(tenant)
    admin = service.login_staff(DEMO_ADMIN, tenant)
    owner = service.login_resident(DEMO_OWNER, tenant)

    def call(method: str, path: str, who: str, status: int = 200, **body: Any) -> Any:
        json = body or ({} if method in {"POST", "PUT"} else None)
        answer = service.client.request(method, API + path, json=json, headers=bearer(who))
        assert answer.status_code == status, answer.text
        return answer.json() if answer.content else None

    community = call("GET", "/communities", admin)["items"][0]["id"]
    shop = {"name": "好邻居便利店", "contact": "李老板", "address": "3 号楼底商", "tags": ["便利"]}
    merchant = call("POST", "/merchants", admin, 201, communityIds=[community], details=shop)["id"]
    water = call("POST", f"/merchants/{merchant}/products", admin, 201, name="矿泉水", priceFen=200)
    rice = call("POST", f"/merchants/{merchant}/products", admin, 201, name="大米", priceFen=5000)
    call("PUT", f"/products/{rice['id']}", admin, 204, name="大米", priceFen=5000, active=False)
    campaign = call(
        "POST",
        "/coupon-campaigns",
        admin,
        201,
        title="开业立减",
        issuer="property",
        merchantId=merchant,
        communityIds=[community],
        discount={"kind": "fixed", "amountFen": 300, "minimumSpendFen": 500},
        validFrom=datetime.now(UTC).isoformat(),
        validUntil=(datetime.now(UTC) + timedelta(days=7)).isoformat(),
        totalStock=2,
    )["id"]

    listed = call("GET", f"/communities/{community}/merchants", owner)["items"]
    assert [m["details"]["name"] for m in listed] == ["好邻居便利店"]
    on_sale = call("GET", f"/merchants/{merchant}/products", owner)["items"]
    assert [(p["name"], p["price"]) for p in on_sale] == [("矿泉水", {"fen": 200})]
    assert len(call("GET", f"/merchants/{merchant}/products/all", admin)["items"]) == 2
    offered = call("GET", f"/communities/{community}/coupon-campaigns", owner)["items"]
    assert [(c["title"], c["claimedCount"]) for c in offered] == [("开业立减", 0)]
    coupon = call("POST", f"/coupon-campaigns/{campaign}/claim", owner, 201)
    assert [c["code"] for c in call("GET", "/coupons/mine", owner)["items"]] == [coupon["code"]]

    home = call("GET", "/properties/mine", owner)[0]["propertyId"]
    items = [{"productId": water["id"], "quantity": 3}]
    cod = call(
        "POST",
        "/orders",
        owner,
        201,
        merchantId=merchant,
        propertyId=home,
        items=items,
        paymentMethod="cod",
        couponId=coupon["id"],
    )["id"]
    placed = call("GET", f"/orders/{cod}", owner)
    assert (placed["state"], placed["subtotal"], placed["discount"], placed["payableAmount"]) == (
        "pending_delivery",
        {"fen": 600},
        {"fen": 300},
        {"fen": 300},
    )
    online = call(
        "POST",
        "/orders",
        owner,
        201,
        merchantId=merchant,
        propertyId=home,
        items=items,
        paymentMethod="online",
    )["id"]
    assert call("GET", f"/orders/{online}", owner)["state"] == "pending_payment"
    call("POST", f"/orders/{online}/cancel", owner, 204)
    mine = {o["id"]: o["state"] for o in call("GET", "/orders/mine", owner)["items"]}
    assert mine == {cod: "pending_delivery", online: "cancelled"}

    call(
        "POST",
        "/staff",
        admin,
        201,
        name="店员小李",
        phone=CLERK,
        roles=["merchant_clerk"],
        merchantId=merchant,
    )
    clerk = service.login_staff(CLERK, tenant)
    own = call("GET", f"/merchants/{merchant}/orders", clerk)["items"]
    assert {o["id"] for o in own} == {cod, online}
    call("POST", f"/orders/{cod}/deliver", clerk, 204)
    call("POST", f"/orders/{cod}/complete", clerk, 204)
    assert call("GET", f"/orders/{cod}", owner)["state"] == "completed"
    states = {
        o["id"]: o["state"] for o in call("GET", f"/communities/{community}/orders", admin)["items"]
    }
    assert states == {cod: "completed", online: "cancelled"}

    neighbour = service.login_resident(DEMO_UNBOUND_OWNER, tenant)
    call(
        "POST",
        "/properties/claim",
        neighbour,
        201,
        communityId=community,
        building="1",
        unit="1",
        room="102",
        ownerName="王芳",
        ownerPhone=DEMO_UNBOUND_OWNER,
    )
    theirs = call("POST", f"/coupon-campaigns/{campaign}/claim", neighbour, 201)
    redeemed = call("POST", "/coupons/redeem", clerk, code=theirs["code"], spendFen=1000)
    assert (redeemed["couponId"], redeemed["amountOff"]) == (theirs["id"], {"fen": 300})
    again = service.client.post(
        f"{API}/coupons/redeem", json={"code": theirs["code"]}, headers=bearer(clerk)
    )
    assert again.status_code == 409
    sold_out = service.client.post(
        f"{API}/coupon-campaigns/{campaign}/claim", headers=bearer(owner)
    )
    assert sold_out.status_code == 409
    call("POST", f"/coupon-campaigns/{campaign}/stop", admin, 204)
    call("POST", f"/merchants/{merchant}/deactivate", admin, 204)
    assert call("GET", f"/communities/{community}/merchants", owner)["items"] == []
    assert [
        m["active"] for m in call("GET", f"/communities/{community}/merchants/all", admin)["items"]
    ] == [False]
