"""The administration's audit list reads in words: a label for every code, a detail line."""

from __future__ import annotations

import re
from pathlib import Path

from django.contrib import admin

from tousu.conftest import World
from tousu.orgadmin.audit_labels import TYPES
from tousu.orgs.services import audit, set_profile

ROOT = Path(__file__).resolve().parents[2]
# A code is the first argument of an audit call: audit("x.y", ...), audit.record("x.y", ...),
# _audit_override("x.y", ...), or AuditEvent.objects.create(type="x.y", ...).
CALL = re.compile(
    r"""(?:\baudit|\.record|_audit_\w+|AuditEvent\.objects\.create)\(\s*(?:type=)?"""
    r'''"([a-z_]+(?:\.[a-z_]+)?)"'''
)
TYPE_KEYWORD = re.compile(r'''\btype="([a-z_]+\.[a-z_]+)"''')


def _written_codes() -> set[str]:
    codes: set[str] = set()
    for path in ROOT.rglob("*.py"):
        if "tests" in path.parts or "migrations" in path.parts:
            continue
        text = path.read_text(encoding="utf-8")
        for match in CALL.finditer(text):
            code = match.group(1)
            if "." in code or code == "signout":
                codes.add(code)
        if "AuditEvent" in text:
            codes.update(TYPE_KEYWORD.findall(text))
    return codes


def test_every_audit_code_written_anywhere_has_a_label() -> None:
    codes = _written_codes()
    assert {"handover.written", "user.created", "password.set_by_link"} <= codes
    # The Django admin writes <model>.created / <model>.changed for what it registers.
    for model in admin.site._registry:
        if model._meta.app_label == "orgs" and model.__name__ != "AuditEvent":
            codes |= {f"{model.__name__.lower()}.created", f"{model.__name__.lower()}.changed"}
    assert sorted(codes - set(TYPES)) == []


def _rows(page: str) -> list[list[str]]:
    table = page[page.index("最近的管理操作") :]
    rows = re.findall(r"<tr><td>(.*?)</tr>", table, flags=re.S)
    return [
        [re.sub(r"<[^>]+>", "", c).strip() for c in re.split(r"</td><td[^>]*>", r)] for r in rows
    ]


def test_the_audit_list_shows_labels_and_readable_details(world: World, desk) -> None:
    handler, admin = world.users["handler"], world.users["admin"]
    set_profile(handler, org=world.org, name="周敏")
    set_profile(admin, org=world.org, name="黄志明", title="信息中心工程师")
    audit("handover.written", world.org, org=world.org, actor=admin, to="handler", cases=2)
    audit("shift.added", world.org, org=world.org, actor=admin, user="handler", kind="night",
          starts_at="2026-12-07T18:00:00+08:00", ends_at="2026-12-08T08:00:00+08:00")  # fmt: skip
    audit("department.changed", world.org, org=world.org, actor=admin, via="desk",
          action="rename", code="finance", before={"name": "财务部"},
          changed={"name": "财务处", "name_en": ""})  # fmt: skip
    set_profile(handler, org=world.org, actor=admin, via="desk", title="财务处科员")
    rows = _rows(desk("admin").get("manage/").content.decode())
    by_what: dict[str, list[str]] = {}
    for row in rows:  # newest first: the first row of each kind
        by_what.setdefault(row[1], row)
    assert (
        "填写交接班记录" in by_what and by_what["填写交接班记录"][2] == "交给：周敏；涉及 2 件案件"
    )
    assert by_what["填写交接班记录"][3].startswith("黄志明")
    assert by_what["排班"][2].startswith("周敏；2026-12-07 18:00–08:00")
    assert (
        by_what["修改部门"][2].startswith("改名；")
        and "名称：财务部 → 财务处" in by_what["修改部门"][2]
    )
    assert by_what["修改人员姓名与联系方式"][2] == "周敏；修改了：职务"
    assert by_what["修改人员姓名与联系方式"][4] == "单位管理页面"
    # No raw code and no empty detail anywhere in the list.
    for row in rows:
        assert not re.fullmatch(r"[a-z_]+\.[a-z_]+", row[1]), row
        assert row[2] and row[2] != "—", row


def test_the_audit_list_is_for_administrators_only(world: World, desk) -> None:
    audit("handover.written", world.org, org=world.org, to="handler", cases=1)
    for persona in ("handler", "supervisor", "auditor"):
        r = desk(persona).get("manage/")
        assert r.status_code == 403 and "填写交接班记录" not in r.content.decode()
