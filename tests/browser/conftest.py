"""Browser tests: the real service (handoff.app.create_app) under uvicorn, a fake Rasa,
and Debian's Chromium driven by Playwright.

Run: .venv/bin/pytest tests/browser   (needs /usr/bin/chromium; never `playwright install`)
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from scripts.processes import free_port
from scripts.stack import CHAT_LIMITS_LIFTED, shop_environment
from tests.browser.servers import serve

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"

if not Path(CHROMIUM).exists():
    if os.environ.get("SHOP_REQUIRE_BROWSER"):  # the test command installs it: never skip there
        raise RuntimeError(f"{CHROMIUM} is missing (apt-get install -y chromium)")
    pytest.skip(f"{CHROMIUM} is missing (apt-get install -y chromium)", allow_module_level=True)


@pytest.fixture(scope="package")
def service(tmp_path_factory) -> Iterator[str]:
    """Base URL of the real service on a fresh SQLite database, with a fake Rasa behind it."""
    from tests.browser import fake_rasa, seed

    service_port, rasa_port = free_port(), free_port()
    env = {
        "DATABASE_URL": f"sqlite:///{tmp_path_factory.mktemp('db')}/shop.db",
        "RASA_URL": f"http://127.0.0.1:{rasa_port}",
        "GATEWAY_CALLBACK_URL": f"http://127.0.0.1:{service_port}/rasa/callback",
        "CALLBACK_SECRET": "callback-secret-of-the-browser-tests",
        "ATTACHMENT_DIR": str(tmp_path_factory.mktemp("attachments")),
        **CHAT_LIMITS_LIFTED,
    }
    with shop_environment(env):
        from store.migrate import load_all_models

        load_all_models()  # seed.create_schema misses the login throttle and audit tables
        seed.create_schema()
        from handoff.app import create_app

        app = create_app(idle_sweeper=False)
        with serve(fake_rasa.app, rasa_port), serve(app, service_port) as url:
            yield url


@pytest.fixture(scope="package")
def playwright():
    # Package scope: Playwright's sync API keeps an event loop running on this thread,
    # which must be gone before the asyncio tests of other packages start.
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="package")
def browser(playwright):
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


# Where people use the widget and the inbox: a desktop, an iPhone (390 px, the size the
# issue was found on) and an Android phone (360 px, the narrowest common screen).
PROFILES = {"desktop": None, "iphone": "iPhone 13", "android": "Galaxy S8"}


@pytest.fixture
def open_page(browser, service, playwright):
    """open_page(profile, locale) -> a page in a fresh browser profile of its own (customer
    and agent never share one), recording page errors and dialogs; closed after the test."""
    contexts = []

    def open_page(profile: str = "desktop", locale: str = "id-ID", **options):
        device = PROFILES[profile]
        emulation = ({key: value for key, value in playwright.devices[device].items()
                      if key != "default_browser_type"} if device
                     else {"viewport": {"width": 1280, "height": 800}})
        context = browser.new_context(base_url=service, locale=locale, **emulation, **options)
        contexts.append(context)
        page = context.new_page()
        page.errors, page.dialogs = [], []
        page.on("pageerror", lambda error: page.errors.append(str(error)))
        page.on("dialog", lambda dialog: (page.dialogs.append(dialog.message), dialog.dismiss()))
        return page

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture
def page(browser, service):
    """A fresh browser profile (empty localStorage) per test; fails the test on any dialog."""
    context = browser.new_context(base_url=service, viewport={"width": 1280, "height": 800},
                                  locale="id-ID")
    page = context.new_page()
    page.dialogs = []
    page.on("dialog", lambda dialog: (page.dialogs.append(dialog.message), dialog.dismiss()))
    page.errors = []
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    yield page
    context.close()


@pytest.fixture
def save_screenshot():
    """Saves a PNG into test-artifacts/ for a person to look at."""
    def save(page, name: str, full_page: bool = False) -> Path:
        ARTIFACTS.mkdir(exist_ok=True)
        path = ARTIFACTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=full_page)
        return path
    return save
