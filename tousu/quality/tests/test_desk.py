"""The desk: the complaint form with 客户加工中未确定, the amend and 8D forms, the case
page's quality section, the printable 客户抱怨处理表 and who may see them."""

from __future__ import annotations

import io
import re
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from pypdf import PdfReader

from tousu.cases.models import Case, Event
from tousu.quality.models import SubTask
from tousu.quality.tests.conftest import Plant

pytestmark = pytest.mark.django_db

REGISTRATION = {
    "kind": "complaint",
    "channel": "phone",
    "category": "quality",
    "c_name": "客户采购部",
    "c_phone": "13800000000",
    "content": "订单SO-2611-0042的PCB-8L-A33共2000片，其中120片分层起泡。",
    "demands": "退货120片，其余客户加工中未确定",
    "s_type": "product",
    "s_name": "PCB-8L-A33",
    "f_order_no": "SO-2611-0042",
    "f_part_no": "PCB-8L-A33",
    "f_ship_qty": "2000",
    "f_ship_date": "2026-11-03",
    "f_defective_qty": "120",
    "f_return_qty": "",
    "f_return_qty__undetermined": "on",
    "f_customer_demand": "退货",
    "f_samples": "on",
}


def _ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.content.decode()[:3000]
    return response


def _registered(plant: Plant) -> Case:
    rep = plant.desk("rep")
    response = rep.post("/desk/pcb/new/", REGISTRATION)
    _ok(response, 302)
    case = Case.objects.get(org=plant.org)
    assert response["Location"].endswith(f"/cases/{case.number}/")
    return case


def _text(response: Any) -> str:
    _ok(response)
    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    return re.sub(r"\s+", "", "".join(page.extract_text() for page in reader.pages))


def test_the_complaint_form_says_not_yet_determined_and_the_amend_form_changes_it(
    plant: Plant,
) -> None:
    form = _ok(plant.desk("rep").get("/desk/pcb/new/")).content.decode()
    assert 'name="f_return_qty__undetermined"' in form and "客户加工中未确定" in form
    assert 'name="f_root_cause"' not in form  # the 8D fields come later, not at intake
    case = _registered(plant)
    assert case.fields == {
        "order_no": "SO-2611-0042", "part_no": "PCB-8L-A33", "ship_qty": 2000,
        "ship_date": "2026-11-03", "defective_qty": 120, "return_qty": "undetermined",
        "customer_demand": "退货", "samples": True,
    }  # fmt: skip
    assert case.missing_fields == []

    # A quantity that is not a number is refused on the form, nothing registered.
    bad = dict(REGISTRATION, f_ship_qty="两千", f_return_qty__undetermined="")
    page = _ok(plant.desk("rep").post("/desk/pcb/new/", bad), 422).content.decode()
    assert "交运数量" in page and Case.objects.count() == 1

    # Amend: the form offers the field prefilled with 未确定; the customer now knows: 150.
    officer = plant.desk("pm_officer")
    url = f"/desk/pcb/cases/{case.number}/"
    page = _ok(officer.get(url)).content.decode()
    assert 'name="fields.return_qty.undetermined"' in page
    assert 'name="fields.root_cause"' in page  # the record_quality form
    post = {"fields.return_qty": "150", "fields.ship_qty": "2000", "fields.samples": "true"}
    _ok(officer.post(url + "act/amend/", post), 302)
    case.refresh_from_db()
    assert case.fields["return_qty"] == 150 and case.fields["ship_qty"] == 2000
    amended = Event.objects.filter(case=case, type="amended").get()
    assert amended.data["changed"] == ["fields.return_qty"]  # only what changed
    # And back to "not yet determined" with the checkbox.
    post = {"fields.return_qty": "150", "fields.return_qty.undetermined": "on"}
    _ok(officer.post(url + "act/amend/", post), 302)
    case.refresh_from_db()
    assert case.fields["return_qty"] == "undetermined"
    # Malformed: 422 on the page, nothing written.
    seq = case.last_seq
    post = {"fields.defective_qty": "一百二十", "fields.ship_date": "2026-11-03"}
    page = _ok(officer.post(url + "act/amend/", post), 422).content.decode()
    assert "不良数量" in page
    case.refresh_from_db()
    assert case.last_seq == seq and case.fields["defective_qty"] == 120


def test_the_case_page_and_the_8d_report_and_who_sees_them(plant: Plant) -> None:
    case = _registered(plant)
    url = f"/desk/pcb/cases/{case.number}/"
    officer = plant.desk("pm_officer")
    _ok(officer.post(url + "act/accept/", {}), 302)
    # The QA engineer is named: they write the 8D report to the customer (need-to-know).
    handler = plant.users["qa_engineer"].get_username()
    _ok(officer.post(url + "act/assign/", {"lead_department": "qa", "handler": handler}), 302)
    qa_head = plant.desk("qa_head")
    page = _ok(qa_head.get(url)).content.decode()
    assert "分派子任务" in page and "制造部：详细调查" in page  # the defaults are offered
    later = (timezone.localdate() + timedelta(days=20)).isoformat()
    # As a browser posts it: the default chosen, the rest left empty.
    blank = {"department": "", "instruction": "", "due_in_working_days": "", "due_date": ""}
    _ok(
        qa_head.post(url + "act/assign_subtask/", {**blank, "default": "manufacturing_report"}),
        302,
    )
    assert 'type="date"' in page and "按默认子任务" in page
    _ok(
        qa_head.post(
            url + "act/assign_subtask/",
            {"department": "qa", "instruction": "检验确认", "due_date": later},
        ),
        302,
    )
    bad = {"department": "qa", "instruction": "检验确认", "due_date": "2026-02-30"}
    _ok(qa_head.post(url + "act/assign_subtask/", bad), 422)
    assert SubTask.objects.filter(case=case).count() == 2

    # Manufacturing now sees the case and answers its sub-task from the page.
    mfg = plant.desk("mfg_engineer")
    page = _ok(mfg.get(url)).content.decode()
    assert "完成子任务" in page
    _ok(mfg.post(url + "act/complete_subtask/", {"subtask": "2", "result": "x"}), 403)
    result = "压合课2号线夜班10月28日层压机温控故障"
    _ok(mfg.post(url + "act/complete_subtask/", {"subtask": "1", "result": result}), 302)

    # QA records the 8D fields from the form.
    qa = plant.desk("qa_engineer")
    post = {
        "fields.root_cause": "层压温度偏低导致分层",
        "fields.corrective_action": "更换温控器，首件点检",
        "fields.responsibility": "制造责任",
        "fields.quality_confirmed": "true",
    }
    _ok(qa.post(url + "act/record_quality/", post), 302)
    case.refresh_from_db()
    assert case.fields["quality_confirmed"] is True
    assert case.fields["responsibility"] == "制造责任"
    # The same form again, unchanged: nothing to record.
    _ok(qa.post(url + "act/record_quality/", post), 422)

    page = _ok(qa.get(url)).content.decode()
    section = page[page.index('id="quality"') :]
    assert "层压温度偏低导致分层" in section and "制造部" in section
    assert "已完成" in section and result in section
    assert "客户加工中未确定" in section
    assert "剩余" in section  # QA's sub-task: working days left

    text = _text(qa.get(url + "quality/report.pdf"))
    for expected in (
        "客户抱怨处理表",
        str(case.number),
        "SO-2611-0042",
        "PCB-8L-A33",
        "客户加工中未确定",
        "层压温度偏低导致分层",
        "制造责任",
        "制造部",
        "已完成",
        "效果待确认",
        "客户采购部",
    ):
        assert expected in text, expected
    # The auditor reads the report but not the customer's name.
    text = _text(plant.desk("auditor").get(url + "quality/report.pdf"))
    assert "SO-2611-0042" in text and "客户采购部" not in text and "13800000000" not in text
    _ok(plant.desk("auditor").post(url + "act/record_quality/", post), 403)

    # Outsiders: another department without a sub-task, another organisation: 404 alike.
    for name in ("gm_clerk", "outsider"):
        client = plant.desk(name)
        for path in ("", "quality/report.pdf"):
            org = "elsewhere" if name == "outsider" else "pcb"
            assert client.get(f"/desk/{org}/cases/{case.number}/{path}").status_code == 404
            assert client.get(url + path).status_code == 404
        assert (
            client.post(url + "act/complete_subtask/", {"subtask": "2", "result": "x"}).status_code
            == 404
        )
    assert Event.objects.filter(case=case, type="subtask_completed").count() == 1
