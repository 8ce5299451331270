"""An anonymous reporter on a phone, and the staff on the desk, through a whole case:
submit with a picture and keep the receipt; answer the handler's question; read the
reply, rate it and ask for re-verification."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from PIL import Image

from tousu.cases.models import Case, Event
from tousu.desk.tests.browser.steps import act, case_url, done_message, open_action, submit
from tousu.evidence.models import Attachment
from tousu.reporter import receipts
from tousu.reporter.models import Message

from .conftest import PHONE

CONTENT = "小区门口的便利店长期向未成年人出售香烟，上周六下午亲眼所见。"
QUESTION = "您好，请问大约是几点看到的？店员是否查验了身份证？"
ANSWER = "下午四点左右，店员没有查验身份证。"
REPLY = "经现场核查，该店确有向未成年人售烟的行为，已责令整改并移送市场监管部门处理。"
REASON = "整改后该店仍在向学生售烟，昨天又看到了。"


def fits_the_phone(page: Any) -> None:
    """No horizontal scrolling: the page is no wider than the screen."""
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], (page.url, width)


def tap(page: Any, name: str) -> None:
    """Press a button and wait for the page that comes back."""
    with page.expect_navigation():
        page.get_by_role("button", name=name).click()


def test_an_anonymous_reporter_follows_a_case_on_a_phone_while_staff_handle_it(
    phone, desk_as, live_server, staff, settings, tmp_path: Path
) -> None:
    settings.TOUSU_FILES_DIR = tmp_path / "files"
    picture = tmp_path / "现场照片.png"
    buffer = io.BytesIO()
    Image.new("RGB", (120, 80), (180, 40, 40)).save(buffer, format="PNG")
    picture.write_bytes(buffer.getvalue())

    # The public notice, then the form.
    phone.goto(f"{live_server.url}/o/acme/")
    assert "投诉举报须知" in phone.locator("h1").inner_text()
    fits_the_phone(phone)
    with phone.expect_navigation():
        phone.get_by_role("link", name="在线提交投诉、举报").click()
    assert "提交投诉举报" in phone.locator("h1").inner_text()
    fits_the_phone(phone)
    phone.locator("#kind").select_option("report")
    phone.get_by_label("发生了什么").fill(CONTENT)
    phone.get_by_label("您的诉求").fill("依法查处")
    phone.get_by_label("名称或姓名").fill("小区门口便利店")
    phone.get_by_label("匿名提交").check()
    phone.locator("#attachments").set_input_files(str(picture))
    tap(phone, "提交")

    # The receipt, shown once.
    assert "我们已收到您的反映" in phone.locator("h1").inner_text()
    assert "已一并提交的材料" in phone.locator("main").inner_text()
    fits_the_phone(phone)
    digits = phone.locator("#receipt").inner_text().replace(" ", "")
    assert len(digits) == receipts.DIGITS and digits.isdigit()
    found = receipts.find(staff.org, digits)
    assert found is not None and found.content == CONTENT
    case: Case = found
    assert case.parties.get().anonymous
    assert Attachment.objects.get(case=case).source == "portal"

    # The case is accepted and assigned; the handler asks a question from the desk.
    act(case, staff.actor("dispatcher"), "accept", note="属本单位职责，予以受理")
    act(case, staff.actor("dispatcher"), "assign", lead_department="finance", handler="handler")
    desk = desk_as("handler")
    desk.goto(case_url(live_server, case))
    form = open_action(desk, "message_reporter")
    form.get_by_label("内容").fill(QUESTION)
    submit(desk, form)
    assert "已完成" in done_message(desk)

    # The reporter comes back with the receipt, reads the question and answers.
    phone.goto(f"{live_server.url}/o/acme/follow/")
    fits_the_phone(phone)
    phone.get_by_label("查询回执号").fill(" ".join(digits[i : i + 4] for i in range(0, 20, 4)))
    tap(phone, "查询")
    assert str(case.number) in phone.locator("h1").inner_text()
    assert "正在办理" in phone.locator("#status").inner_text()
    assert QUESTION in phone.locator("main").inner_text()
    fits_the_phone(phone)
    phone.get_by_label("给办理人员留言").fill(ANSWER)
    tap(phone, "发送")
    assert "留言已发送" in phone.locator("[role=status]").inner_text()
    assert ANSWER in phone.locator("main").inner_text()

    # Staff resolve and reply.
    handler = staff.actor("handler")
    act(case, handler, "resolve", findings="售烟属实，已责令整改。", responsibility="third_party")
    act(case, handler, "reply", channel="web", body=REPLY)

    # The reporter reads the reply, rates it and disagrees.
    phone.reload()
    assert "已答复" in phone.locator("#status").inner_text()
    assert REPLY in phone.locator("main").inner_text()
    fits_the_phone(phone)
    phone.get_by_label("不满意", exact=True).check()
    phone.get_by_label("意见（可选）").fill("整改没有落实")
    tap(phone, "提交评价")
    assert "感谢您的评价" in phone.locator("[role=status]").inner_text()
    assert "您的评价：不满意" in phone.locator("main").inner_text()
    phone.get_by_label("异议理由").fill(REASON)
    tap(phone, "提交异议")
    assert "您的异议已提交" in phone.locator("[role=status]").inner_text()
    assert "正在办理" in phone.locator("#status").inner_text()
    fits_the_phone(phone)

    # What the database holds now.
    case.refresh_from_db()
    assert case.status == "in_progress" and case.reopen_count == 1
    rated = Event.objects.filter(case=case, type="reporter_rated").get()
    assert rated.data["satisfaction"] == "dissatisfied"
    assert case.satisfaction == ""  # re-verification starts a new round of outcome fields
    types = list(Event.objects.filter(case=case).order_by("seq").values_list("type", flat=True))
    portal_events = [t for t in types if t.startswith(("reporter_", "message"))]
    assert portal_events[0] == "reporter_evidence_added", types
    disagreed = Event.objects.filter(case=case, type="reporter_disagreed").get()
    assert disagreed.data["outcome"] == "reopened"
    assert types.index("reporter_wrote") < types.index("replied") < types.index("reporter_rated")
    assert types.index("reporter_rated") < types.index("reporter_disagreed")
    assert types[-1] == "reporter_disagreed"
    messages = Message.objects.filter(case=case).order_by("created_at", "pk")
    assert [(m.direction, m.body, m.author_id) for m in messages] == [
        ("out", QUESTION, staff.users["handler"].pk),
        ("in", ANSWER, None),
    ]
