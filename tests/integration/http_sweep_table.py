"""The authorisation sweep's classification of every API route (test_http_authorisation):
which routes name no object, a valid body for each write route, which routes name an object in
their body, and the few calls that are legitimate for a caller the sweep counts as a stranger.
A new route goes here before it can ship.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

ARRIVAL = (datetime.now(UTC) + timedelta(hours=3)).isoformat()
SOON = datetime.now(UTC) + timedelta(days=3)
SHOP = {"name": "冒名商店", "contact": "x", "address": "x", "tags": ["x"]}

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
    ("GET", "/visitor-passes/mine"),
    ("GET", "/coupons/mine"),
    ("GET", "/orders/mine"),
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
    ("POST", "/notices"): {
        "kind": "general",
        "title": "冒名通知",
        "body": "x",
        "propertyIds": ["{property_id}"],
    },
    ("PUT", "/notices/{notice_id}"): {"kind": "general", "title": "改", "body": "x"},
    ("POST", "/notices/{notice_id}/publish"): {},
    ("POST", "/communities/{community_id}/activities"): {
        "title": "冒名活动",
        "capacity": 10,
        "startsAt": (SOON + timedelta(days=1)).isoformat(),
        "endsAt": (SOON + timedelta(days=1, hours=2)).isoformat(),
        "signUpDeadline": SOON.isoformat(),
    },
    ("POST", "/activities/{activity_id}/sign-up"): {"headCount": 1},
    ("POST", "/activities/{activity_id}/cancel"): {"reason": "x"},
    ("POST", "/activities/{activity_id}/check-in"): {"residentId": "{resident_id}"},
    ("POST", "/visitor-passes"): {
        "propertyId": "{property_id}",
        "visitorName": "冒名访客",
        "visitorPhone": "13912345678",
    },
    ("POST", "/visitor-passes/verify"): {"token": "{pass_token}"},
    ("POST", "/merchants"): {"communityIds": ["{community_id}"], "details": SHOP},
    ("PUT", "/merchants/{merchant_id}"): {"details": SHOP},
    ("POST", "/merchants/{merchant_id}/products"): {"name": "冒名商品", "priceFen": 100},
    ("PUT", "/products/{product_id}"): {"name": "改名", "priceFen": 1},
    ("POST", "/coupon-campaigns"): {
        "title": "冒名活动",
        "issuer": "property",
        "merchantId": "{merchant_id}",
        "communityIds": ["{community_id}"],
        "discount": {"kind": "fixed", "amountFen": 100},
        "validFrom": datetime.now(UTC).isoformat(),
        "validUntil": SOON.isoformat(),
        "totalStock": 10,
    },
    ("POST", "/coupons/redeem"): {"code": "{coupon_code}"},
    ("POST", "/orders"): {
        "merchantId": "{merchant_id}",
        "propertyId": "{property_id}",
        "items": [{"productId": "{product_id}", "quantity": 1}],
        "paymentMethod": "cod",
    },
}
"""A valid body for every write route of the sweep, so an answer is about authorisation and
never about a malformed request. ``{name}`` is the id of the victim's object."""

BODY_OBJECT_ROUTES = {
    ("POST", "/meter-readings"),
    ("POST", "/work-orders"),
    ("POST", "/complaints"),
    ("POST", "/notices"),
    ("POST", "/visitor-passes"),
    ("POST", "/visitor-passes/verify"),
    ("POST", "/merchants"),
    ("POST", "/coupon-campaigns"),
    ("POST", "/coupons/redeem"),
    ("POST", "/orders"),
}
"""Routes with no id in their path whose body names an existing object."""

LEGITIMATE = {
    ("other_household", "GET", "/communities/{community_id}/public-fund"): (
        "a resident bound in the community reads its public funds (seed 001)"
    ),
    ("other_household", "GET", "/communities/{community_id}/notices"): (
        "any resident of the company reads a community's public notices (seeds 002, 004)"
    ),
    ("other_household", "GET", "/communities/{community_id}/activities"): (
        "any resident of the company sees a community's activities"
    ),
    ("other_household", "POST", "/activities/{activity_id}/sign-up"): (
        "a resident bound in the community signs up for its activities"
    ),
    ("other_household", "DELETE", "/activities/{activity_id}/sign-up"): (
        "a resident cancels only their own sign-up"
    ),
    ("other_household", "GET", "/communities/{community_id}/merchants"): (
        "any resident of the company browses a community's merchants"
    ),
    ("other_household", "GET", "/merchants/{merchant_id}"): "residents browse merchants",
    ("other_household", "GET", "/merchants/{merchant_id}/products"): "and their products",
    ("other_household", "GET", "/communities/{community_id}/coupon-campaigns"): (
        "any resident of the company sees a community's coupon campaigns"
    ),
    ("other_household", "POST", "/coupon-campaigns/{campaign_id}/claim"): (
        "a resident bound in one of the campaign's communities claims a coupon"
    ),
}
