"""The autopsy notice states the limit that applies (48 hours, or 7 days for a body kept
frozen: 医疗事故处理条例 art. 18) and says so when the family is told after it passed."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

import pytest

from tousu.cases.errors import TousuError
from tousu.cases.models import Event
from tousu.procedures.models import StepRecord
from tousu.procedures.tests.test_medical_dispute import (
    AUTOPSY,
    CST,
    SEAL_ITEMS,
    Hospital,
    _act,
    _dispute,
    _no_stale_caches_after,  # noqa: F401 (an autouse fixture)
    _pdf_text,
    _pdf_url,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def h() -> Hospital:
    return Hospital()


# Death on 3 December at 22:00, the family told on 7 December: 48 hours have passed.
LATE: dict[str, Any] = {
    **AUTOPSY,
    "died_at": datetime(2026, 12, 3, 22, 0, tzinfo=CST).isoformat(),
    "occurred_at": datetime(2026, 12, 7, 10, 0, tzinfo=CST).isoformat(),
}


def _autopsy(h: Hospital, body: dict[str, Any]) -> Any:
    case = _dispute(h)
    _act("start_procedure", case, h.actor("office_head"), {"procedure": "medical_dispute"})
    _act("record_procedure_step", case, h.actor("office"), body)
    return case


def _checklist(h: Hospital, case: Any) -> str:
    page = h.desk("office").get(f"/desk/hosp/cases/{case.number}/").content.decode()
    row = re.search(r'data-step="autopsy">(.*?)</tr>', page, re.S)
    assert row is not None
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row.group(1)))


def test_a_notice_given_after_the_48_hours_says_the_limit_has_passed(h: Hospital) -> None:
    case = _autopsy(h, LATE)
    record = StepRecord.objects.get(case=case, step="autopsy").record
    assert datetime.fromisoformat(record.data["autopsy_by"]) == datetime(
        2026, 12, 5, 22, 0, tzinfo=CST
    )
    assert record.data["autopsy_limit_passed"] is True
    event = Event.objects.filter(case=case, type="procedure_step_recorded").latest("seq")
    assert event.data["autopsy_limit_passed"] is True
    # The checklist on the case page.
    row = _checklist(h, case)
    assert "尸检时限已于2026年12月5日 22:00届满（死亡后48小时内），告知时已超过" in row
    # The notice itself: no longer an instruction to do it by a date already gone.
    text = _pdf_text(h.desk("office").get(_pdf_url(case, "autopsy")))
    assert "应于2026年12月5日22:00前进行尸检" not in text
    assert "尸检时限已于2026年12月5日22:00届满" in text and "告知时已超过该时限" in text


def test_a_body_kept_frozen_has_seven_days(h: Hospital) -> None:
    case = _autopsy(h, {**LATE, "body_frozen": True, "body_kept": "太平间冷冻柜（3号）"})
    record = StepRecord.objects.get(case=case, step="autopsy").record
    assert record.data["body_frozen"] is True
    assert datetime.fromisoformat(record.data["autopsy_by"]) == datetime(
        2026, 12, 10, 22, 0, tzinfo=CST
    )
    assert "autopsy_limit_passed" not in record.data
    row = _checklist(h, case)
    assert "尸检时限至2026年12月10日 22:00（尸体冻存，死亡后7日内）" in row and "届满" not in row
    text = _pdf_text(h.desk("office").get(_pdf_url(case, "autopsy")))
    assert "应于2026年12月10日22:00前进行尸检（尸体冻存，死亡后7日内）" in text
    assert "届满" not in text


def test_the_desk_form_asks_whether_the_body_is_kept_frozen(h: Hospital) -> None:
    case = _dispute(h)
    _act("start_procedure", case, h.actor("office_head"), {"procedure": "medical_dispute"})
    desk = h.desk("office")
    page = desk.get(f"/desk/hosp/cases/{case.number}/").content.decode()
    assert 'name="body_frozen"' in page and "尸体冻存" in page
    response = desk.post(
        f"/desk/hosp/cases/{case.number}/act/record_procedure_step/",
        {
            "procedure": "medical_dispute", "step": "autopsy", "family_member": "何军",
            "answer": "consent", "died_at": "2026-12-03T22:00", "occurred_at": "2026-12-07T10:00",
            "body_kept": "太平间冷冻柜", "body_frozen": "on",
        },
    )  # fmt: skip
    assert response.status_code in (200, 302), response.content.decode()[:3000]
    data = StepRecord.objects.get(case=case).record.data
    assert data["body_frozen"] is True and data["autopsy_by"].startswith("2026-12-10T22:00")


def test_frozen_belongs_to_the_autopsy_notice_only(h: Hospital) -> None:
    case = _dispute(h)
    _act("start_procedure", case, h.actor("office_head"), {"procedure": "medical_dispute"})
    with pytest.raises(TousuError) as refused:
        _act("record_procedure_step", case, h.actor("office"), {**SEAL_ITEMS, "body_frozen": True})
    assert refused.value.status == 422 and refused.value.details[0]["field"] == "body_frozen"
    assert not StepRecord.objects.filter(case=case).exists()
