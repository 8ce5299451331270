"""The public notice, the privacy notice and printable report-box forms."""

from __future__ import annotations

import io
import re

import pytest
from django.test import Client
from django.urls import reverse
from pypdf import PdfReader

from tousu.orgs.models import AuditEvent, Organisation
from tousu.policy.loader import preset_source
from tousu.policy.services import activate_policy
from tousu.reporter import receipts
from tousu.reporter.models import Receipt

NOTICE = """
[public_notice]
phones = ["010-12345678"]
emails = ["tousu@example.org"]
address = "北京市示例路1号"
postcode = "100000"
boxes = ["门诊大厅意见箱"]
hours_zh = "工作日 08:30—17:30"
promises_zh = ["件件有回音"]
"""


@pytest.fixture
def org(world) -> Organisation:
    activate_policy(world.org, preset_source("general") + NOTICE)
    return Organisation.objects.get(pk=world.org.pk)


def _get(path: str, language: str = "zh-hans") -> tuple[int, str]:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    response = client.get(path)
    return response.status_code, response.content.decode()


def test_the_notice_shows_channels_and_deadlines_in_chinese(org):
    status, html = _get(reverse("portal:home", kwargs={"org": org.slug}))
    assert status == 200
    assert "投诉举报须知" in html
    assert "收到后5个工作日内作出是否受理的决定" in html  # each deadline rule in words
    assert "受理后15个工作日内答复" in html
    assert "010-12345678" in html and "tousu@example.org" in html
    assert "北京市示例路1号" in html and "门诊大厅意见箱" in html
    assert "件件有回音" in html
    assert "可以匿名" in html and "回执" in html
    assert "申请重新核查" in html  # how to disagree
    assert reverse("portal:submit", kwargs={"org": org.slug}) in html
    assert reverse("portal:follow", kwargs={"org": org.slug}) in html
    assert "<script>" not in html and "style=" not in html


def test_the_notice_in_english(org):
    status, html = _get(reverse("portal:home", kwargs={"org": org.slug}), "en")
    assert status == 200
    assert "How to complain or report" in html
    assert "Decide on acceptance within 5 working days of receipt" in html
    assert "Reply within 15 working days of acceptance" in html
    assert "Follow-up visit within 10 working days of the reply (target)" in html
    assert "Complaint box" in html and "门诊大厅意见箱" in html
    assert "<strong>Fax</strong>" not in html  # no number to send to: not offered
    assert "Phone" in html and "010-12345678" in html
    assert "anonymous" in html and "receipt of 20 digits" in html
    assert "re-verification" in html


def test_a_policy_without_anonymous_reports_says_so(world):
    source = preset_source("general").replace(
        "anonymous_allowed = true", "anonymous_allowed = false"
    )
    activate_policy(world.org, source)
    _status, html = _get(reverse("portal:home", kwargs={"org": world.org.slug}))
    assert "本单位要求实名提交" in html and "可以匿名" not in html


def test_unknown_org_and_org_without_policy_are_404(world):
    assert _get("/o/nobody/")[0] == 404
    assert _get("/o/nobody/privacy/")[0] == 404
    Organisation.objects.create(slug="empty", name="无制度单位")
    assert _get("/o/empty/")[0] == 404
    assert _get("/o/empty/privacy/")[0] == 404


def test_the_privacy_notice_gives_retention_who_sees_and_rights(org):
    status, html = _get(reverse("portal:privacy", kwargs={"org": org.slug}))
    assert status == 200
    assert "个人信息保护法" in html
    assert "保存 2 年" in html
    assert "查阅" in html and "更正" in html and "删除" in html
    assert "010-12345678" in html
    status, html = _get(reverse("portal:privacy", kwargs={"org": org.slug}), "en")
    assert "kept for 2 years" in html and "correct" in html and "IP address" in html


def test_public_pages_refuse_post_and_set_no_cookie(org):
    client = Client()
    url = reverse("portal:home", kwargs={"org": org.slug})
    assert client.post(url).status_code in (403, 405)
    response = client.get(url)
    assert "sessionid" not in response.cookies


# -- report-box forms ------------------------------------------------------------------------


def _staff(world, persona: str) -> Client:
    client = Client()
    client.force_login(world.users[persona])
    return client


def test_box_forms_need_a_signed_in_staff_member_with_the_role(org, world):
    url = reverse("portal:public:box_forms", kwargs={"org": org.slug})
    anonymous = Client().get(url)
    assert anonymous.status_code == 302 and "login" in anonymous["Location"]
    assert _staff(world, "handler").get(url).status_code == 404
    assert _staff(world, "outsider").get(url).status_code == 404
    assert _staff(world, "clerk").get(url).status_code == 200
    assert _staff(world, "admin").get(url).status_code == 200
    assert Receipt.objects.count() == 0  # GET issues nothing
    assert _staff(world, "handler").post(url, {"count": "2"}).status_code == 404
    assert Receipt.objects.count() == 0


def test_box_forms_pdf_carries_n_receipts_bound_only_when_registered(org, world):
    url = reverse("portal:public:box_forms", kwargs={"org": org.slug})
    client = _staff(world, "clerk")
    assert client.post(url, {"count": "0"}).status_code == 422
    assert client.post(url, {"count": "abc"}).status_code == 422
    response = client.post(url, {"count": "3"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    reader = PdfReader(io.BytesIO(response.content))
    assert len(reader.pages) == 3
    text = "\n".join(page.extract_text() for page in reader.pages)
    found = {m.replace(" ", "") for m in re.findall(r"\d{4} \d{4} \d{4} \d{4} \d{4}", text)}
    assert len(found) == 3
    assert Receipt.objects.filter(org=org, channel="box", case__isnull=True).count() == 3
    for digits in found:
        assert receipts.find(org, digits) is None  # printed, not yet bound
    assert AuditEvent.objects.filter(type="portal.box_forms_printed", org=org).exists()

    from tousu.cases.models import Case

    number = world.api("clerk").register().json()["number"]
    case = Case.objects.get(number=number)
    first = sorted(found)[0]
    assert receipts.bind(case, first)
    assert receipts.find(org, first) == case
    assert all(receipts.find(org, d) is None for d in found - {first})
