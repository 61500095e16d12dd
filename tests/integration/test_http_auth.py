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
