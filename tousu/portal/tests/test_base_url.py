"""The public address: warned of at start-up and on the box-form print page when it is not
set or opens only on this machine; printed on the forms when it is set."""

from __future__ import annotations

import io
import subprocess
from typing import Any

import pytest
from django.core import checks
from django.core.management import call_command
from django.test import Client
from pypdf import PdfReader

from tousu.conf import base_url_warning, local_only
from tousu.conftest import World
from tousu.orgs.management.commands import run

BOX_FORMS = "/o/acme/box-forms/"


@pytest.mark.parametrize(
    ("url", "local"),
    [
        ("http://127.0.0.1:8000", True),
        ("http://127.8.0.1", True),
        ("http://localhost:8000/", True),
        ("http://app.localhost", True),
        ("http://[::1]:8000", True),
        ("http://0.0.0.0:8000", True),
        ("http://169.254.10.1", True),
        ("https://tousu.example.org", False),
        ("http://10.0.0.5:8000", False),  # an intranet address may be what the office uses
        ("https://203.0.113.9", False),
    ],
)
def test_an_address_that_opens_only_here_is_told_apart(url: str, local: bool) -> None:
    assert local_only(url) is local


def test_the_system_check_warns_until_a_public_address_is_set(settings: Any) -> None:
    settings.TOUSU_BASE_URL, settings.TOUSU_BASE_URL_SET = "http://127.0.0.1:8000", False
    found = [m for m in checks.run_checks(tags=["tousu"]) if m.id == "tousu.W001"]
    assert len(found) == 1 and found[0].level == checks.WARNING
    assert "TOUSU_BASE_URL is not set" in found[0].msg and "127.0.0.1:8000" in found[0].msg
    settings.TOUSU_BASE_URL, settings.TOUSU_BASE_URL_SET = "http://localhost", True
    assert [m.id for m in checks.run_checks(tags=["tousu"])] == ["tousu.W001"]
    settings.TOUSU_BASE_URL = "https://tousu.example.org"
    assert [m.id for m in checks.run_checks(tags=["tousu"])] == []


def test_tousu_run_warns_at_start_up(settings: Any, monkeypatch: Any) -> None:
    settings.TOUSU_BASE_URL, settings.TOUSU_BASE_URL_SET = "http://127.0.0.1:8000", False
    monkeypatch.setattr(run, "call_command", lambda *a, **k: None)
    monkeypatch.setattr(subprocess, "Popen", lambda *a, **k: None)
    monkeypatch.setattr(run, "_supervise", lambda children: 0)
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(SystemExit):
        call_command("run", "--no-worker", stdout=out, stderr=err)
    assert "TOUSU_BASE_URL is not set" in err.getvalue()
    settings.TOUSU_BASE_URL, settings.TOUSU_BASE_URL_SET = "https://tousu.example.org", True
    err = io.StringIO()
    with pytest.raises(SystemExit):
        call_command("run", "--no-worker", stdout=io.StringIO(), stderr=err)
    assert "TOUSU_BASE_URL" not in err.getvalue()
    assert base_url_warning("https://tousu.example.org", True) == ""


def _clerk(world: World) -> Client:
    client = Client()
    client.force_login(world.users["clerk"])
    return client


def _notice(page: str) -> str:
    start = page.index('id="address-warning"')
    return page[page.rindex("<div", 0, start) : page.index("</div>", start)]


def test_the_print_page_tells_the_one_printing_not_the_paper(world: World, settings: Any) -> None:
    settings.TOUSU_BASE_URL, settings.TOUSU_BASE_URL_SET = "http://127.0.0.1:8000", False
    settings.ALLOWED_HOSTS = ["127.0.0.1", "tousu.example.org"]
    # Opened on this machine: the address printed would open only here.
    here = Client(HTTP_HOST="127.0.0.1:8000")
    here.force_login(world.users["clerk"])
    notice = _notice(here.get(BOX_FORMS).content.decode())
    assert "no-print" in notice and 'role="alert"' in notice
    assert "http://127.0.0.1:8000/o/acme/follow/" in notice and "公众无法访问" in notice
    assert "TOUSU_BASE_URL" in notice and "不会印在表格上" in notice
    # Opened by a public name without the setting: told what will be printed, and to set it.
    public = Client(HTTP_HOST="tousu.example.org")
    public.force_login(world.users["clerk"])
    notice = _notice(public.get(BOX_FORMS).content.decode())
    assert "http://tousu.example.org/o/acme/follow/" in notice and "未配置" in notice


def test_the_forms_carry_the_configured_public_address(world: World, settings: Any) -> None:
    settings.TOUSU_BASE_URL, settings.TOUSU_BASE_URL_SET = "https://tousu.example.org", True
    clerk = _clerk(world)
    assert 'id="address-warning"' not in clerk.get(BOX_FORMS).content.decode()
    pdf = clerk.post(BOX_FORMS, {"count": "1"})
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "tousu.example.org/o/acme/follow/" in text.replace("\n", "")
    assert "testserver" not in text and "TOUSU_BASE_URL" not in text
