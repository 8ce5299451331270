"""The penalty notice and the appeal decision are written in the penalised person's language
(their StaffContact.language, the last one they chose on the desk), else the organisation's."""

from __future__ import annotations

import pytest
from django.utils import timezone

from tousu.accountability.tests.test_penalties import (
    PHONE,
    REPORTER,
    _client,
    _fine_approved,
    _scenic,
)
from tousu.accountability.tests.test_scenarios import _pdf_text
from tousu.notify.models import StaffContact
from tousu.orgs.models import Organisation

pytestmark = pytest.mark.django_db


def test_the_penalty_notice_follows_the_penalised_persons_language() -> None:
    o = _scenic()
    case = o.complaint("ticket", timezone.now())
    fine = _fine_approved(o, case, timezone.now())
    url = f"/desk/scenic/people/penalties/{fine.pk}/notice.pdf"
    head = _client(o, "head")

    # Unknown: the organisation's language, Simplified Chinese by default.
    text = _pdf_text(head.get(url))
    for expected in ("处罚决定通知书", "特此通知", "送达回证", "人民币100.00元"):
        assert expected in text, expected

    # The clerk chose English on the desk: the notice is in English, whoever prints it.
    StaffContact.objects.update_or_create(user=o.users["ticket"], defaults={"language": "en"})
    text = _pdf_text(head.get(url))
    for expected in (
        "PenaltyNotice",
        "Noticeisherebygiven",
        "ProofofService",
        "RMB100.00",
        "Ifyoudisagreewiththisdecision",
        str(case.number),
    ):
        assert expected in text, expected
    for chinese in ("处罚决定通知书", "特此通知", "送达回证", "经查", "人民币"):
        assert chinese not in text, chinese
    assert REPORTER not in text and PHONE not in text

    # Their own language wins over the organisation's.
    StaffContact.objects.filter(user=o.users["ticket"]).update(language="zh-hans")
    Organisation.objects.filter(pk=o.org.pk).update(language="en")
    text = _pdf_text(head.get(url))
    assert "处罚决定通知书" in text and "PenaltyNotice" not in text
