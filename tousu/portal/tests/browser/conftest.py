"""Browser fixtures for the portal: the desk's (one headless Chromium per package, a page
per test, ``desk_as``, the CSP-violation check), plus a phone-sized page.

Every test of this package is marked ``browser`` like the desk's, so ``-m "not browser"``
leaves them out; without ``/usr/bin/chromium`` they skip, and under ``CI=true`` they fail.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tousu.desk.tests.browser.conftest import (
    TIMEOUT_MS,
    _no_csp_violations,
    browser,
    desk_as,
    page,
    staff,
    watch,
)

__all__ = ["_no_csp_violations", "browser", "desk_as", "page", "staff"]

PHONE = {"width": 390, "height": 844}
HERE = Path(__file__).resolve().parent


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test of this package ``browser`` (the desk's hook marks only its own
    package, being tied to its directory)."""
    for item in items:
        if HERE in item.path.resolve().parents:
            item.add_marker(pytest.mark.browser)


@pytest.fixture
def phone(browser: Any, live_server: Any) -> Iterator[Any]:
    """A page on a phone-sized screen (390×844, touch, zh-CN), signed in as nobody."""
    context = browser.new_context(
        viewport=PHONE, device_scale_factor=3, is_mobile=True, has_touch=True, locale="zh-CN"
    )
    context.set_default_timeout(TIMEOUT_MS)
    new = watch(context.new_page())
    yield new
    context.close()
