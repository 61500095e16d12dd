"""Steps the page tests share: logging in through the forms with the code the console SMS
sender recorded, and a demo company of its own per test."""

from __future__ import annotations

from uuid import UUID

from http_service import DEMO_ADMIN, Service, bearer
from playwright.sync_api import Page

from estate_core.shared.ids import new_id

PNG_8X8 = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000080000000808020000004b"
    "6d29dc0000001249444154789c63f8dfc0801561171db41200a9b35fc141"
    "c62d500000000049454e44ae426082"
)
"""An 8×8 PNG, orange: the photo 'taken' with the phone's camera."""


def demo_company(service: Service) -> UUID:
    tenant = new_id()
    service.demo_company(tenant)
    return tenant


def log_in(page: Page, service: Service, area: str, phone: str) -> None:
    """Phone, 获取验证码, the code the SMS sender recorded, 登录."""
    page.goto(f"/{area}/login")
    page.fill("input[name=phone]", phone)
    page.click("text=获取验证码")
    page.wait_for_selector(".note")
    page.fill("input[name=code]", service.code(phone))
    page.click("button[type=submit]")
    page.wait_for_load_state()


def community_and_properties(service: Service, tenant: UUID) -> tuple[str, dict[str, str]]:
    """The demo community's id and its properties by address, as staff see them."""
    token = service.login_staff_with_password(DEMO_ADMIN, tenant)
    community = service.client.get("/api/v1/communities", headers=bearer(token)).json()["items"][0]
    found = service.client.get(
        f"/api/v1/communities/{community['id']}/properties?limit=50", headers=bearer(token)
    ).json()["items"]
    return community["id"], {item["address"]: item["id"] for item in found}
