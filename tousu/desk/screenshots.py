"""``make screenshots``: pictures of the desk at 1366×768, from a fresh demo installation.

Runs ``tousu migrate`` and ``tousu demo`` on a temporary SQLite database (and a temporary
``TOUSU_VAR_DIR`` for its keys and static files), serves it with ``tousu run`` on a free
port, signs in through the login page as the demo users and saves one PNG per page into
the output directory (default ``docs/screenshots``) under stable names. A page that is
not installed (404) is skipped and said so; the run fails only
when the server or the browser cannot start, or a page that exists cannot be shown.

    python -m tousu.desk.screenshots [OUTPUT_DIR]
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from playwright.sync_api import Browser, Page, ViewportSize, sync_playwright

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
VIEWPORT: ViewportSize = {"width": 1366, "height": 768}
ORG = "demo"
PASSWORD = "tousu-demo"  # noqa: S105 — the published password of the demo logins
START_TIMEOUT = 90.0


class Unavailable(Exception):
    """The page is not installed; the picture is skipped."""


@dataclass(frozen=True)
class Shot:
    name: str  # file name without .png
    user: str  # demo login, or "" for signed out
    show: Callable[[Page, str], None]  # brings the page to what the picture shows
    phone: bool = False  # the public portal is pictured as a phone shows it


PHONE: ViewportSize = {"width": 390, "height": 844}


def _portal(path: str) -> Callable[[Page, str], None]:
    """A page of the public portal, signed out, full length."""

    def show(page: Page, base: str) -> None:
        response = page.goto(f"{base}/o/{ORG}/{path}")
        if response is None or response.status == 404:
            raise Unavailable(f"/o/{ORG}/{path} is not installed")

    return show


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _tousu(*args: str, env: dict[str, str]) -> None:
    command = [sys.executable, "-m", "tousu.cli", *args]
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603 — our own command
    if done.returncode != 0:
        sys.stderr.write(done.stdout + done.stderr)
        raise SystemExit(f"screenshots: `tousu {' '.join(args)}` failed ({done.returncode})")


@contextmanager
def demo_server(var: Path) -> Iterator[str]:
    """A fresh demo installation served on a free port; yields its base URL."""
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{var / 'tousu.sqlite3'}",
        "TOUSU_VAR_DIR": str(var),
        "PORT": str(port),
        "TOUSU_BASE_URL": base,
        "TOUSU_RUN_WORKER": "false",
        "WEB_CONCURRENCY": "1",
    }
    for name in ("TOUSU_SECRET_KEY", "TOUSU_MASTER_KEY", "TOUSU_INDEX_KEY", "TOUSU_REDIS_URL"):
        env.pop(name, None)  # fresh keys in the temporary directory, jobs stay local
    _tousu("migrate", "--noinput", "--verbosity", "0", env=env)
    _tousu("demo", env=env)
    log = (var / "server.log").open("wb")
    server = subprocess.Popen(  # noqa: S603 — our own command
        [sys.executable, "-m", "tousu.cli", "run", "--port", str(port), "--workers", "1"],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        _wait_until_up(base, server, var / "server.log")
        yield base
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()


def _wait_until_up(base: str, server: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.stderr.write(log.read_text(errors="replace"))
            raise SystemExit(f"screenshots: the server stopped ({server.returncode})")
        try:
            with urllib.request.urlopen(f"{base}/", timeout=2):  # noqa: S310 — our local server
                return
        except urllib.error.HTTPError:
            return  # it answers
        except OSError:
            time.sleep(0.3)
    sys.stderr.write(log.read_text(errors="replace"))
    raise SystemExit(f"screenshots: the server did not answer on {base} in {START_TIMEOUT:.0f} s")


def sign_in(page: Page, base: str, user: str, target: str) -> None:
    """Open ``target`` signed out, sign in on the login page it sends to, land on it."""
    page.goto(f"{base}{target}")
    if page.locator("input[name=password]").count():
        page.locator("input[name=username]").fill(user)
        page.locator("input[name=password]").fill(PASSWORD)
        with page.expect_navigation():
            page.locator("input[name=password]").press("Enter")
    if not page.url.startswith(f"{base}{target}"):
        page.goto(f"{base}{target}")


def _settle(page: Page) -> None:
    page.wait_for_load_state("networkidle")
    page.evaluate("document.fonts.ready")


def _login(page: Page, base: str) -> None:
    page.goto(f"{base}/")


def _queue(code: str) -> Callable[[Page, str], None]:
    def show(page: Page, base: str) -> None:
        page.goto(f"{base}/desk/{ORG}/queue/{code}/")

    return show


def _register(page: Page, base: str) -> None:
    page.goto(f"{base}/desk/{ORG}/new/")
    page.locator("#c_phone").fill("13905712468")
    page.locator("#c_name").fill("王建国")
    page.locator("#category").fill("fees")
    page.locator("#content").fill(
        "我父亲在放射科做了一次胸部CT平扫，费用清单上同一项检查收了两次，多收了386元。"
    )
    page.locator("#demands").fill("退还多收的386元，并说明原因")
    page.locator("#c_name").focus()
    page.evaluate("window.scrollTo(0, 0)")


def _open_case(page: Page, base: str) -> None:
    """The first case of the handler's own queue."""
    page.goto(f"{base}/desk/{ORG}/queue/mine/")
    first = page.locator("table.cases tbody a").first
    if not first.count():
        raise Unavailable("the handler's queue is empty")
    with page.expect_navigation():
        first.click()


def _case_actions(page: Page, base: str) -> None:
    """The same case scrolled to what the handler can do, one action unfolded."""
    _open_case(page, base)
    actions = page.locator("#h-actions")
    if not actions.count():
        raise Unavailable("the case offers the handler no action")
    resolve = page.locator("details#act-resolve summary")
    if resolve.count():
        resolve.click()
    page.evaluate("document.getElementById('h-actions').scrollIntoView()")


def _section(path: str) -> Callable[[Page, str], None]:
    """A section of the desk (ledger, duty, administration); skipped when not installed."""

    def show(page: Page, base: str) -> None:
        response = page.goto(f"{base}/desk/{ORG}/{path}")
        if response is None or response.status == 404:
            raise Unavailable(f"/desk/{ORG}/{path} is not installed")
        if not response.ok:
            raise RuntimeError(f"/desk/{ORG}/{path} answered {response.status}")

    return show


SHOTS = (
    Shot("01-login", "", _login),
    Shot("02-queue-mine", "handler", _queue("mine")),
    Shot("03-queue-overdue", "supervisor", _queue("overdue")),
    Shot("04-register", "clerk", _register),
    Shot("05-case", "handler", _open_case),
    Shot("06-case-actions", "handler", _case_actions),
    Shot("07-ledger", "supervisor", _section("ledger/")),
    Shot("08-duty", "supervisor", _section("duty/")),
    Shot("09-admin", "admin", _section("manage/")),
    Shot("10-portal-notice", "", _portal(""), phone=True),
    Shot("11-portal-submit", "", _portal("new/"), phone=True),
    Shot("12-portal-follow", "", _portal("follow/"), phone=True),
    Shot("13-queue-approvals", "leader", _queue("approvals")),
    Shot("14-queue-phone", "supervisor", _queue("close"), phone=True),
)


def take(browser: Browser, base: str, out: Path) -> list[str]:
    """Every picture of SHOTS; returns the names skipped, each with its reason."""
    skipped = []
    for shot in SHOTS:
        context = browser.new_context(
            viewport=PHONE if shot.phone else VIEWPORT, locale="zh-CN", is_mobile=shot.phone
        )
        context.set_default_timeout(20_000)
        page = context.new_page()
        try:
            if shot.user:
                sign_in(page, base, shot.user, f"/desk/{ORG}/queue/dispatch/")
            shot.show(page, base)
            _settle(page)
            page.screenshot(path=str(out / f"{shot.name}.png"))
            print(f"  {shot.name}.png  {page.url.removeprefix(base)}")
        except Unavailable as why:
            skipped.append(f"{shot.name}: {why}")
            print(f"  {shot.name}: skipped ({why})")
        finally:
            context.close()
    return skipped


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("out", nargs="?", default="docs/screenshots", type=Path)
    args = parser.parse_args(argv)
    out: Path = args.out
    if not Path(CHROMIUM).exists():
        raise SystemExit(f"screenshots: {CHROMIUM} is missing (apt-get install -y chromium)")
    out.mkdir(parents=True, exist_ok=True)
    with (
        tempfile.TemporaryDirectory(prefix="tousu-screenshots-") as tmp,
        demo_server(Path(tmp)) as base,
        sync_playwright() as p,
    ):
        print(f"screenshots: demo organisation served on {base}; writing {out}/")
        # Chromium's own widgets (date pickers, file choosers) follow LANG; in Chinese
        # when the Debian package chromium-l10n is installed, in English otherwise.
        chinese: dict[str, str | float | bool] = {
            **os.environ,
            "LANG": "zh_CN.UTF-8",
            "LANGUAGE": "zh_CN",
        }
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, env=chinese)
        try:
            skipped = take(browser, base, out)
        finally:
            browser.close()
    if skipped:
        print("screenshots: skipped " + "; ".join(skipped))


if __name__ == "__main__":
    main()
