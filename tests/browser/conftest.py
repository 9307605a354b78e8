"""Real-browser fixtures: Debian's Chromium driven by Playwright against pytest-django's live server.

Playwright never downloads a browser here (`playwright install` would fail offline): it launches
the `chromium` on PATH. Without one, every test in this directory is skipped with one reason.
"""

import fcntl
import json
import shutil
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

CHROMIUM = shutil.which("chromium")
CHROMIUM_MISSING = "Chromium not installed: apt-get install chromium (make test-browser runs these)"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "var" / "screenshots"
NPM_PREFIX = ROOT / "var" / "npm"
AXE_VERSION = "4.14.1"
AXE_SCRIPT = NPM_PREFIX / "node_modules" / "axe-core" / "axe.min.js"

# Generous for a 2-core machine running two test processes, a worker and Chromium at once.
TIMEOUT_MS = 15_000


def skip_module_without_chromium():
    """Skip the calling test module when there is no Chromium. Every module calls this one line,
    so pytest -ra folds the skips into a single line with the reason."""
    if CHROMIUM is None:
        pytest.skip(CHROMIUM_MISSING, allow_module_level=True)


@pytest.fixture(scope="module")
def chromium():
    """One headless Chromium per test file, shut down with the file.

    Playwright's sync API runs an asyncio loop in this thread, and Django refuses ORM calls while
    a loop runs; the tests' ORM calls are plain synchronous code, so that guard is switched off,
    and only while this file's browser exists (later files in the same process keep the guard).
    """
    from playwright.sync_api import sync_playwright

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            try:
                yield browser
            finally:
                browser.close()


@pytest.fixture(autouse=True)
def plain_http_cookies(settings):
    """The live server speaks plain HTTP: cookies marked Secure (the production default) would
    not be sent back by every browser, so they are plain here."""
    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False


@dataclass
class PageProblems:
    """What went wrong in a page as a person's browser would report it."""

    console_errors: list = field(default_factory=list)
    failed_requests: list = field(default_factory=list)

    def watch(self, page):
        page.on("console", self.on_console)
        page.on("pageerror", lambda error: self.console_errors.append(str(error)))
        page.on("requestfailed", self.on_request_failed)
        page.on("response", self.on_response)

    def on_console(self, message):
        if message.type == "error":
            self.console_errors.append(f"{message.text} ({message.location.get('url')})")

    def on_request_failed(self, request):
        # A request still in flight when the test navigates on is cancelled, not failed.
        if request.failure != "net::ERR_ABORTED":
            self.failed_requests.append(f"{request.url}: {request.failure}")

    def on_response(self, response):
        if response.status >= 400:
            self.failed_requests.append(f"{response.url}: HTTP {response.status}")

    def assert_none(self):
        assert not self.console_errors, f"console errors: {self.console_errors}"
        assert not self.failed_requests, f"failed requests: {self.failed_requests}"


@pytest.fixture
def new_page(chromium, live_server):
    """Return `new_page(**context_options) -> (page, problems)`; contexts close after the test."""
    contexts = []

    def open_page(**context_options):
        context = chromium.new_context(base_url=live_server.url, **context_options)
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        page = context.new_page()
        problems = PageProblems()
        problems.watch(page)
        return page, problems

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture
def page_and_problems(new_page):
    """A page in a fresh default context (light scheme, JavaScript on) and its problem log."""
    return new_page()


def save_screenshot(page, name):
    """Write a full-page PNG to var/screenshots/ for people to look at; returns its path."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def wait_for(condition, timeout=20, message="the condition never held"):
    """Poll `condition` until it returns something truthy and return that; fail after `timeout` s."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    pytest.fail(message)


@pytest.fixture(scope="session")
def axe_script():
    """Path of axe-core's script, installed from the npm registry into var/npm once per machine."""
    npm = shutil.which("npm")
    if npm is None:
        pytest.skip("npm not installed: apt-get install npm (the accessibility checks need axe-core)")
    NPM_PREFIX.mkdir(parents=True, exist_ok=True)
    # A lock, so two test processes never run npm into the same directory at once.
    with open(NPM_PREFIX / ".install.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not AXE_SCRIPT.exists() or installed_axe_version() != AXE_VERSION:
            package = f"axe-core@{AXE_VERSION}"
            subprocess.run(
                [npm, "install", "--prefix", str(NPM_PREFIX), "--no-audit", "--no-fund", package],
                check=True,
                capture_output=True,
                timeout=300,
            )
    return AXE_SCRIPT


def installed_axe_version():
    """The version of axe-core under var/npm, or None."""
    package = AXE_SCRIPT.parent / "package.json"
    return json.loads(package.read_text())["version"] if package.exists() else None
