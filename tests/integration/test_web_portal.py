"""The resident portal in a real headless Chromium on a 375×667 phone viewport, against the
real service on PostgreSQL: login by SMS code, bills, a repair reported with a camera photo;
an unbound person is asked to bind a home; another household's page answers not found; a form
without its CSRF token is refused and changes nothing."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from browser import launch, new_page, screenshot
from http_service import DEMO_OWNER, DEMO_UNBOUND_OWNER, Service, running_service
from playwright.sync_api import Browser
from sqlalchemy.engine import URL
from web_world import PNG_8X8, community_and_properties, demo_company, log_in


@pytest.fixture(scope="module")
def chromium() -> Iterator[Browser]:
    yield from launch()


@pytest.fixture
def service(postgresql_database: URL, tmp_path: Path, mapped: None) -> Iterator[Service]:
    with running_service(postgresql_database, tmp_path) as running:
        yield running


def test_a_resident_logs_in_sees_bills_and_reports_a_repair_with_a_photo(
    chromium: Browser, service: Service
) -> None:
    demo_company(service)
    page = new_page(chromium, service.base_url, phone=True)
    log_in(page, service, "h5", DEMO_OWNER)
    assert page.url.endswith("/h5")
    assert page.inner_text("main h2") == "1-1-101"

    page.click("text=账单")
    sections = [text.split() for text in page.locator("main section h2").all_inner_texts()]
    assert [words[0] for words in sections] == ["待缴", "已缴", "未到期"]
    assert sections[1][1:] == ["合计", "¥250.60"]
    assert "物业费" in page.inner_text("main section:nth-of-type(2)")
    screenshot(page, "portal-bills.png")

    page.click("nav.tabs >> text=报修")
    page.click("text=我要报修")
    assert page.get_attribute("input[type=file]", "capture") == "environment"
    page.fill("input[name=category]", "水电")
    page.fill("textarea[name=description]", "厨房水龙头漏水")
    page.set_input_files(
        "input[type=file]", {"name": "leak.png", "mimeType": "image/png", "buffer": PNG_8X8}
    )
    page.click("text=提交")
    page.wait_for_selector("img.photo")
    assert page.inner_text("h1") == "水电"
    assert page.inner_text("strong.status") == "待派单"
    assert page.eval_on_selector("img.photo", "img => img.complete && img.naturalWidth") == 8

    page.goto("/h5/repairs")
    assert page.locator("main ul.lines li").all_inner_texts()[0].split()[:2] == ["水电", "待派单"]


def test_an_unbound_resident_is_asked_to_bind_a_home_first(
    chromium: Browser, service: Service
) -> None:
    demo_company(service)
    page = new_page(chromium, service.base_url, phone=True)
    log_in(page, service, "h5", DEMO_UNBOUND_OWNER)
    assert "先绑定房屋" in page.inner_text("[role=status]")
    page.goto("/h5/repairs/new")
    assert "先绑定房屋" in page.inner_text("[role=status]")
    assert page.locator("form[action='/h5/repairs']").count() == 0


def test_another_households_bills_answer_not_found(chromium: Browser, service: Service) -> None:
    tenant = demo_company(service)
    _, properties = community_and_properties(service, tenant)
    page = new_page(chromium, service.base_url, phone=True)
    log_in(page, service, "h5", DEMO_OWNER)
    own = page.goto(f"/h5/homes/{properties['1-1-101']}/bills")
    assert own is not None
    assert own.status == 200
    other = page.goto(f"/h5/homes/{properties['1-1-102']}/bills")
    assert other is not None
    assert other.status == 404
    assert "没有找到" in page.inner_text("[role=alert]")


def test_a_form_without_its_csrf_token_is_refused_and_changes_nothing(
    chromium: Browser, service: Service
) -> None:
    demo_company(service)
    page = new_page(chromium, service.base_url, phone=True)
    log_in(page, service, "h5", DEMO_OWNER)
    page.goto("/h5/repairs")
    before = page.locator("main ul.lines li").all_inner_texts()
    page.goto("/h5/repairs/new")
    page.fill("input[name=category]", "门窗")
    page.fill("textarea[name=description]", "门锁坏了")
    page.eval_on_selector(
        "form[action='/h5/repairs'] input[name=_csrf_token]", "input => input.remove()"
    )
    with page.expect_response(lambda answer: answer.request.method == "POST") as posted:
        page.click("text=提交")
    assert posted.value.status == 403
    page.goto("/h5/repairs")
    assert page.locator("main ul.lines li").all_inner_texts() == before


def test_the_session_cookie_is_http_only_and_lax_and_pages_carry_a_csp(
    chromium: Browser, service: Service
) -> None:
    demo_company(service)
    page = new_page(chromium, service.base_url, phone=True)
    log_in(page, service, "h5", DEMO_OWNER)
    [session] = [c for c in page.context.cookies() if c["name"] == "estate_h5"]
    assert (session["httpOnly"], session["sameSite"], session["secure"]) == (True, "Lax", False)
    answer = page.goto("/h5/repairs")
    assert answer is not None
    assert "script-src 'self'" in answer.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in answer.headers["content-security-policy"]
    page.goto("/console")
    assert page.url.endswith("/console/login")
    page.goto("/h5")
    page.click("text=退出登录")
    page.goto("/h5/repairs")
    assert page.url.endswith("/h5/login")
