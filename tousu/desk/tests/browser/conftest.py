"""Browser fixtures: one headless Debian Chromium per session, a fresh page per test.

The desk is served by pytest-django's ``live_server`` (a real HTTP server in a thread,
on the test database, which is why these tests use ``transactional_db``). Every test
in this package is marked ``browser``: ``-m "not browser"`` leaves them out.

Without ``/usr/bin/chromium`` the tests are skipped with the reason, except under
``CI=true``, where a missing browser fails the run.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.test import Client

from tousu.conftest import World

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
VIEWPORT = {"width": 1366, "height": 768}
PASSWORD = "tousu-browser-1"
TIMEOUT_MS = 15_000
HERE = Path(__file__).resolve().parent
# axe-core from the npm registry (`make install` puts it in node_modules): the accessibility
# rules every page the browser tests visit must pass.
AXE = Path(settings.BASE_DIR).parent / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
AXE_RUN = """async (tags) => {
  const result = await axe.run(document, {runOnly: {type: 'tag', values: tags}});
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.impact} ${v.id}: ${v.help} — ` +
      v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', '));
}"""


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test of this package ``browser`` (before ``-m`` deselects)."""
    for item in items:
        if HERE in item.path.resolve().parents:
            item.add_marker(pytest.mark.browser)


def _unavailable(reason: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(reason)
    pytest.skip(reason)


@pytest.fixture(scope="package")
def browser(django_db_setup: None) -> Iterator[Any]:
    """Headless Chromium from Debian, shared by every test of this package.

    Playwright's sync API runs an event loop in this thread while it is open, and
    Django refuses ORM calls while a loop runs (its async guard). The tests here are
    plain synchronous code, so the guard is lifted for as long as the browser is open,
    and the browser closes with the package: tests collected after it run guarded again.
    The test database is created before the loop starts.
    """
    if not Path(CHROMIUM).exists():
        _unavailable(f"browser tests need {CHROMIUM}: apt-get install -y chromium")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as exc:  # pragma: no cover - the dev extra installs it
        _unavailable(f"browser tests need the playwright package: {exc}")
    with pytest.MonkeyPatch.context() as mp, sync_playwright() as p:
        mp.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        launched = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield launched
        launched.close()


# Messages the browser logs when the page breaks its Content-Security-Policy.
CSP_VIOLATIONS: list[str] = []


# What axe-core found on the pages of the running test: "URL: finding" lines.
AXE_FINDINGS: list[str] = []
AUDITED: set[str] = set()


def _axe_source() -> str:
    if not AXE.exists():
        _unavailable(f"the accessibility check needs {AXE}: run `make install` (npm ci)")
    return AXE.read_text(encoding="utf-8")


def audit(page: Any) -> None:
    """Run axe-core's WCAG 2.1 A/AA rules on the page as it is now; serious and critical
    findings fail the test at its end. Each URL is audited once per test."""
    url = page.url
    if url in AUDITED or not url.startswith("http"):
        return
    try:
        if not page.evaluate("typeof axe !== 'undefined'"):
            page.evaluate(_axe_source())
        found = page.evaluate(AXE_RUN, AXE_TAGS)
    except Exception as exc:  # the page moved on while it was audited: the next load audits
        if "navigat" in str(exc) or "destroyed" in str(exc) or "closed" in str(exc):
            return
        raise
    AUDITED.add(url)
    AXE_FINDINGS.extend(f"{url}: {finding}" for finding in found)


def watch(page: Any) -> Any:
    """Check every page loaded in ``page``: its Content-Security-Policy and its accessibility."""
    page.on(
        "console",
        lambda msg: (
            CSP_VIOLATIONS.append(msg.text) if "Content Security Policy" in msg.text else None
        ),
    )
    page.on("load", audit)
    return page


def _new_page(browser: Any) -> tuple[Any, Any]:
    context = browser.new_context(viewport=VIEWPORT, locale="zh-CN", accept_downloads=True)
    context.set_default_timeout(TIMEOUT_MS)
    return context, watch(context.new_page())


@pytest.fixture(autouse=True)
def _no_csp_violations() -> Iterator[None]:
    """Every page works under the policy (no inline script or style was refused) and passes
    axe-core's WCAG 2.1 AA rules with no serious or critical finding."""
    CSP_VIOLATIONS.clear()
    AXE_FINDINGS.clear()
    AUDITED.clear()
    yield
    assert CSP_VIOLATIONS == []
    assert AXE_FINDINGS == []


@pytest.fixture
def page(browser: Any, live_server: Any) -> Iterator[Any]:
    """A new page (1366×768, zh-CN) in its own browser context, signed in as nobody."""
    context, new = _new_page(browser)
    yield new
    context.close()


@pytest.fixture
def staff(world: World, transactional_db: None) -> World:
    """The personas of ``world`` with a usable password (the login page needs one)."""
    hashed = make_password(PASSWORD)
    get_user_model().objects.filter(pk__in=[u.pk for u in world.users.values()]).update(
        password=hashed
    )
    for user in world.users.values():  # the session hash of force_login reads it
        user.password = hashed
    return world


@pytest.fixture
def desk_as(browser: Any, live_server: Any, staff: World) -> Iterator[Callable[[Any], Any]]:
    """desk_as("handler") → a page already signed in as that persona (or user)."""
    contexts: list[Any] = []

    def open_as(persona: Any) -> Any:
        client = Client()
        client.force_login(staff.users[persona] if isinstance(persona, str) else persona)
        cookie = client.cookies[settings.SESSION_COOKIE_NAME]
        context, new = _new_page(browser)
        context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])
        contexts.append(context)
        return new

    yield open_as
    for context in contexts:
        context.close()
