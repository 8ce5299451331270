"""Served over https, the session and CSRF cookies travel only over TLS and browsers are
told to stay on https (HSTS); a proxy's "this was https" header counts only when trusted.

Settings are read once, at start-up, so each case starts a fresh process with its own
environment and reports what the settings became and what a request got back.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

PROBE = r"""
import json, django
django.setup()
from django.conf import settings
from django.test import Client

def answer(response):
    cookie = response.cookies.get("csrftoken")
    return {
        "status": response.status_code,
        "hsts": response.headers.get("Strict-Transport-Security"),
        "csrf_cookie_secure": bool(cookie and cookie["secure"]),
    }

client = Client()
print(json.dumps({
    "session_secure": settings.SESSION_COOKIE_SECURE,
    "csrf_secure": settings.CSRF_COOKIE_SECURE,
    "hsts_seconds": settings.SECURE_HSTS_SECONDS,
    "hsts_subdomains": settings.SECURE_HSTS_INCLUDE_SUBDOMAINS,
    "proxy_header": getattr(settings, "SECURE_PROXY_SSL_HEADER", None),
    "trusted_origins": settings.CSRF_TRUSTED_ORIGINS,
    "over_tls": answer(client.get("/accounts/login/", secure=True)),
    "proxied": answer(client.get("/accounts/login/", headers={"x-forwarded-proto": "https"})),
}))
"""


def _settings(tmp_path: Path, **env: str) -> dict[str, Any]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("TOUSU_")}
    clean.pop("DATABASE_URL", None)
    clean.update(
        DJANGO_SETTINGS_MODULE="tousu.settings",
        TOUSU_VAR_DIR=str(tmp_path),
        TOUSU_SECRET_KEY="k" * 50,
        **env,
    )
    out = subprocess.run(
        [sys.executable, "-c", PROBE],
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert out.returncode == 0, out.stderr[-3000:]
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def test_an_https_base_url_marks_the_cookies_secure_and_sends_hsts(tmp_path: Path) -> None:
    got = _settings(tmp_path, TOUSU_BASE_URL="https://tousu.example.cn")
    assert got["session_secure"] is True and got["csrf_secure"] is True
    assert got["hsts_seconds"] >= 31_536_000 and got["hsts_subdomains"] is False
    assert got["trusted_origins"] == ["https://tousu.example.cn"]
    assert got["over_tls"]["status"] == 200
    assert got["over_tls"]["hsts"] == "max-age=31536000"
    assert got["over_tls"]["csrf_cookie_secure"] is True
    # No proxy is trusted: a client's own X-Forwarded-Proto makes nothing https.
    assert got["proxy_header"] is None
    assert got["proxied"]["hsts"] is None


def test_a_trusted_proxy_s_protocol_header_counts_as_tls(tmp_path: Path) -> None:
    got = _settings(
        tmp_path,
        TOUSU_BASE_URL="https://tousu.example.cn",
        TOUSU_TRUSTED_PROXY_PROTO_HEADER="X-Forwarded-Proto",
        TOUSU_HSTS_INCLUDE_SUBDOMAINS="true",
    )
    assert got["proxy_header"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert got["proxied"]["hsts"] == "max-age=31536000; includeSubDomains"
    assert got["proxied"]["csrf_cookie_secure"] is True


def test_a_plain_http_base_url_keeps_cookies_usable_on_a_laptop(tmp_path: Path) -> None:
    """Control: on http://127.0.0.1 a Secure cookie would never come back, so none is set."""
    got = _settings(tmp_path, TOUSU_BASE_URL="http://127.0.0.1:8000")
    assert got["session_secure"] is False and got["csrf_secure"] is False
    assert got["hsts_seconds"] == 0 and got["over_tls"]["hsts"] is None
    # An explicit setting wins over the base URL (a TLS proxy on a private name).
    got = _settings(tmp_path, TOUSU_BASE_URL="http://tousu.internal", TOUSU_SECURE_COOKIES="1")
    assert got["session_secure"] is True and got["csrf_secure"] is True
