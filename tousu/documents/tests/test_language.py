"""A document is written in its recipient's language where it is known, else in the
organisation's: the complainant's papers in the language they wrote in on the
portal, a desk-registered case's in the organisation's; the default keeps the Chinese text."""

from __future__ import annotations

from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any
from zoneinfo import ZoneInfo

from django.test import Client
from django.utils import translation
from pypdf import PdfReader

from tousu.conftest import World
from tousu.documents import build
from tousu.documents.tests.test_documents import REPLY, _handled, _ok, _pdf, _url
from tousu.notify.models import StaffContact
from tousu.orgs.models import Organisation
from tousu.portal.tests.test_reporter_portal import NEW, _receipt_of
from tousu.reporter import receipts

ENGLISH_REPLY = "The duplicate CT charge has been refunded to your account today."


def _lang(reader: PdfReader) -> str:
    """The language tag of the PDF (WeasyPrint copies <html lang> into the catalogue)."""
    root: Any = reader.trailer["/Root"]
    return str(root.get_object()["/Lang"])


def _reply(world: World, number: str, body: str) -> None:
    api = world.api("handler")
    _ok(
        api.act(
            number,
            "resolve",
            {"findings": "重复收费属实，已退费。", "responsibility": "organisation", "valid": True},
        )
    )
    _ok(api.act(number, "reply", {"channel": "letter", "body": body}))


def _accepted(world: World, number: str) -> None:
    _ok(world.api("dispatcher").act(number, "accept"))
    _ok(
        world.api("dispatcher").act(
            number, "assign", {"lead_department": "finance", "handler": "handler"}
        )
    )


def _from_the_portal(world: World, language: str) -> str:
    client = Client(headers={"accept-language": language})
    r = client.post(
        NEW,
        {
            "kind": "complaint",
            "category": "",
            "content": "I was charged twice for the same CT scan.",
            "demands": "A refund",
            "subject_name": "门诊收费处",
            "name": "Li Mei",
            "email": "li@example.cn",
        },
        follow=True,
    )
    assert r.status_code == 200, r.content.decode()[:2000]
    case = receipts.find(world.org, _receipt_of(r))
    assert case is not None and case.reporter_language == language
    return str(case.number)


def test_a_reply_to_a_case_submitted_in_english_is_in_english(world, desk):
    number = _from_the_portal(world, "en")
    _accepted(world, number)
    _reply(world, number, ENGLISH_REPLY)
    handler = desk("handler")  # the desk speaks Chinese: the document does not follow it
    text, reader = _pdf(handler.get(_url(number, "reply")))
    assert _lang(reader) == "en"  # <html lang>, kept in the PDF
    for expected in (
        "WrittenReply",  # the title (whitespace removed by _pdf)
        "Wehavecompletedthehandlingofthematteryouraised",
        "ProofofService",
        "Ifyoudisagreewiththisreply",
        "LiMei",
        number,
    ):
        assert expected in text, expected
    # The date the English way, not 2026年11月5日.
    assert not any(w in text for w in ("年", "月", "日"))
    for chinese in ("书面答复", "特此答复", "送达回证", "现答复如下", "盖章", "打印时间"):
        assert chinese not in text, chinese

    text, _ = _pdf(handler.get(_url(number, "registration")))
    for expected in ("ComplaintRegistrationForm", "ParticularsoftheComplainant", "Date:"):
        assert expected in text, expected
    assert "登记表" not in text and "签名" not in text


def test_a_case_registered_at_the_desk_follows_the_organisations_language(world, desk):
    number = _handled(world)
    _reply(world, number, f"王建国：{REPLY}")
    handler = desk("handler")
    # The organisation's default, Simplified Chinese: the Chinese document.
    text, reader = _pdf(handler.get(_url(number, "reply")))
    assert _lang(reader) == "zh-Hans"
    for expected in ("书面答复", "现答复如下", "特此答复", "送达回证", "年", "王建国：", REPLY):
        assert expected in text, expected
    assert "WrittenReply" not in text

    Organisation.objects.filter(pk=world.org.pk).update(language="en")
    text, _ = _pdf(handler.get(_url(number, "reply")))
    for expected in ("WrittenReply", "ProofofService", "To王建国:", REPLY):
        assert expected in text, expected
    for chinese in ("书面答复", "特此答复", "送达回证", "现答复如下"):
        assert chinese not in text, chinese

    # A complainant who wrote in Chinese on the portal keeps Chinese in an English organisation.
    portal = _from_the_portal(world, "zh-hans")
    _accepted(world, portal)
    _reply(world, portal, REPLY)
    text, _ = _pdf(handler.get(_url(portal, "reply")))
    assert "书面答复" in text and "WrittenReply" not in text


def test_document_language_and_dates(world):
    org = SimpleNamespace(language="zh-hans")
    case: Any = SimpleNamespace(org=org, reporter_language="")
    assert build.document_language(case, build.REPORTER) == "zh-hans"
    assert build.document_language(case) == "zh-hans"
    case.reporter_language = "en"
    assert build.document_language(case, build.REPORTER) == "en"
    assert build.document_language(case) == "zh-hans"  # a record: the organisation's
    org.language = "zh-hant"
    assert build.document_language(case) == "zh-hant"
    user = world.users["handler"]
    StaffContact.objects.filter(user=user).delete()
    assert build.document_language(case, user) == "zh-hant"
    StaffContact.objects.create(user=user, language="en")
    assert build.document_language(case, build.REPORTER) == "en"  # the reporter's, still
    assert build.document_language(case, user) == "en"
    case.reporter_language = "fr"  # not a language of the site: the organisation's
    assert build.document_language(case, build.REPORTER) == "zh-hant"

    moment = datetime(2026, 11, 5, 6, 30, tzinfo=UTC)
    tz = ZoneInfo("Asia/Shanghai")
    for language, day, when in (
        ("zh-hans", "2026年11月5日", "2026年11月5日 14:30"),
        ("zh-hant", "2026年11月5日", "2026年11月5日 14:30"),
        ("en", "5 November 2026", "5 November 2026 14:30"),
    ):
        with translation.override(language):
            assert build.document_date(moment, tz) == day
            assert build.document_datetime(moment, tz) == when
            assert build.document_date(None, tz) == ""
