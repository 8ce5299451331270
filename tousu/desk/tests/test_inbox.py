"""The inbox: case numbers lead to their cases, and everything is marked read at once."""

from __future__ import annotations

from tousu.cases.models import Notification

from .making import case_in


def test_the_case_number_of_a_notice_is_a_link_to_the_case(world, desk):
    case = case_in(world, "in_progress")
    page = desk("handler").get("inbox/").content.decode()
    assert f'<a href="/desk/acme/cases/{case.number}/">{case.number}</a>' in page


def test_mark_all_read_marks_only_the_readers_own_notices(world, desk):
    for _ in range(2):
        case_in(world, "in_progress")
    mine = Notification.objects.filter(user=world.users["handler"])
    others = Notification.objects.exclude(user=world.users["handler"]).filter(read_at__isnull=True)
    unread_elsewhere = others.count()
    assert mine.filter(read_at__isnull=True).count() == 2
    r = desk("handler").post("inbox/read-all/")
    assert r.status_code == 302 and r["Location"] == "/desk/acme/inbox/"
    assert not mine.filter(read_at__isnull=True).exists()
    assert others.count() == unread_elsewhere
    page = desk("handler").get("inbox/").content.decode()
    assert "0 条未读" in page and "全部标为已读" not in page
    assert desk("handler").get("inbox/read-all/").status_code == 405
