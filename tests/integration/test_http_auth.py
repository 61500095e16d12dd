"""Logging in over HTTP: SMS codes and their limits, the shared official account, passwords,
sessions that end on logout, disabling and phone change."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

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

from estate_core.shared.ids import new_id


@pytest.fixture
def service(database: URL, tmp_path: Path, mapped: None) -> Iterator[Service]:
    with running_service(database, tmp_path) as running:
        yield running


def test_a_second_code_within_a_minute_is_refused_with_retry_after(service: Service) -> None:
    first = service.client.post("/api/v1/auth/codes", json={"phone": DEMO_OWNER})
    again = service.client.post("/api/v1/auth/codes", json={"phone": DEMO_OWNER})
    assert first.status_code == 202
    assert again.status_code == 429
    assert again.headers["content-type"] == "application/problem+json"
    assert again.json()["code"] == "sms.too_soon"
    assert 1 <= int(again.headers["retry-after"]) <= 60


def test_a_wrong_code_is_refused_and_the_fifth_kills_the_code(service: Service) -> None:
    service.client.post("/api/v1/auth/codes", json={"phone": DEMO_OWNER})
    right = service.code(DEMO_OWNER)
    wrong = "000000" if right != "000000" else "111111"
    codes = []
    for _ in range(5):
        answer = service.client.post(
            "/api/v1/auth/resident/login", json={"phone": DEMO_OWNER, "code": wrong}
        )
        codes.append((answer.status_code, answer.json()["code"]))
    late = service.client.post(
        "/api/v1/auth/resident/login", json={"phone": DEMO_OWNER, "code": right}
    )
    assert codes == [(422, "sms_code.mismatch")] * 4 + [(422, "sms_code.too_many_tries")]
    assert (late.status_code, late.json()["code"]) == (409, "sms_code.invalid_transition")


def test_one_phone_in_two_companies_picks_one_and_the_session_is_that_companys(
    service: Service,
) -> None:
    first, second = new_id(), new_id()
    service.demo_company(first)
    service.demo_company(second)
    service.client.post("/api/v1/auth/codes", json={"phone": DEMO_OWNER})
    answer = service.client.post(
        "/api/v1/auth/resident/login",
        json={"phone": DEMO_OWNER, "code": service.code(DEMO_OWNER)},
    ).json()
    assert answer["session"] is None
    assert {choice["tenantId"] for choice in answer["tenants"]} == {str(first), str(second)}
    picked = service.client.post(
        "/api/v1/auth/resident/select", json={"ticket": answer["ticket"], "tenantId": str(second)}
    )
    assert picked.status_code == 200, picked.text
    assert picked.json()["session"]["tenantId"] == str(second)
    forged = service.client.post(
        "/api/v1/auth/resident/select", json={"ticket": "bm90IGEgdGlja2V0", "tenantId": str(first)}
    )
    assert forged.json()["code"] == "login.invalid_ticket"


def test_a_staff_password_logs_in_and_a_wrong_one_does_not(service: Service) -> None:
    tenant = new_id()
    service.demo_company(tenant)
    token = service.login_staff(DEMO_ADMIN, tenant)
    set_password = service.client.put(
        "/api/v1/auth/staff/password", json={"password": "correct horse"}, headers=bearer(token)
    )
    assert set_password.status_code == 204, set_password.text
    right = service.client.post(
        "/api/v1/auth/staff/login", json={"phone": DEMO_ADMIN, "password": "correct horse"}
    )
    wrong = service.client.post(
        "/api/v1/auth/staff/login", json={"phone": DEMO_ADMIN, "password": "wrong horse!"}
    )
    unset = service.client.post(
        "/api/v1/auth/staff/login", json={"phone": DEMO_TECHNICIAN, "password": "correct horse"}
    )
    assert right.status_code == 200
    assert right.json()["session"]["tenantId"] == str(tenant)
    assert (wrong.status_code, wrong.json()["code"]) == (403, "login.failed")
    assert (unset.status_code, unset.json()["code"]) == (403, "login.failed")


def test_logging_out_ends_the_session(service: Service) -> None:
    tenant = new_id()
    service.demo_company(tenant)
    token = service.login_resident(DEMO_OWNER, tenant)
    assert service.client.get("/api/v1/me", headers=bearer(token)).status_code == 200
    assert service.client.post("/api/v1/auth/logout", headers=bearer(token)).status_code == 204
    after = service.client.get("/api/v1/me", headers=bearer(token))
    assert (after.status_code, after.json()["code"]) == (401, "auth.required")


def test_a_request_body_with_an_unknown_field_is_refused_naming_the_field(
    service: Service,
) -> None:
    answer = service.client.post(
        "/api/v1/auth/codes", json={"phone": DEMO_OWNER, "tenantId": str(new_id())}
    )
    assert answer.status_code == 422
    assert answer.json()["errors"] == [
        {"field": "$.tenantId", "message": "Object contains unknown field `tenantId`"}
    ]
    assert service.sms.sent == []


def test_blacklisting_a_resident_ends_their_session_at_once(service: Service) -> None:
    tenant = new_id()
    service.demo_company(tenant)
    resident = service.login_resident(DEMO_OWNER, tenant)
    admin = service.login_staff(DEMO_ADMIN, tenant)
    me = service.client.get("/api/v1/me", headers=bearer(resident)).json()
    assert me["phone"] == "138****8001"
    disabled = service.client.post(
        f"/api/v1/residents/{me['id']}/disable",
        json={"reason": "恶意刷单"},
        headers=bearer(admin),
    )
    after = service.client.get("/api/v1/me", headers=bearer(resident))
    assert disabled.status_code == 204, disabled.text
    assert after.status_code == 401


def test_disabling_a_staff_account_ends_its_session_at_once(service: Service) -> None:
    tenant = new_id()
    service.demo_company(tenant)
    technician = service.login_staff(DEMO_TECHNICIAN, tenant)
    admin = service.login_staff(DEMO_ADMIN, tenant)
    technician_id = service.staff_actor(tenant, DEMO_TECHNICIAN).staff_id
    before = service.client.get("/api/v1/communities", headers=bearer(technician))
    disabled = service.client.post(
        f"/api/v1/staff/{technician_id}/disable", json={"reason": "离职"}, headers=bearer(admin)
    )
    after = service.client.get("/api/v1/communities", headers=bearer(technician))
    assert (before.status_code, disabled.status_code, after.status_code) == (200, 204, 401)


def test_changing_the_phone_needs_both_codes_and_ends_the_old_sessions(service: Service) -> None:
    tenant, new_phone = new_id(), "13612345678"
    service.demo_company(tenant)
    token = service.login_resident(DEMO_UNBOUND_OWNER, tenant)
    sent = service.client.post(
        "/api/v1/me/phone/codes", json={"newPhone": new_phone}, headers=bearer(token)
    )
    assert sent.status_code == 202, sent.text
    wrong = service.client.post(
        "/api/v1/me/phone",
        json={"newPhone": new_phone, "oldCode": "000000", "newCode": service.code(new_phone)},
        headers=bearer(token),
    )
    assert wrong.status_code == 422
    assert service.client.get("/api/v1/me", headers=bearer(token)).status_code == 200
    changed = service.client.post(
        "/api/v1/me/phone",
        json={
            "newPhone": new_phone,
            "oldCode": service.code(DEMO_UNBOUND_OWNER),
            "newCode": service.code(new_phone),
        },
        headers=bearer(token),
    )
    assert changed.status_code == 204, changed.text
    assert service.client.get("/api/v1/me", headers=bearer(token)).status_code == 401
    renewed = service.login_resident(new_phone, tenant)
    assert service.client.get("/api/v1/me", headers=bearer(renewed)).json()["phone"] == (
        "136****5678"
    )
