"""The three languages of a page: Simplified Chinese, Traditional Chinese and English.

The browser's ``Accept-Language`` picks one (the Traditional Chinese regions land on zh-hant),
the switch in the top bar keeps another in a cookie, and ``<html lang>`` names it.
"""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.test import Client

from tousu.i18n import CODES

FOLLOW = "/o/acme/follow/"
SUBMIT = "/o/acme/new/"
# One string of each page in each language, from the catalogues.
WORDS = {
    FOLLOW: {"zh-Hans": "凭回执查询", "zh-Hant": "憑回執查詢", "en": "Follow a case"},
    SUBMIT: {
        "zh-Hans": "提交投诉举报",
        "zh-Hant": "提交投訴舉報",
        "en": "Submit a complaint or report",
    },
}


def _lang(page: str) -> str:
    found = re.search(r'<html lang="([^"]+)">', page)
    assert found, "the page names its language"
    return found.group(1)


def test_the_settings_offer_the_three_languages_the_source_first() -> None:
    assert [code for code, _ in settings.LANGUAGES] == list(CODES)
    assert dict(settings.LANGUAGES) == {
        "zh-hans": "简体中文",
        "zh-hant": "繁體中文",
        "en": "English",
    }
    assert settings.LANGUAGE_CODE == "zh-hans"


@pytest.mark.parametrize(
    ("header", "lang"),
    [
        ("zh-TW", "zh-Hant"),
        ("zh-HK", "zh-Hant"),
        ("zh-MO", "zh-Hant"),
        ("zh-Hant", "zh-Hant"),
        ("zh-Hant-TW", "zh-Hant"),
        ("zh-tw,en;q=0.5", "zh-Hant"),
        ("zh-CN", "zh-Hans"),
        ("zh-SG", "zh-Hans"),
        ("zh", "zh-Hans"),
        ("zh-Hans", "zh-Hans"),
        ("en-US,en;q=0.9", "en"),
        ("en-GB", "en"),
        ("fr-FR", "zh-Hans"),  # not offered: the source language
        ("", "zh-Hans"),
    ],
)
def test_accept_language_picks_the_page_language(world, header: str, lang: str) -> None:
    response = Client(HTTP_ACCEPT_LANGUAGE=header).get(FOLLOW)
    assert response.status_code == 200
    page = response.content.decode()
    assert _lang(page) == lang
    assert WORDS[FOLLOW][lang] in page
    others = {w for code, w in WORDS[FOLLOW].items() if code != lang}
    assert not [w for w in others if w in page]
    assert response["Content-Language"] == {"zh-Hans": "zh-hans", "zh-Hant": "zh-hant"}.get(
        lang, lang
    )


def test_the_switch_offers_the_three_and_marks_the_page_language(world) -> None:
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-HK")
    page = client.get(SUBMIT).content.decode()
    form = re.search(r'<form[^>]*class="lang".*?</form>', page, re.S)
    assert form
    buttons = re.findall(r"<button ([^>]*)>([^<]*)</button>", form.group())
    assert [(re.search(r'value="([^"]+)"', a).group(1), label) for a, label in buttons] == [  # type: ignore[union-attr]
        ("zh-hans", "简体"),
        ("zh-hant", "繁體"),
        ("en", "English"),
    ]
    assert ['lang="zh-Hans"' in buttons[0][0], 'lang="zh-Hant"' in buttons[1][0]] == [True, True]
    assert [("aria-current" in attrs) for attrs, _ in buttons] == [False, True, False]


def test_the_switch_keeps_the_chosen_language_over_the_browser_s(world) -> None:
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-CN")
    for code, lang in [("zh-hant", "zh-Hant"), ("en", "en"), ("zh-hans", "zh-Hans")]:
        response = client.post("/i18n/setlang/", {"language": code, "next": SUBMIT})
        assert response.status_code == 302 and response["Location"] == SUBMIT
        assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == code
        page = client.get(SUBMIT).content.decode()
        assert _lang(page) == lang
        assert WORDS[SUBMIT][lang] in page
        assert re.search(rf'value="{code}" lang="[^"]+" aria-current="true"', page)


def test_a_language_not_offered_is_ignored(world) -> None:
    # Django's set_language stores any language Django itself has a catalogue for; the
    # middleware then finds it is not one of LANGUAGES and goes by Accept-Language.
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-TW")
    response = client.post("/i18n/setlang/", {"language": "fr", "next": SUBMIT})
    assert response.status_code == 302
    assert _lang(client.get(SUBMIT).content.decode()) == "zh-Hant"


def test_the_desk_names_its_language_too(world) -> None:
    # The desk's login page extends the desk's frame: same switch, same <html lang>.
    page = Client(HTTP_ACCEPT_LANGUAGE="zh-TW").get("/accounts/login/").content.decode()
    assert _lang(page) == "zh-Hant"
    assert 'value="zh-hant" lang="zh-Hant" aria-current="true">繁體</button>' in page
