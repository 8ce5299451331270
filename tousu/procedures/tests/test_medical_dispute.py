"""The hospital's medical-dispute procedure, from the story: a patient dies after surgery and
the family disputes the care — records sealed in front of both parties, the health authority
notified, the adjudication committee's decision told to both parties."""

from __future__ import annotations

import io
import json
import re
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.utils import timezone
from pypdf import PdfReader

from tousu.cases import inputs, intake
from tousu.cases.access import Actor, actor_for
from tousu.cases.actions import ACTION_FUNCTIONS
from tousu.cases.errors import TousuError
from tousu.cases.models import Case, CaseRecord, Event, Notification
from tousu.ops.tokens import create_token
from tousu.orgs.models import Organisation
from tousu.orgs.services import create_user
from tousu.policy.services import create_org
from tousu.procedures import ledger
from tousu.procedures.models import ProcedureRun, StepRecord
from tousu.reports.extras import PROVIDERS

pytestmark = pytest.mark.django_db

CST = ZoneInfo("Asia/Shanghai")
FAMILY = "何军"
SEAL = "F-2026-017"


@pytest.fixture(autouse=True)
def _no_stale_caches_after(_fresh_process_caches: None) -> Iterator[None]:
    yield
    from tousu.clock.overrides import clear_cache
    from tousu.orgs import models as org_models
    from tousu.policy import models as policy_models

    org_models._DEPARTMENT_IDS.clear()
    policy_models._LOADED.clear()
    clear_cache()


PEOPLE: dict[str, tuple[str, str | None]] = {
    "clerk": ("intake_clerk", "outpatient"),
    "dispatcher": ("dispatcher", None),
    "office_head": ("department_head", "medical_affairs"),
    "office": ("handler", "medical_affairs"),
    "vp": ("leader", None),
    "supervisor": ("supervisor", None),
    "finance": ("handler", "finance"),
    "auditor": ("auditor", None),
}


class Hospital:
    def __init__(self) -> None:
        self.org = create_org("hosp", "某县人民医院", "hospital")
        self.other = create_org("elsewhere", "另一医院", "hospital")
        self.users = {
            name: create_user(
                f"hosp_{name}",
                org=self.org,
                role=role,
                department=dept,
                name="张敏" if name == "office" else None,
            )
            for name, (role, dept) in PEOPLE.items()
        }
        self.users["outsider"] = create_user("elsewhere_disp", org=self.other, role="dispatcher")

    def actor(self, name: str) -> Actor:
        org: Organisation = self.other if name == "outsider" else self.org
        return actor_for(self.users[name], org.slug)

    def desk(self, name: str) -> Client:
        client = Client()
        client.force_login(self.users[name])
        return client

    def api(self, name: str) -> Client:
        return Client(headers={"authorization": f"Bearer {create_token(self.users[name])}"})


@pytest.fixture
def h() -> Hospital:
    return Hospital()


def _act(action: str, case: Case, actor: Actor, body: dict[str, Any]) -> Case:
    fn, schema = ACTION_FUNCTIONS[action]
    return fn(case.pk, actor=actor, data=schema.model_validate(body))


def _state(case: Case) -> tuple[Any, ...]:
    case.refresh_from_db()
    return (
        case.status, case.complexity, case.last_seq, Event.objects.count(),
        CaseRecord.objects.count(), ProcedureRun.objects.count(), StepRecord.objects.count(),
        Notification.objects.count(),
    )  # fmt: skip


def _refused(
    action: str, case: Case, actor: Actor, body: dict[str, Any], status: int, code: str = ""
) -> TousuError:
    before = _state(case)
    with pytest.raises(TousuError) as refused:
        _act(action, case, actor, body)
    assert refused.value.status == status, refused.value.as_json()
    if code:
        assert refused.value.code == code, refused.value.as_json()
    assert _state(case) == before
    return refused.value


def _at(day: int, hour: int, minute: int = 0) -> str:
    return datetime(2026, 11, day, hour, minute, tzinfo=CST).isoformat()


def _dispute(h: Hospital, category: str = "medical_dispute") -> Case:
    """Registered at the visit, accepted and routed to medical affairs."""
    case = intake.register(
        h.actor("clerk"),
        inputs.RegisterIn.model_validate(
            {
                "kind": "complaint", "channel": "visit", "category": category,
                "content": "患者术后次日死亡，家属对手术及术后护理有异议。",
                "demands": "查明死因，追究责任",
                "complainant": {"name": FAMILY, "phone": "13200008888"},
                "subject": {"type": "department", "name": "胸外科"},
            }
        ),
    )  # fmt: skip
    _act("accept", case, h.actor("dispatcher"), {})
    # Named: the handler of a dispute talks to the patient's family (need-to-know).
    _act(
        "assign", case, h.actor("dispatcher"),
        {"lead_department": "medical_affairs", "handler": "hosp_office"},
    )  # fmt: skip
    case.refresh_from_db()
    return case


SEAL_ITEMS: dict[str, Any] = {
    "procedure": "medical_dispute", "step": "seal_items",
    "body": "医患双方在场，清点封存现场实物",
    "items": ["输液袋及输液器（术后第1组）", "注射器2支", "头孢曲松钠空瓶1个"],
    "location": "胸外科护士站", "occurred_at": _at(20, 10),
    "sealed_by": ["医务科 刘科长", "胸外科护士长 张某"], "witnesses": ["保卫科 王某"],
    "patient_signatory": FAMILY, "hospital_signatory": "医务科 刘科长", "seal_number": SEAL,
}  # fmt: skip
SEAL_RECORDS: dict[str, Any] = {
    "procedure": "medical_dispute", "step": "seal_records",
    "items": ["住院病历原件（含手术记录、护理记录）"], "location": "医务科",
    "occurred_at": _at(20, 11), "sealed_by": ["医务科 刘科长"], "witnesses": ["病案室主任"],
    "patient_refused": True, "hospital_signatory": "医务科 刘科长", "seal_number": "F-2026-018",
}  # fmt: skip
AUTHORITY: dict[str, Any] = {
    "procedure": "medical_dispute", "step": "authority", "target": "health_authority",
    "occurred_at": _at(20, 15), "method": "written", "reference": "医务〔2026〕31号",
    "body": "术后死亡，家属有异议，按重大医疗纠纷报告",
}  # fmt: skip
AUTOPSY: dict[str, Any] = {
    "procedure": "medical_dispute", "step": "autopsy", "family_member": FAMILY,
    "family_relation": "儿子", "answer": "consent", "died_at": _at(20, 2),
    "occurred_at": _at(20, 12), "body_kept": "医院太平间冷藏柜（3号）",
}  # fmt: skip
APPRAISAL: dict[str, Any] = {
    "procedure": "medical_dispute", "step": "appraisal", "target": "medical_association",
    "occurred_at": _at(22, 9), "reference": "鉴定委托书 2026-45",
}  # fmt: skip
COMMITTEE: dict[str, Any] = {
    "procedure": "medical_dispute", "step": "committee", "occurred_at": _at(25, 14),
    "location": "第二会议室", "members": ["副院长 赵某", "医务科科长 刘某", "护理部主任 孙某"],
    "decision": "术后观察存在不足，医院承担次要责任，按鉴定结论协商赔偿。",
}  # fmt: skip
DECISION: dict[str, Any] = {
    "procedure": "medical_dispute", "step": "decision",
    "patient_told": FAMILY, "patient_told_at": _at(26, 10), "patient_told_how": "in_person",
    "hospital_told": "胸外科主任 周某", "hospital_told_at": _at(26, 11),
    "hospital_told_how": "written",
}  # fmt: skip


def _pdf_text(response: Any) -> str:
    assert response.status_code == 200, response.content.decode(errors="replace")[:1500]
    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    return re.sub(r"\s+", "", "".join(page.extract_text() for page in reader.pages))


def _pdf_url(case: Case, step: str) -> str:
    return f"/desk/hosp/cases/{case.number}/procedures/medical_dispute/{step}.pdf"


# --------------------------------------------------------------------------- the story


def test_a_death_after_surgery_runs_the_medical_dispute_procedure_end_to_end(h: Hospital) -> None:
    case = _dispute(h)
    assert case.complexity != "major"
    office_head, office = h.actor("office_head"), h.actor("office")

    _act("start_procedure", case, office_head, {"procedure": "medical_dispute"})
    case.refresh_from_db()
    assert case.complexity == "major"
    started = Event.objects.get(case=case, type="procedure_started")
    assert started.data["procedure"] == "medical_dispute"
    assert started.data["notified_groups"] == ["leadership"]
    # The leadership group is told: the vice-president (a leader); not the dispatcher.
    told = set(Notification.objects.filter(case=case, kind="procedure_started")
               .values_list("user__username", flat=True))  # fmt: skip
    assert told == {"hosp_vp"}

    _act("record_procedure_step", case, office, {
        "procedure": "medical_dispute", "step": "report", "body": "胸外科接待小组报告：患者术后死亡",
    })  # fmt: skip
    for body in (SEAL_ITEMS, SEAL_RECORDS, AUTHORITY, AUTOPSY, APPRAISAL):
        _act("record_procedure_step", case, office, body)
    # The committee is convened by the office or the leadership group; the vice-president.
    _act("record_procedure_step", case, h.actor("vp"), COMMITTEE)
    _act("record_procedure_step", case, office_head, DECISION)

    events = list(Event.objects.filter(case=case, type="procedure_step_recorded").order_by("seq"))
    assert [e.data["step"] for e in events] == [
        "report", "seal_items", "seal_records", "authority", "autopsy", "appraisal",
        "committee", "decision",
    ]  # fmt: skip
    assert [e.data["form"] for e in events][1:4] == ["sealing", "sealing", "authority_notice"]
    assert events[1].data["seal_number"] == SEAL
    assert events[3].data["target"] == "health_authority"
    assert events[4].data["answer"] == "consent"
    # Events never carry the family's name.
    assert FAMILY not in json.dumps([e.data for e in events], ensure_ascii=False)

    sealing = StepRecord.objects.get(case=case, step="seal_items")
    assert sealing.form == "sealing" and sealing.seal_number == SEAL
    assert sealing.patient_side == {"patient_signatory": FAMILY}
    assert sealing.record.data["items"] == SEAL_ITEMS["items"]
    assert sealing.record.data["witnesses"] == ["保卫科 王某"]
    assert "patient_signatory" not in sealing.record.data
    refused = StepRecord.objects.get(case=case, step="seal_records")
    assert refused.record.data["patient_refused"] is True and refused.patient_side == {}
    autopsy = StepRecord.objects.get(case=case, step="autopsy")
    # The 48 hours of the 医疗事故处理条例 run from the time of death.
    assert datetime.fromisoformat(autopsy.record.data["autopsy_by"]) == datetime(
        2026, 11, 22, 2, 0, tzinfo=CST
    )

    # A correction is a record of its own: the first sealing stays.
    corrected = {**SEAL_ITEMS, "seal_number": "F-2026-017A", "body": "更正：封条编号补记"}
    _act("record_procedure_step", case, office, corrected)
    assert list(
        StepRecord.objects.filter(case=case, step="seal_items").values_list(
            "seal_number", flat=True
        )
    ) == [SEAL, "F-2026-017A"]
    last = Event.objects.filter(case=case).latest("seq")
    assert last.data["earlier_records"] == 1 and last.record is not None

    # The ledger line: sealed, reported, the decision told.
    line = ledger.lines([case.pk], h.actor("dispatcher"))[case.pk]
    assert line == [
        "医疗纠纷接待处理：已完成8/10步；已封存（封号 F-2026-017、F-2026-018、F-2026-017A）；"
        "已报卫生行政主管部门；已移送医学会（医疗事故技术鉴定）；已告知家属尸检事宜；"
        "裁定委员会已作出决定；裁定已告知双方"
    ]
    assert "tousu.procedures.ledger.lines" in PROVIDERS

    # The checklist on the case page: done with when, by whom and the record; the rest not yet.
    page = h.desk("office").get(f"/desk/hosp/cases/{case.number}/").content.decode()
    assert "特别程序" in page and "医疗纠纷接待处理" in page and "（8/10）" in page
    section = page[page.index('id="procedures"') :]
    assert re.search(r'data-step="investigate">\s*<td>☐', section)
    assert re.search(r'data-step="seal_items">\s*<td>☑', section)
    assert "F-2026-017A" in section and "共2次记录" in section
    assert "张敏" in section and "hosp_office" not in section and f"患方：{FAMILY}" in section
    assert "封存记录" in section and _pdf_url(case, "seal_items") in section
    assert "尸检告知书" in section and "重大医疗纠纷报告" in section
    assert "医疗纠纷裁定决定告知书" in section

    # The printable documents.
    desk = h.desk("office")
    text = _pdf_text(desk.get(_pdf_url(case, "seal_items")))
    assert "封存记录" in text and "F-2026-017A" in text and "胸外科护士站" in text
    assert "输液袋及输液器" in text and "保卫科王某" in text and FAMILY in text
    assert "患方（签名）" in text and "院方（签名）" in text and "本步骤第2次记录" in text
    text = _pdf_text(desk.get(_pdf_url(case, "seal_records")))
    assert "F-2026-018" in text and "患方拒绝签字" in text and "住院病历原件" in text
    text = _pdf_text(desk.get(_pdf_url(case, "autopsy")))
    assert "尸检告知书" in text and "48小时" in text and "2026年11月22日02:00" in text
    assert "同意尸检，家属（签名）" in text and "不同意尸检，家属（签名）" in text
    assert "☑同意尸检" in text and "医院太平间冷藏柜" in text
    text = _pdf_text(desk.get(_pdf_url(case, "authority")))
    assert "重大医疗纠纷报告" in text and "卫生行政主管部门：" in text
    assert "医务〔2026〕31号" in text and "已采取的处理措施" in text
    # What was known when it was reported: the first seal, not the later correction.
    assert "封号F-2026-017；" in text and "F-2026-018" in text and "F-2026-017A" not in text
    text = _pdf_text(desk.get(_pdf_url(case, "decision")))
    assert "医疗纠纷裁定决定告知书" in text and "医院承担次要责任" in text
    assert FAMILY in text and "胸外科主任周某" in text
    assert "患方（签收）" in text and "院方（签收）" in text


def test_the_auditor_sees_the_checklist_without_the_family_s_name(h: Hospital) -> None:
    case = _dispute(h)
    _act("start_procedure", case, h.actor("office_head"), {"procedure": "medical_dispute"})
    _act("record_procedure_step", case, h.actor("office"), SEAL_ITEMS)
    _act("record_procedure_step", case, h.actor("office"), AUTOPSY)
    auditor = h.desk("auditor")
    page = auditor.get(f"/desk/hosp/cases/{case.number}/")
    assert page.status_code == 200
    section = page.content.decode()[page.content.decode().index('id="procedures"') :]
    assert SEAL in section and "（身份信息依规保密）" in section
    assert FAMILY not in section
    text = _pdf_text(auditor.get(_pdf_url(case, "autopsy")))
    assert "尸检告知书" in text and FAMILY not in text and "身份信息依规保密" in text


def test_the_desk_form_records_a_sealing(h: Hospital) -> None:
    case = _dispute(h)
    _act("start_procedure", case, h.actor("office_head"), {"procedure": "medical_dispute"})
    desk = h.desk("office")
    page = desk.get(f"/desk/hosp/cases/{case.number}/").content.decode()
    assert "记录程序步骤" in page and "患方签字人" in page and "封存人" in page
    response = desk.post(
        f"/desk/hosp/cases/{case.number}/act/record_procedure_step/",
        {
            "procedure": "medical_dispute", "step": "seal_items",
            "items": "输液袋\n注射器", "location": "胸外科护士站",
            "occurred_at": "2026-11-20T10:00", "sealed_by": "医务科 刘科长",
            "witnesses": "保卫科 王某", "patient_refused": "on",
            "hospital_signatory": "刘科长", "seal_number": SEAL,
        },
    )  # fmt: skip
    assert response.status_code in (200, 302), response.content.decode()[:3000]
    record = StepRecord.objects.get(case=case)
    assert record.record.data["items"] == ["输液袋", "注射器"]
    assert record.record.data["patient_refused"] is True and record.seal_number == SEAL


# --------------------------------------------------------------------------- the API


def test_the_key_steps_through_the_api(h: Hospital) -> None:
    case = _dispute(h)
    api = h.api("office_head")
    base = f"/api/v1/orgs/hosp/cases/{case.number}/actions"

    def post(action: str, body: dict[str, Any]) -> Any:
        return api.post(f"{base}/{action}", json.dumps(body), content_type="application/json")

    response = post("start_procedure", {"procedure": "medical_dispute"})
    assert response.status_code == 200, response.content
    assert response.json()["complexity"] == "major"
    for body in (SEAL_ITEMS, AUTHORITY, COMMITTEE, DECISION):
        response = post("record_procedure_step", body)
        assert response.status_code == 200, response.content
    types = [e["type"] for e in response.json()["timeline"]]
    assert types.count("procedure_step_recorded") == 4 and "procedure_started" in types
    # Malformed: a sealing without a seal number, a field of another form.
    before = _state(case)
    bad = post("record_procedure_step", {**SEAL_ITEMS, "seal_number": ""})
    assert bad.status_code == 422 and bad.json()["details"][0]["field"] == "seal_number"
    bad = post("record_procedure_step", {**AUTHORITY, "answer": "consent"})
    assert bad.status_code == 422 and bad.json()["details"][0]["field"] == "answer"
    bad = post("record_procedure_step", {**SEAL_ITEMS, "colour": "red"})
    assert bad.status_code == 422
    assert _state(case) == before
    # Outsiders through the API: another department's handler, the auditor, another hospital.
    for name, statuses in (("finance", {403, 404}), ("auditor", {403}), ("outsider", {404})):
        client = h.api(name)
        org = "elsewhere" if name == "outsider" else "hosp"
        response = client.post(
            f"/api/v1/orgs/{org}/cases/{case.number}/actions/record_procedure_step",
            json.dumps(SEAL_ITEMS), content_type="application/json",
        )  # fmt: skip
        assert response.status_code in statuses, (name, response.content)
    assert _state(case) == before


# --------------------------------------------------------------------------- refusals


def test_outsiders_and_the_wrong_group_are_refused_and_nothing_is_written(h: Hospital) -> None:
    case = _dispute(h)
    start = {"procedure": "medical_dispute"}
    # Another department's handler, the auditor: the table refuses (403).
    _refused("start_procedure", case, h.actor("finance"), start, 403, "action_forbidden")
    _refused("start_procedure", case, h.actor("auditor"), start, 403, "action_forbidden")
    # Another organisation: the case does not exist for them.
    _refused("start_procedure", case, h.actor("outsider"), start, 404, "not_found")
    # The dispatcher reaches the case but is in no group that opens the procedure.
    refusal = _refused("start_procedure", case, h.actor("dispatcher"), start, 403)
    assert refusal.code == "procedure_group_only"
    assert "纠纷接待处理办公室（医务科）" in refusal.zh and "领导小组" in refusal.zh
    # Steps before the procedure is opened.
    _refused("record_procedure_step", case, h.actor("office"), SEAL_ITEMS, 409)

    _act("start_procedure", case, h.actor("office_head"), start)
    _refused("start_procedure", case, h.actor("office_head"), start, 409, "procedure_started")
    for name in ("finance", "auditor"):
        _refused("record_procedure_step", case, h.actor(name), SEAL_ITEMS, 403, "action_forbidden")
    _refused("record_procedure_step", case, h.actor("outsider"), SEAL_ITEMS, 404, "not_found")
    # Wrong group's role: the supervisor and the vice-president are not the office.
    for name in ("supervisor", "vp"):
        refusal = _refused("record_procedure_step", case, h.actor(name), SEAL_ITEMS, 403)
        assert refusal.code == "procedure_group_only"
        assert refusal.zh.endswith("只能由纠纷接待处理办公室（医务科）办理")
        assert refusal.details == {"groups": ["office"]}


def test_a_case_of_another_category_cannot_open_the_procedure(h: Hospital) -> None:
    case = _dispute(h, category="fees")
    refusal = _refused(
        "start_procedure", case, h.actor("office_head"), {"procedure": "medical_dispute"}, 422
    )
    assert "只适用于以下类别的案件：医疗纠纷" in refusal.zh
    _refused(
        "start_procedure", case, h.actor("office_head"), {"procedure": "no_such"}, 422,
        "invalid_value",
    )  # fmt: skip


def test_malformed_details_are_refused_and_nothing_is_written(h: Hospital) -> None:
    case = _dispute(h)
    _act("start_procedure", case, h.actor("office_head"), {"procedure": "medical_dispute"})
    office = h.actor("office")
    future = (timezone.now() + timedelta(days=2)).isoformat()
    for body, field in [
        ({**SEAL_ITEMS, "items": []}, "items"),
        ({**SEAL_ITEMS, "witnesses": []}, "witnesses"),
        ({**SEAL_ITEMS, "sealed_by": []}, "sealed_by"),
        ({**SEAL_ITEMS, "location": ""}, "location"),
        ({**SEAL_ITEMS, "patient_signatory": ""}, "patient_signatory"),
        ({**SEAL_ITEMS, "occurred_at": future}, "occurred_at"),
        ({**SEAL_ITEMS, "target": "health_authority"}, "target"),
        ({**AUTHORITY, "target": "medical_association"}, "target"),
        ({**AUTHORITY, "reference": ""}, "reference"),
        ({**AUTHORITY, "method": ""}, "method"),
        ({**AUTOPSY, "answer": ""}, "answer"),
        ({**AUTOPSY, "died_at": None}, "died_at"),
        ({**AUTOPSY, "occurred_at": _at(19, 23)}, "occurred_at"),
        ({**APPRAISAL, "target": "court"}, "target"),
        ({**COMMITTEE, "members": []}, "members"),
        ({**COMMITTEE, "decision": ""}, "decision"),
        ({**DECISION, "hospital_told_how": ""}, "hospital_told_how"),
        ({"procedure": "medical_dispute", "step": "investigate"}, "body"),
        ({"procedure": "medical_dispute", "step": "no_step", "body": "x"}, "step"),
    ]:
        refusal = _refused("record_procedure_step", case, office, body, 422)
        assert refusal.details[0]["field"] == field, (body, refusal.as_json())
    # The decision cannot be told before the committee decided.
    _refused("record_procedure_step", case, office, DECISION, 409, "no_committee_decision")


def test_a_closed_case_takes_no_more_steps(h: Hospital) -> None:
    case = _dispute(h)
    _act("start_procedure", case, h.actor("office_head"), {"procedure": "medical_dispute"})
    _act("withdraw", case, h.actor("dispatcher"), {"reason": "家属撤回"})
    _refused("record_procedure_step", case, h.actor("office"), SEAL_ITEMS, 409)


def test_documents_are_404_for_outsiders_and_before_the_step_is_recorded(h: Hospital) -> None:
    case = _dispute(h)
    office = h.desk("office")
    missing = office.get(_pdf_url(case, "seal_items"))
    assert missing.status_code == 404 and "尚未启动该程序" in missing.content.decode()
    _act("start_procedure", case, h.actor("office_head"), {"procedure": "medical_dispute"})
    missing = office.get(_pdf_url(case, "autopsy"))
    assert missing.status_code == 404
    assert "尚未记录" in missing.content.decode() or "has not been recorded" in (
        missing.content.decode()
    )
    assert office.get(_pdf_url(case, "investigate")).status_code == 404
    _act("record_procedure_step", case, h.actor("office"), SEAL_ITEMS)
    assert office.get(_pdf_url(case, "seal_items")).status_code == 200
    for name in ("finance", "outsider"):
        response = h.desk(name).get(_pdf_url(case, "seal_items"))
        assert response.status_code == 404, name
        assert SEAL.encode() not in response.content
    other = h.desk("outsider").get(
        f"/desk/elsewhere/cases/{case.number}/procedures/medical_dispute/seal_items.pdf"
    )
    assert other.status_code == 404
    # Another department's handler does not see the section on a case page either (404).
    assert h.desk("finance").get(f"/desk/hosp/cases/{case.number}/").status_code == 404


def test_generic_note_steps_work_for_another_preset_s_procedures() -> None:
    org = create_org("book", "某医院病区", "hospital")
    head = create_user("book_head", org=org, role="department_head", department="clinical_depts")
    case = intake.register(
        actor_for(head, "book"),
        inputs.RegisterIn.model_validate(
            {"kind": "complaint", "channel": "opinion_book", "content": "夜间病房噪音大"}
        ),
    )
    Case.objects.filter(pk=case.pk).update(lead_department=head.memberships.get().department)
    actor = actor_for(head, "book")
    _act("start_procedure", case, actor, {"procedure": "opinion_book", "note": "护士长每日检查"})
    _act("record_procedure_step", case, actor, {
        "procedure": "opinion_book", "step": "check", "body": "已检查意见簿",
    })  # fmt: skip
    assert StepRecord.objects.get(case=case).form == "note"
    with pytest.raises(TousuError) as refused:
        _act("record_procedure_step", case, actor, {
            "procedure": "opinion_book", "step": "settle", "body": "x", "seal_number": "1",
        })  # fmt: skip
    assert refused.value.status == 422
    assert ledger.lines([case.pk], actor)[case.pk] == ["病区意见薄：已完成1/3步"]
