"""A real headless Chromium for the page tests: Debian's ``chromium`` driven by playwright
(playwright's own browser download cannot reach the internet here; ``make chromium`` installs
the system browser). Screenshots go to ``$ESTATE_SCREENSHOTS`` when it names a directory, so a
plain test run leaves the working tree alone (docs/web.md: how docs/images/ is refreshed)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PHONE = {"width": 375, "height": 667}
DESKTOP = {"width": 1280, "height": 800}


def launch() -> Iterator[Browser]:
    """The browser for a module's tests (a module fixture yields from this)."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run `make chromium` (apt-get install chromium)")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield launched
        launched.close()


def new_page(browser: Browser, base_url: str, phone: bool) -> Page:
    context = browser.new_context(
        base_url=base_url,
        viewport=PHONE if phone else DESKTOP,
        is_mobile=phone,
        has_touch=phone,
        locale="zh-CN",
    )
    return context.new_page()


def screenshot(page: Page, name: str) -> None:
    folder = os.environ.get("ESTATE_SCREENSHOTS")
    if folder:
        page.screenshot(path=str(Path(folder) / name), full_page=True)
