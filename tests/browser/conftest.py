"""The console in a real headless browser: Debian's chromium (scripts/install-chromium), driven by
Playwright with the system binary (no browser download), against the whole embedded stack.

Screenshots of every page are kept in tests/browser/out/ (git-ignored) as the run's artefacts.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright

from tests.browser.seed import Month, seed_month
from tests.e2e.conftest import Stack, _run_stack

CHROMIUM = Path("/usr/bin/chromium")
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
OUT = Path(__file__).resolve().parent / "out"
DESK = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}
pytestmark = pytest.mark.slow


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """The embedded stack on SQLite (the console reads through the API's paths; the database
    backends are covered by the e2e and integration suites)."""
    yield from _run_stack(tmp_path_factory, {})


@pytest.fixture(scope="session")
def month(stack: Stack) -> Month:
    with stack.client() as admin:
        return seed_month(admin)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Chromium for one module: Playwright's sync API keeps its own event loop running in this
    thread, so it is closed after each module, before any asyncio test of another folder runs."""
    if not CHROMIUM.exists():
        if os.environ.get("CI") == "true":
            pytest.fail("no /usr/bin/chromium: scripts/install-chromium installs it from apt")
        pytest.skip("no /usr/bin/chromium: run scripts/install-chromium")
    OUT.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS)
        yield browser
        browser.close()


@pytest.fixture
def desk(browser: Browser) -> Iterator[BrowserContext]:
    context = browser.new_context(viewport=DESK, locale="zh-CN", timezone_id="Asia/Shanghai")
    yield context
    context.close()


@pytest.fixture
def phone(browser: Browser) -> Iterator[BrowserContext]:
    context = browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True, has_touch=True)
    yield context
    context.close()


def api(stack: Stack, key: str) -> httpx.Client:
    return stack.client(key)


def sign_in(context: BrowserContext, stack: Stack, key: str, path: str = "/console/") -> Page:
    """Sign in through the form, as a person would; the page ends where `path` leads."""
    page = context.new_page()
    page.goto(stack.base_url + path)
    page.wait_for_url(re.compile(r"/console/login"))
    page.fill("#token", key)
    page.click("form[action='/console/login'] button[type=submit]")
    page.wait_for_url(lambda url: "/console/login" not in url)
    return page


def shot(page: Page, name: str) -> Path:
    """A full-page screenshot kept as a test artefact."""
    path = OUT / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
