"""Printed documents: content, embedded Chinese fonts, need-to-know, and when each exists."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.utils import translation
from pypdf import PdfReader

from tousu.cases.models import CaseRecord
from tousu.documents import build
from tousu.documents.pdf import LocalFetcher
from tousu.documents.render import STATIC_DIR
from tousu.documents.views import content_disposition
from tousu.policy.loader import parse_toml, preset_source
from tousu.privacy.models import IdentityAccess

REPLY = "您好，经核实，CT检查确属重复收费，多收的费用已于今日退还至您的账户。"
TERMS = "收费处当场退还重复收取的CT检查费用，投诉人不再就此事追究。"


def _ok(response: Any) -> Any:
    assert response.status_code in (200, 201), response.content.decode()[:2000]
    return response


def _handled(world: Any, **register: Any) -> str:
    """A case registered by the clerk, accepted and assigned to the finance handler."""
    number: str = _ok(world.api("clerk").register(**register)).json()["number"]
    _ok(world.api("dispatcher").act(number, "accept"))
    _ok(
        world.api("dispatcher").act(
            number, "assign", {"lead_department": "finance", "handler": "handler"}
        )
    )
    return number


def _pdf(response: Any) -> tuple[str, PdfReader]:
    assert response.status_code == 200, response.content.decode(errors="replace")[:2000]
    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    # Titles are letter-spaced: compare without whitespace.
    text = re.sub(r"\s+", "", "".join(page.extract_text() for page in reader.pages))
    return text, reader


def _embedded_fonts(reader: PdfReader) -> set[str]:
    """Names of the fonts whose program is embedded (a /FontFile, /FontFile2 or /FontFile3)."""
    found: set[str] = set()
    for page in reader.pages:
        resources: Any = page["/Resources"].get_object()
        fonts: Any = resources.get("/Font", {})
        for ref in fonts.get_object().values():
            font = ref.get_object()
            parts = [font] + [d.get_object() for d in font.get("/DescendantFonts", [])]
            for part in parts:
                descriptor = part.get("/FontDescriptor")
                if descriptor is None:
                    continue
                descriptor = descriptor.get_object()
                if any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")):
                    found.add(str(part["/BaseFont"]))
    return found


def _url(number: str, kind: str) -> str:
    return f"cases/{number}/documents/{kind}.pdf"


def test_documents_of_a_complaint_from_mediation_to_delivery(world, desk):
    number = _handled(world)
    handler = desk("handler")
    page = handler.get(f"cases/{number}/").content.decode()
    assert "文书" in page and "registration.pdf" in page
    assert "mediation.pdf" not in page and "reply.pdf" not in page

    api = world.api("handler")
    _ok(api.act(number, "record", {"kind": "mediation", "body": TERMS, "outcome": "agreement"}))
    _ok(
        api.act(
            number,
            "resolve",
            {"findings": "重复收费属实，已退费。", "responsibility": "organisation", "valid": True},
        )
    )
    _ok(api.act(number, "reply", {"channel": "letter", "body": f"王建国：{REPLY}"}))
    # 送达 is recorded with the record action: when, to whom, where or how, what.
    _ok(
        api.act(
            number,
            "record",
            {
                "kind": "delivery",
                "body": "书面答复一份，挂号信寄送。",
                "occurred_at": "2026-11-30T10:00:00+08:00",
                "participants": ["王建国"],
                "location": "挂号信邮寄",
            },
        )
    )
    assert CaseRecord.objects.filter(case__number=number, kind="delivery").count() == 1
    page = handler.get(f"cases/{number}/").content.decode()
    assert "mediation.pdf" in page and "reply.pdf" in page and "调解书" in page

    before = IdentityAccess.objects.filter(case__number=number, surface="document").count()
    response = handler.get(_url(number, "reply"))
    text, reader = _pdf(response)
    for expected in ("示例医院", number, "书面答复", REPLY, "送达回证", "挂号信邮寄"):
        assert expected in text, expected
    assert "王建国：" in text  # addressed by name: this viewer may see the identity
    assert text.count("王建国：") == 1  # the reply's own salutation is not printed twice
    fonts = _embedded_fonts(reader)
    assert fonts and all("CJK" in f and "Noto" in f for f in fonts), fonts
    assert any("Serif" in f for f in fonts) and any("Sans" in f for f in fonts), fonts
    assert response["Content-Disposition"] == (
        f"inline; filename=\"reply-{number}.pdf\"; filename*=UTF-8''reply-{number}.pdf"
    )
    assert "no-store" in response["Cache-Control"]
    after = IdentityAccess.objects.filter(case__number=number, surface="document")
    assert after.count() == before + 1
    assert after.filter(user=world.users["handler"]).exists()

    text, _ = _pdf(handler.get(_url(number, "mediation")))
    assert "调解书" in text and TERMS in text and "王建国" in text

    text, _ = _pdf(handler.get(_url(number, "registration")))
    for expected in ("投诉登记表", number, "王建国", "13912345678", "门诊收费处", "电话"):
        assert expected in text, expected
    assert "签名" in text and "受理决定" in text  # signature lines; the promised deadlines


def test_a_sealed_report_prints_without_the_reporter(world, desk):
    number = _handled(
        world,
        kind="report",
        channel="letter",
        content="举报收费处私自加收费用。举报人李秀英，电话13800001111，可提供收据。",
        complainant={"anonymous": False, "name": "李秀英", "phone": "13800001111"},
    )
    text, _ = _pdf(desk("dispatcher").get(_url(number, "registration")))
    assert "举报登记表" in text and number in text and "示例医院" in text
    assert "私自加收费用" in text
    assert "李秀英" not in text and "13800001111" not in text
    assert "依规保密" in text
    assert not IdentityAccess.objects.filter(case__number=number, surface="document").exists()


def test_need_to_know_and_documents_that_do_not_exist_yet(world, desk, client):
    number = _handled(world)
    for persona, org in (("outsider", "other"), ("outsider", "acme"), ("handler2", "acme")):
        for kind in ("registration", "mediation", "reply"):
            r = desk(persona, org).get(_url(number, kind))
            assert r.status_code == 404, (persona, org, kind)
    assert desk("handler").get(_url("TS-1999-999999", "registration")).status_code == 404

    r = client.get(f"/desk/acme/{_url(number, 'registration')}")
    assert r.status_code == 302 and "/login/" in r["Location"]

    handler = desk("handler")
    r = handler.get(_url(number, "reply"))
    assert r.status_code == 404 and "本案尚未答复" in r.content.decode()
    r = handler.get(_url(number, "mediation"))
    assert r.status_code == 404 and "本案尚无调解记录" in r.content.decode()
    handler.client.cookies["django_language"] = "en"
    r = handler.get(_url(number, "reply"), **{"HTTP_ACCEPT_LANGUAGE": "en"})
    assert r.status_code == 404 and "has not been replied to yet" in r.content.decode()
    assert handler.client.post(f"/desk/acme/{_url(number, 'registration')}").status_code == 405
    assert not IdentityAccess.objects.filter(case__number=number, surface="document").exists()


def test_filenames_and_the_fetcher():
    assert content_disposition("reply-投诉-1.pdf") == (
        "inline; filename=\"reply-__-1.pdf\"; filename*=UTF-8''reply-%E6%8A%95%E8%AF%89-1.pdf"
    )
    fetcher = LocalFetcher()
    assert fetcher.allowed((STATIC_DIR / "print.css").as_uri())
    assert fetcher.allowed("data:text/css,p{}")
    for url in (
        "https://fonts.example.com/a.woff2",
        "http://127.0.0.1/x.css",
        "ftp://example.com/a",
        Path("/etc/passwd").as_uri(),
        (STATIC_DIR / ".." / ".." / "views.py").as_uri(),
        "file://example.com/etc/passwd",
    ):
        assert not fetcher.allowed(url), url
    with pytest.raises(ValueError):
        fetcher.fetch("https://example.com/font.woff2")


def test_the_way_to_disagree_follows_the_policy():
    def lines(preset: str, review_level: int = 0) -> str:
        doc = build.Document(
            case=SimpleNamespace(review_level=review_level),  # type: ignore[arg-type]
            data={},
            policy=parse_toml(preset_source(preset)),
            tz=ZoneInfo("Asia/Shanghai"),
            now=datetime(2026, 11, 30, tzinfo=UTC),
            org_name="示例医院",
            person="投诉人",
            kind_label="投诉",
        )
        with translation.override("zh-hans"):  # the words of a Chinese document
            return "".join(build.disagreement(doc))

    assert "如对本答复有异议，可向示例医院提出，本单位将重新核实" in lines("general")
    assert "12315" in lines("consumer-12315")
    assert "自收到本答复之日起30日内请求复查" in lines("petitions")
    assert "请求复核" in lines("petitions", 1)
    assert "复核意见" in lines("petitions", 2) and "不再重复受理" in lines("petitions", 2)
