"""No N+1 on the portal: the reporter's case page reads the conversation, the files and the
course of the case in the same number of queries however long they grow; the public pages
and the staff's report-box page in a fixed few."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from tousu.conftest import World
from tousu.desk.tests.crowd import Crowd
from tousu.desk.tests.making import act
from tousu.evidence.tests.samples import PNG
from tousu.reporter import receipts
from tousu.tests.queries import assert_flat, count_get, logged_in

MINE = "/o/acme/my-case/"


@pytest.fixture(autouse=True)
def _files_in_tmp(settings: Any, tmp_path: Any) -> None:
    settings.TOUSU_FILES_DIR = tmp_path / "files"


def _submitted(world: World) -> tuple[Client, Any]:
    """A report filed on the portal, and the reporter's browser following it."""
    client = Client()
    r = client.post(
        "/o/acme/new/",
        {"kind": "complaint", "category": "", "content": "某超市在售过期酸奶，生产日期为去年。",
         "demands": "依法查处", "subject_name": "某超市", "name": "李明",
         "phone": "13800001111"},
        follow=True,
    )  # fmt: skip
    assert r.status_code == 200
    digits = r.content.decode().split('id="receipt">', 1)[1].split("<", 1)[0].replace(" ", "")
    case = receipts.find(world.org, digits)
    assert case is not None
    follow = client.post("/o/acme/follow/", {"receipt": digits})
    assert follow.status_code == 302 and follow["Location"] == MINE
    return client, case


def test_the_reporters_case_page_reads_a_long_conversation_in_a_fixed_number_of_queries(
    world: World,
) -> None:
    client, case = _submitted(world)
    case = act(world, case, "dispatcher", "accept")
    act(world, case, "dispatcher", "assign", lead_department="finance", handler="handler")
    made = [0]

    def talk(n: int) -> None:
        for _ in range(n):
            i = made[0]
            made[0] += 1
            act(world, case, "handler", "message_reporter", body=f"请补充第{i}份凭证")
            act(world, case, "handler", "record", kind="note", body=f"内部记录{i}")
            r = client.post(f"{MINE}reporter_message/", {"body": f"第{i}份凭证已找到"})
            assert r.status_code == 302, r.content.decode()[:2000]
            upload = SimpleUploadedFile(f"凭证{i}.png", PNG, content_type="image/png")
            r = client.post(f"{MINE}reporter_evidence/", {"attachments": upload})
            assert r.status_code == 302, r.content.decode()[:2000]

    talk(1)

    def shows(few: Any, many: Any) -> None:
        def said(c: Any) -> int:
            return sum(f"第{i}份凭证已找到" in c.text() for i in range(made[0]))

        assert 0 < said(few) < said(many)

    assert_flat(lambda: count_get(client, MINE), lambda: talk(3), ceiling=14, shows=shows)


@pytest.mark.parametrize(
    ("who", "path", "ceiling"),
    [
        (None, "/o/acme/", 10),
        (None, "/o/acme/privacy/", 10),
        (None, "/o/acme/new/", 10),
        (None, "/o/acme/follow/", 10),
        ("clerk", "/o/acme/box-forms/", 15),
    ],
)
def test_the_portal_pages_do_not_grow_with_the_organisations_cases(
    world: World, who: str | None, path: str, ceiling: int
) -> None:
    client = logged_in(world.users[who]) if who else Client()
    crowd = Crowd(world)
    crowd.grow(1)
    assert_flat(lambda: count_get(client, path), lambda: crowd.grow(2), ceiling=ceiling)
