"""The staff console in a real headless Chromium on a desktop viewport, against the real
service on PostgreSQL: the resident reports a repair on the phone, the administrator logs in,
reads the collection-rate chart and dispatches the repair on the board; the technician finishes
it through the API and the resident rates it on the phone (an htmx form)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from browser import launch, new_page, screenshot
from http_service import DEMO_ADMIN, DEMO_OWNER, DEMO_TECHNICIAN, Service, bearer, running_service
from playwright.sync_api import Browser, Page
from sqlalchemy.engine import URL
from web_world import PNG_8X8, demo_company, log_in


@pytest.fixture(scope="module")
def chromium() -> Iterator[Browser]:
    yield from launch()


@pytest.fixture
def service(postgresql_database: URL, tmp_path: Path, mapped: None) -> Iterator[Service]:
    with running_service(postgresql_database, tmp_path) as running:
        yield running


def _report(phone: Page) -> str:
    phone.goto("/h5/repairs/new")
    phone.fill("input[name=category]", "门窗")
    phone.fill("textarea[name=description]", "入户门锁坏了")
    phone.set_input_files(
        "input[type=file]", {"name": "lock.png", "mimeType": "image/png", "buffer": PNG_8X8}
    )
    phone.click("text=提交")
    phone.wait_for_selector("img.photo")
    return phone.url.rsplit("/", 1)[1]


def test_staff_read_the_collection_chart_and_dispatch_a_reported_repair(
    chromium: Browser, service: Service
) -> None:
    tenant = demo_company(service)
    phone = new_page(chromium, service.base_url, phone=True)
    log_in(phone, service, "h5", DEMO_OWNER)
    order = _report(phone)

    desk = new_page(chromium, service.base_url, phone=False)
    log_in(desk, service, "console", DEMO_ADMIN)
    assert desk.inner_text("h1") == "阳光花园 · 工作台"
    bars = desk.locator("#collection-chart rect.bar")
    assert bars.count() == 6
    this_month = bars.nth(5)
    assert (this_month.text_content() or "").endswith("%")
    assert int(this_month.get_attribute("height") or 0) > 0
    screenshot(desk, "console-dashboard.png")

    desk.click("text=报修派单")
    card = desk.locator(f"#order-{order}")
    assert card.locator("xpath=ancestor::section").get_attribute("data-status") == "pending"
    card.locator("select[name=technician_id]").select_option(label="刘师傅")
    card.locator("input[name=expected_arrival]").fill("2030-01-02T10:00")
    card.locator("text=派单").click()
    desk.wait_for_load_state()
    moved = desk.locator(f"#order-{order}").locator("xpath=ancestor::section")
    assert moved.get_attribute("data-status") == "dispatched"

    technician = service.login_staff(DEMO_TECHNICIAN, tenant)
    calls = service.client
    assert calls.post(
        f"/api/v1/work-orders/{order}/accept",
        json={"expectedArrival": None},
        headers=bearer(technician),
    ).is_success
    photo = calls.post(
        "/api/v1/uploads",
        files={"data": ("done.png", PNG_8X8, "image/png")},
        headers=bearer(technician),
    ).json()["key"]
    assert calls.post(
        f"/api/v1/work-orders/{order}/complete",
        json={"photos": [photo], "note": "已更换锁芯"},
        headers=bearer(technician),
    ).is_success

    phone.goto(f"/h5/repairs/{order}")
    assert phone.inner_text("strong.status") == "已完成"
    assert "刘师傅" in phone.inner_text("main")
    phone.select_option("select[name=stars]", "5")
    phone.fill("input[name=text]", "很快")
    phone.click("text=提交")
    assert phone.inner_text("[role=status]") == "感谢您的评价"
    phone.goto(f"/h5/repairs/{order}")
    assert phone.inner_text("strong.status") == "已关闭"
