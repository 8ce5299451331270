"""Browser fixtures for the administration pages: the desk's (one headless Chromium per
package, a page per test, ``desk_as``, the CSP-violation check).

Every test of this package is marked ``browser``, so ``-m "not browser"`` leaves them out;
without ``/usr/bin/chromium`` they skip, and under ``CI=true`` they fail.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tousu.desk.tests.browser.conftest import _no_csp_violations, browser, desk_as, page, staff

__all__ = ["_no_csp_violations", "browser", "desk_as", "page", "staff"]

HERE = Path(__file__).resolve().parent


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test of this package ``browser`` (the desk's hook marks only its own)."""
    for item in items:
        if HERE in item.path.resolve().parents:
            item.add_marker(pytest.mark.browser)
