"""Per-kind notice preferences: in the inbox only, by e-mail, by SMS, or both — set on the
desk's inbox and honoured when a notice is delivered."""

from __future__ import annotations

from typing import Any

import pytest

from tousu.cases.models import Notification
from tousu.conftest import World
from tousu.desk.tests.making import case_in
from tousu.notify.delivery import deliver
from tousu.notify.models import Delivery, NoticePreference, StaffContact


@pytest.fixture
def assigned(world: World) -> Notification:
    """The handler's notice of a newly assigned case; they have an e-mail and a mobile."""
    handler = world.users["handler"]
    handler.email = "handler@example.org"
    handler.save()
    StaffContact.objects.create(user=handler, phone="13900001111")
    case = case_in(world, "in_progress")
    return Notification.objects.get(user=handler, case=case, kind="case_assigned")


def _sent(note: Notification) -> set[str]:
    return set(
        Delivery.objects.filter(notification=note, status=Delivery.Status.SENT).values_list(
            "channel", flat=True
        )
    )


def test_without_a_choice_the_contact_settings_apply(assigned: Notification, mailoutbox: Any):
    Delivery.objects.filter(notification=assigned).delete()
    deliver([assigned.pk])
    assert _sent(assigned) == {"email"} and len(mailoutbox) == 1


@pytest.mark.parametrize(
    ("channel", "expected"),
    [("inbox", set()), ("email", {"email"}), ("sms", {"sms"}), ("email_sms", {"email", "sms"})],
)
def test_the_channel_chosen_for_a_kind_is_the_one_used(
    world: World,
    desk: Any,
    assigned: Notification,
    mailoutbox: Any,
    channel: str,
    expected: set[str],
):
    Delivery.objects.filter(notification=assigned).delete()
    mailoutbox.clear()
    r = desk("handler").post("inbox/preferences/", {"pref_case_assigned": channel})
    assert r.status_code == 302
    deliver([assigned.pk])
    assert _sent(assigned) == expected
    assert len(mailoutbox) == (1 if "email" in expected else 0)


def test_a_choice_for_one_kind_leaves_the_others_alone(world: World, desk: Any, assigned: Any):
    desk("handler").post("inbox/preferences/", {"pref_case_reopened": "inbox"})
    Delivery.objects.filter(notification=assigned).delete()
    deliver([assigned.pk])
    assert _sent(assigned) == {"email"}


def test_sms_is_never_sent_without_a_number(world: World, desk: Any, assigned: Notification):
    StaffContact.objects.filter(user=world.users["handler"]).update(phone="")
    desk("handler").post("inbox/preferences/", {"pref_case_assigned": "sms"})
    Delivery.objects.filter(notification=assigned).delete()
    deliver([assigned.pk])
    assert _sent(assigned) == set()


def test_a_bad_preference_is_refused_and_nothing_is_saved(world: World, desk: Any):
    me = desk("handler")
    r = me.post("inbox/preferences/", {"pref_case_assigned": "email", "pref_case_moved": "pigeon"})
    assert r.status_code == 422 and "通知方式无效：case_moved=pigeon" in r.content.decode()
    r = me.post("inbox/preferences/", {"pref_not_a_kind": "email"})
    assert r.status_code == 422
    assert not NoticePreference.objects.exists()


def test_the_inbox_shows_each_kinds_current_channel(world: World, desk: Any, assigned: Any):
    me = desk("handler")
    page = me.get("inbox/").content.decode()
    assert 'name="pref_case_assigned"' in page
    assert '<option value="email" selected>' in page  # the contact settings, before a choice
    me.post("inbox/preferences/", {"pref_case_assigned": "sms"})
    page = me.get("inbox/").content.decode()
    assert '<option value="sms" selected>' in page
