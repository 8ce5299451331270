"""Penalty stories end to end through the API and the desk: written notices, the case
page, the ledger and its export, and every page and endpoint from the outsider's side.

scenic-area: the ticket clerk's second complaint — the fine approved by the area head,
the counting rule proposing a suspension, the written notice. enterprise: the penalised
clerk appeals to the general manager. tobacco: the decision stands during the appeal.
A department penalty. Names of the penalised only for the staff-record readers; the
reporter never, to anyone, in any of them.
"""

from __future__ import annotations

import io
import re
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook
from pypdf import PdfReader

from tousu.accountability.models import Appeal, Penalty
from tousu.accountability.tests.test_penalties import (
    PHONE,
    REPORTER,
    Org,
    _client,
    _enterprise,
    _fine_approved,
    _scenic,
)
from tousu.cases.models import Case, Event, Notification
from tousu.conftest import Api
from tousu.ops.tokens import create_token
from tousu.orgs.services import create_user, set_profile
from tousu.reports.ledger import EXPORT_COLUMNS
from tousu.reports.tests import exporting

pytestmark = pytest.mark.django_db


def _api(o: Org, name: str) -> Api:
    return Api(Client(), create_token(o.users[name]), o.org.slug)


def _pdf_text(response: Any) -> str:
    assert response.status_code == 200, response.content[:500]
    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    return re.sub(r"\s+", "", "".join(page.extract_text() for page in reader.pages))


def _snapshot() -> tuple[Any, ...]:
    return (
        Event.objects.count(),
        list(
            Penalty.objects.order_by("pk").values_list("status", "in_force", "notice_delivered_at")
        ),
        Appeal.objects.count(),
    )


def _scenic_world() -> Org:
    o = _scenic()
    o.users["auditor"] = create_user("scenic_auditor", org=o.org, role="auditor")
    o.users["guide"] = create_user(
        "scenic_guide", org=o.org, role="handler", department="reception"
    )
    return o


# --------------------------------------------------------------------------- scenic area


def test_scenic_second_complaint_through_the_api_and_the_desk() -> None:
    o = _scenic_world()
    now = timezone.now()
    first = o.complaint("ticket", now - timedelta(days=200))
    _fine_approved(o, first, now - timedelta(days=199))
    second = o.complaint("ticket", now - timedelta(days=1))
    number = str(second.number)

    # The duty supervisor proposes the fine through the API ...
    r = _api(o, "duty").act(number, "propose_penalty", {
        "staff": "scenic_ticket", "kind": "fine", "reason": "第二次对游客说脏话",
    })  # fmt: skip
    assert r.status_code == 200, r.content
    fine = Penalty.objects.get(case=second, kind="fine")
    # ... the area head approves it from the case page's form.
    head = _client(o, "head")
    r = head.post(f"/desk/scenic/cases/{number}/act/decide_penalty/",
                  {"penalty": fine.pk, "approved": "true"})  # fmt: skip
    assert r.status_code in (302, 303), r.content.decode()[:2000]
    fine.refresh_from_db()
    assert fine.status == Penalty.Status.APPROVED and fine.in_force
    # Written notice (notify_in_writing): issued with the decision, an event says so.
    assert fine.notice_issued_at is not None
    decided = Event.objects.filter(case=second, type="penalty_decided").latest("seq")
    assert decided.data["written_notice"]["title"] == "处罚决定通知书"
    # The counting rule proposed the suspension to the area head.
    suspension = Penalty.objects.get(kind="suspension")
    assert suspension.status == Penalty.Status.PROPOSED and suspension.triggered_by_id == fine.pk

    # The case page: the head sees both penalties, the counting rule and the notice link.
    page = head.get(f"/desk/scenic/cases/{number}/").content.decode()
    assert 'id="penalties"' in page and "scenic_ticket" in page
    assert (
        "两次被游客投诉" in page and f"/desk/scenic/people/penalties/{fine.pk}/notice.pdf" in page
    )
    # The record shows the proposed suspension to the head, for appraisal.
    record = head.get("/desk/scenic/people/scenic_ticket/").content.decode()
    assert "两次被游客投诉" in record and "待审批" in record

    # The clerk is told in-app; the notice opens their own record with the notice's link.
    clerk = _client(o, "ticket")
    note = Notification.objects.filter(user_id=o.uid("ticket"), case=second,
                                       kind="penalty_decided").get()  # fmt: skip
    r = clerk.post(f"/desk/scenic/inbox/{note.pk}/read/")
    assert r.status_code == 302 and r["Location"] == "/desk/scenic/people/scenic_ticket/"
    own = clerk.get("/desk/scenic/people/scenic_ticket/").content.decode()
    assert f"/desk/scenic/people/penalties/{fine.pk}/notice.pdf" in own
    assert REPORTER not in own and PHONE not in own

    # Delivery (送达) recorded through the API: an event, and the notice's receipt says how.
    delivered = (now - timedelta(hours=1)).isoformat()
    r = _api(o, "head").act(number, "record_notice_delivered", {
        "penalty": fine.pk, "delivered_at": delivered, "how": "in_person",
    })  # fmt: skip
    assert r.status_code == 200, r.content
    fine.refresh_from_db()
    assert fine.notice_delivered_at is not None and fine.notice_delivered_how == "in_person"
    assert Event.objects.filter(case=second, type="penalty_notice_delivered").count() == 1

    # The written notice, as the clerk prints it from their record.
    text = _pdf_text(clerk.get(f"/desk/scenic/people/penalties/{fine.pk}/notice.pdf"))
    for expected in ("处罚决定通知书", o.org.name, number, "第二次对游客说脏话", "100.00",
                     "第7条至第12条", "申诉", "不停止执行", "盖章", "送达回证",
                     "直接送达"):  # fmt: skip
        assert expected in text, expected
    assert REPORTER not in text and PHONE not in text
    # The same notice over the API, for a staff-record reader.
    assert number in _pdf_text(_api(o, "duty").get(f"/penalties/{fine.pk}/notice.pdf"))

    # The API's penalties of the case, for the roles that see them.
    rows = _api(o, "head").get(f"/cases/{number}/penalties").json()
    assert {(p["kind"], p["status"]) for p in rows} == {("fine", "approved"),
                                                       ("suspension", "proposed")}  # fmt: skip
    assert all(p["staff"]["username"] == "scenic_ticket" for p in rows)

    # The head decides the suspension; it then shows on the clerk's own record.
    o.act("head", "decide_penalty", second, penalty=suspension.pk, approved=True)
    own = clerk.get("/desk/scenic/people/scenic_ticket/").content.decode()
    assert "两次被游客投诉的立即暂停工作" in own


def test_scenic_outsiders_see_no_penalty_and_no_notice() -> None:
    o = _scenic_world()
    case = o.complaint("ticket", timezone.now())
    fine = _fine_approved(o, case, timezone.now())
    number = str(case.number)
    notice = f"/desk/scenic/people/penalties/{fine.pk}/notice.pdf"

    # Another staff member, a colleague in the department, the intake clerk: no notice.
    for name in ("other", "guide", "clerk", "reception_head", "auditor"):
        assert _client(o, name).get(notice).status_code == 404, name
        assert _api(o, name).get(f"/penalties/{fine.pk}/notice.pdf").status_code == 404, name
    # A penalised person asking for someone else's notice.
    o.act("duty", "propose_penalty", case, staff="scenic_other", kind="warning", reason="旁观")
    mine = Penalty.objects.get(staff=o.users["other"])
    o.act("head", "decide_penalty", case, penalty=mine.pk, approved=True)
    assert _client(o, "other").get(notice).status_code == 404
    assert (
        _client(o, "other").get(f"/desk/scenic/people/penalties/{mine.pk}/notice.pdf").status_code
        == 200
    )
    # Another organisation: nothing there, not on its own desk, not through the API.
    stranger = Org("elsewhere", "general", {"boss": ("leader", None)})
    assert _client(stranger, "boss").get(notice).status_code == 404
    assert (
        _client(stranger, "boss")
        .get(f"/desk/elsewhere/people/penalties/{fine.pk}/notice.pdf")
        .status_code
        == 404
    )
    assert _api(stranger, "boss").get(f"/penalties/{fine.pk}/notice.pdf").status_code == 404
    assert _api(stranger, "boss").get(f"/cases/{number}/penalties").status_code == 404
    # No appeal decision exists yet: 404 even for the person.
    assert (
        _client(o, "ticket")
        .get(f"/desk/scenic/people/penalties/{fine.pk}/appeal-decision.pdf")
        .status_code
        == 404
    )
    # A proposal has no notice yet.
    o.act("duty", "propose_penalty", case, staff="scenic_ticket", kind="warning", reason="警告")
    proposed = Penalty.objects.get(staff=o.users["ticket"], kind="warning")
    assert (
        _client(o, "head")
        .get(f"/desk/scenic/people/penalties/{proposed.pk}/notice.pdf")
        .status_code
        == 404
    )

    # The case's penalties: the subject and other organisations 404; the intake clerk sees
    # the case but not its penalties (403 on the API, no section on the page).
    assert _api(o, "ticket").get(f"/cases/{number}/penalties").status_code == 404
    assert _api(o, "clerk").get(f"/cases/{number}/penalties").status_code == 403
    page = _client(o, "clerk").get(f"/desk/scenic/cases/{number}/")
    assert page.status_code == 200 and 'id="penalties"' not in page.content.decode()
    assert "对游客说脏话或谩骂者" not in page.content.decode()  # the penalty's wording

    # The auditor reads, never writes: 403 through the API and the desk, nothing changes.
    before = _snapshot()
    for action, body in (
        ("propose_penalty", {"staff": "scenic_ticket", "kind": "fine", "reason": "x"}),
        ("decide_penalty", {"penalty": proposed.pk, "approved": True}),
        ("record_notice_delivered", {"penalty": fine.pk,
                                     "delivered_at": timezone.now().isoformat()}),
    ):  # fmt: skip
        assert _api(o, "auditor").act(number, action, body).status_code == 403, action
    r = _client(o, "auditor").post(f"/desk/scenic/cases/{number}/act/decide_penalty/",
                                   {"penalty": proposed.pk, "approved": "true"})  # fmt: skip
    assert r.status_code in (403, 404)
    # A handler cannot record a delivery either.
    assert _api(o, "other").act(
        number,
        "record_notice_delivered",
        {"penalty": fine.pk, "delivered_at": timezone.now().isoformat()},
    ).status_code in (403, 404)
    assert _snapshot() == before


def test_the_ledger_and_its_export_carry_the_measures_names_only_for_record_readers() -> None:
    o = _scenic_world()
    set_profile(o.users["ticket"], org=o.org, name="李晓售", title="售票员")
    case = o.complaint("ticket", timezone.now())
    _fine_approved(o, case, timezone.now())
    o.act("reception_head", "propose_penalty", case, department="reception", kind="warning",
          reason="部门管理不到位")  # fmt: skip

    def row(name: str) -> str:
        html = _client(o, name).get("/desk/scenic/ledger/").content.decode()
        assert "处理措施与问责" in html
        start = html.index(f"/desk/scenic/cases/{case.number}/")
        return html[start : html.index("</tr>", start)]

    # The area head reads staff records: the clerk's name.
    head_row = row("head")
    assert "李晓售" in head_row and "罚款" in head_row and "已决定" in head_row
    assert "scenic_ticket" not in head_row  # the name, never the login
    # The department head proposes penalties but reads no records: no name.
    dept_row = row("reception_head")
    assert "处罚：工作人员" in dept_row and "李晓售" not in dept_row
    assert "接待部门" in head_row  # a department is named to all who see penalties
    # The intake clerk sees the case but no penalties at all.
    assert "处罚：" not in row("clerk")
    for name in ("head", "reception_head"):
        measures = row(name).split('class="c-measures">', 1)[1]
        assert REPORTER not in measures and PHONE not in measures

    response: Any = exporting.ledger(_client(o, "head"), "scenic")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content)))["台帐"]
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert rows[0] == [c.zh for c in EXPORT_COLUMNS] and rows[0][-1] == "处理措施与问责"
    mine = next(r for r in rows[1:] if r[0] == case.number)
    measures = str(mine[-1])
    assert "李晓售" in measures and "100.00元" in measures and "部门管理" not in measures


# --------------------------------------------------------------------------- enterprise


def test_enterprise_appeal_to_the_general_manager_through_desk_and_api() -> None:
    o = _enterprise()
    case = o.complaint("clerk", timezone.now(), status="closed")
    number = str(case.number)
    r = _api(o, "office").act(number, "propose_penalty", {
        "staff": "ent_logistics", "kind": "fine", "amount": "200", "reason": "未按客户期限发货",
    })  # fmt: skip
    assert r.status_code == 200, r.content
    penalty = Penalty.objects.get()
    assert _api(o, "gm").act(number, "decide_penalty",
                             {"penalty": penalty.pk, "approved": True}).status_code == 200  # fmt: skip
    penalty.refresh_from_db()
    assert penalty.notice_issued_at is None  # this policy does not notify in writing

    # The clerk appeals from their own record; the case itself stays hidden from them.
    person = Client()
    person.force_login(o.users["logistics"])
    r = person.post(f"/desk/ent/people/ent_logistics/appeal/{penalty.pk}/",
                    {"reason": "延误系生产原因"})  # fmt: skip
    assert r.status_code == 302
    assert person.get(f"/desk/ent/cases/{number}/").status_code == 404
    assert _api(o, "logistics").get(f"/cases/{number}/penalties").status_code == 404

    # The appeal is recorded on the case, for the general manager.
    rows = _api(o, "gm").get(f"/cases/{number}/penalties").json()
    assert rows[0]["appeals"][0]["status"] == "pending"
    assert rows[0]["appeals"][0]["to_role"] == "leader"
    page = _client(o, "gm").get(f"/desk/ent/cases/{number}/").content.decode()
    assert "延误系生产原因" in page
    # Nobody else decides it; the general manager revokes it through the API.
    assert _api(o, "office").act(number, "decide_appeal",
                                 {"penalty": penalty.pk, "upheld": False}).status_code == 403  # fmt: skip
    r = _api(o, "gm").act(number, "decide_appeal",
                          {"penalty": penalty.pk, "upheld": False, "note": "责任在生产部"})  # fmt: skip
    assert r.status_code == 200, r.content
    assert Appeal.objects.get().status == Appeal.Status.REVOKED

    # The clerk sees the decision, and never the reporter.
    own = person.get("/desk/ent/people/ent_logistics/").content.decode()
    assert "撤销原决定" in own and "责任在生产部" in own
    assert REPORTER not in own and PHONE not in own
    decision = f"/desk/ent/people/penalties/{penalty.pk}/appeal-decision.pdf"
    text = _pdf_text(person.get(decision))
    for expected in ("申诉处理决定书", "延误系生产原因", "撤销原处罚决定", "责任在生产部", number):
        assert expected in text, expected
    assert REPORTER not in text and PHONE not in text
    assert "撤销" in _pdf_text(
        _api(o, "logistics").get(f"/penalties/{penalty.pk}/appeal-decision.pdf")
    )
    # A colleague in the same department: nothing.
    assert _client(o, "colleague").get(decision).status_code == 404
    assert (
        _api(o, "colleague").get(f"/penalties/{penalty.pk}/appeal-decision.pdf").status_code == 404
    )


def test_the_penalised_person_reads_their_record_and_appeals_through_the_api() -> None:
    """The API mirrors the record page: the person reads their own record (never the
    reporter) and appeals their own penalty; nobody appeals someone else's."""
    o = _enterprise()
    case = o.complaint("clerk", timezone.now(), status="closed")
    number = str(case.number)
    _api(o, "office").act(number, "propose_penalty", {
        "staff": "ent_logistics", "kind": "fine", "amount": "200", "reason": "未按客户期限发货",
    })  # fmt: skip
    penalty = Penalty.objects.get()
    _api(o, "gm").act(number, "decide_penalty", {"penalty": penalty.pk, "approved": True})
    person, colleague = _api(o, "logistics"), _api(o, "colleague")

    r = person.get("/people/ent_logistics/record")
    assert r.status_code == 200, r.content
    record = r.json()
    assert record["own"] is True and record["appeal_to"]
    assert [p["id"] for p in record["penalties"]] == [penalty.pk]
    assert record["penalties"][0]["appealable"] is True
    assert REPORTER not in r.content.decode() and PHONE not in r.content.decode()
    # Someone else's record, and an unknown person: the same 404.
    assert colleague.get("/people/ent_logistics/record").status_code == 404
    assert person.get("/people/nobody/record").status_code == 404

    before = _snapshot()
    # A colleague appealing someone else's penalty, an empty reason: refused, nothing written.
    r = colleague.post(f"/penalties/{penalty.pk}/appeal", {"reason": "替他申诉"})
    assert r.status_code == 404
    r = person.post(f"/penalties/{penalty.pk}/appeal", {"reason": ""})
    assert r.status_code == 422
    assert person.post("/penalties/999999/appeal", {"reason": "x"}).status_code == 404
    assert _snapshot() == before

    r = person.post(f"/penalties/{penalty.pk}/appeal", {"reason": "延误系生产原因"})
    assert r.status_code == 200, r.content
    row = r.json()
    assert row["appeals"][0]["status"] == "pending" and row["appealable"] is False
    assert Appeal.objects.get().reason == "延误系生产原因"
    # Once is enough: a second appeal is refused with a message in both languages.
    r = person.post(f"/penalties/{penalty.pk}/appeal", {"reason": "再次申诉"})
    assert 400 <= r.status_code < 500 and r.json()["message"]["zh"] and r.json()["message"]["en"]
    assert Appeal.objects.count() == 1


# --------------------------------------------------------------------------- tobacco


def test_tobacco_the_decision_stands_during_the_appeal_and_the_notice_says_so() -> None:
    o = Org("tob", "tobacco", {"clerk": ("intake_clerk", None),
                               "officer": ("handler", "inspection_brigade"),
                               "sup": ("supervisor", None), "lead": ("leader", None)})  # fmt: skip
    case = o.complaint("officer", timezone.now() - timedelta(days=3), status="closed")
    o.act("sup", "propose_penalty", case, staff="tob_officer", kind="criticism", reason="态度粗暴")
    penalty = Penalty.objects.get()
    o.act("lead", "decide_penalty", case, penalty=penalty.pk, approved=True)
    officer = _client(o, "officer")
    notice = f"/desk/tob/people/penalties/{penalty.pk}/notice.pdf"
    text = _pdf_text(officer.get(notice))
    assert "30日内" in text and "不停止执行" in text and "批评教育" in text
    r = officer.post(f"/desk/tob/people/tob_officer/appeal/{penalty.pk}/", {"reason": "申请复核"})
    assert r.status_code == 302
    penalty.refresh_from_db()
    assert penalty.status == Penalty.Status.APPROVED and penalty.in_force  # stands meanwhile
    rows = _api(o, "lead").get(f"/cases/{case.number}/penalties").json()
    assert rows[0]["in_force"] is True and rows[0]["appeals"][0]["status"] == "pending"
    o.act("lead", "decide_appeal", case, penalty=penalty.pk, upheld=True, note="维持")
    assert Appeal.objects.get().status == Appeal.Status.UPHELD
    penalty.refresh_from_db()
    assert penalty.in_force and penalty.status == Penalty.Status.APPROVED


# --------------------------------------------------------------------------- a department


def test_a_department_penalty_is_noticed_to_its_head() -> None:
    o = _scenic_world()
    case = o.complaint("ticket", timezone.now())
    r = _api(o, "duty").act(str(case.number), "propose_penalty", {
        "department": "reception", "kind": "warning", "reason": "部门对员工教育不到位",
    })  # fmt: skip
    assert r.status_code == 200, r.content
    penalty = Penalty.objects.get()
    o.act("head", "decide_penalty", case, penalty=penalty.pk, approved=True)
    assert Notification.objects.filter(user_id=o.uid("reception_head"),
                                       kind="penalty_decided").exists()  # fmt: skip
    notice = f"/desk/scenic/people/penalties/{penalty.pk}/notice.pdf"
    text = _pdf_text(_client(o, "reception_head").get(notice))
    assert "被处罚部门" in text and "部门对员工教育不到位" in text
    assert REPORTER not in text
    # A member of the department who is not its head, and the clerk complained about.
    for name in ("guide", "ticket"):
        assert _client(o, name).get(notice).status_code == 404, name
    rows = _api(o, "head").get(f"/cases/{case.number}/penalties").json()
    assert rows[0]["department"]["code"] == "reception" and rows[0]["staff"] is None
    assert Case.objects.get(pk=case.pk).status == "resolved"
