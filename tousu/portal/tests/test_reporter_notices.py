"""A named reporter who asked is told there is news — by e-mail or SMS, never what it is."""

from __future__ import annotations

from typing import Any

from django.test import Client

from tousu.portal.tests.test_reporter_portal import _receipt_of, _submit
from tousu.reporter import receipts
from tousu.reporter.models import ReporterDelivery, ReporterNotice


def _named(world: Any, **fields: Any) -> Any:
    r = _submit(
        Client(),
        kind="complaint",
        name="李梅",
        phone="13800001111",
        email="li@example.cn",
        **fields,
    )
    assert r.status_code == 200, r.content.decode()[:2000]
    digits = _receipt_of(r)
    case = receipts.find(world.org, digits)
    assert case is not None
    return case, digits


def test_a_named_reporter_is_told_by_email_that_there_is_news(
    world, mailoutbox, django_capture_on_commit_callbacks
):
    case, digits = _named(world, notify_email="on")
    assert list(ReporterNotice.objects.filter(case=case).values_list("channel", flat=True)) == [
        "email"
    ]
    with django_capture_on_commit_callbacks(execute=True):
        assert world.api("dispatcher").act(case.number, "accept").status_code == 200
    assert len(mailoutbox) == 1
    mail = mailoutbox[0]
    assert mail.to == ["li@example.cn"]
    assert case.number in mail.subject and "已受理" in mail.subject
    assert "/o/acme/follow/" in mail.body
    assert digits not in mail.body and "超市" not in mail.body  # no receipt, no content
    row = ReporterDelivery.objects.get(case=case)
    assert row.status == "sent" and "li@example.cn" not in row.detail


def test_no_notice_without_the_wish_and_none_for_anonymous(
    world, mailoutbox, django_capture_on_commit_callbacks
):
    case, _ = _named(world)
    r = _submit(Client(), anonymous="on", notify_email="on")
    anonymous = receipts.find(world.org, _receipt_of(r))
    assert anonymous is not None and not ReporterNotice.objects.filter(case=anonymous).exists()
    with django_capture_on_commit_callbacks(execute=True):
        world.api("dispatcher").act(case.number, "accept")
        world.api("dispatcher").act(anonymous.number, "accept")
    assert mailoutbox == []


def test_asking_for_sms_needs_a_phone_number(world):
    r = _submit(Client(), kind="complaint", name="李梅", email="li@example.cn", notify_sms="on")
    assert r.status_code == 422
    assert "请填写电话以接收短信通知" in r.content.decode()
    assert not ReporterNotice.objects.exists()
