"""The policy's parts as forms: categories, departments and routing, deadlines, reply
templates — previewed with a diff, saved as a new version, audited; problems next to the
field; administrators only."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from tousu.cases.models import Case
from tousu.conftest import World
from tousu.orgadmin.policy_forms import SECTIONS, CategoriesForm, SectionForm
from tousu.orgs.models import AuditEvent, Department
from tousu.orgs.services import create_user
from tousu.policy.models import PolicyVersion

PARTS = list(SECTIONS)


def _active(world: World) -> PolicyVersion:
    world.org.refresh_from_db()
    assert world.org.active_policy is not None
    return world.org.active_policy


def _values(world: World, section: str) -> dict[str, Any]:
    """What the form posts when nothing is changed."""
    version = _active(world)
    if section == "categories":
        form: SectionForm = CategoriesForm(version.policy, {})
    else:
        form = SECTIONS[section](version.policy)
    data: dict[str, Any] = {"based_on": str(version.number)}
    for name, field in form.fields.items():
        value = form.get_initial_for_field(field, name)
        if value is None or value is False or value == []:
            continue
        data[name] = "on" if value is True else value
    return data


def _post(desk: Any, section: str, data: dict[str, Any], step: str = "preview") -> Any:
    return desk.post(f"manage/policy/edit/{section}/", {**data, "step": step})


def _versions(world: World) -> int:
    return PolicyVersion.objects.filter(org=world.org).count()


# -- deadlines -----------------------------------------------------------------------------


def test_a_deadline_amount_is_previewed_with_its_diff_then_saved_as_a_new_version(
    world: World, desk
) -> None:
    admin = desk("admin")
    data = _values(world, "deadlines")
    assert data["amount-1"] == 15 and data["text_zh-1"] == "受理后15个工作日内答复"
    data["amount-1"] = "12"

    preview = _post(admin, "deadlines", data)
    assert preview.status_code == 200, preview.content.decode()[:3000]
    page = preview.content.decode()
    assert "自受理起 15 个工作日" in page and "自受理起 12 个工作日" in page
    # The clause's wording stated 15: it is restated with the new number, shown before saving.
    assert "受理后12个工作日内答复" in page and "Reply within 12 working days" in page
    assert "-amount = 15" in page and "+amount = 12" in page
    assert _versions(world) == 1  # nothing saved by a preview

    data["note"] = "答复期限缩短为12个工作日"
    saved = _post(admin, "deadlines", data, step="save")
    assert saved.status_code == 302, saved.content.decode()[:3000]
    assert saved["Location"].endswith("/manage/policy/versions/2/")
    version = _active(world)
    assert version.number == 2 and version.created_by == world.users["admin"]
    reply = version.policy.deadlines[1]
    assert (reply.amount, reply.text_zh) == (12, "受理后12个工作日内答复")
    # The text was changed in place: the comments and the other rules are as written.
    assert version.source.startswith("# General-purpose complaint and report handling policy.")
    first = PolicyVersion.objects.get(org=world.org, number=1).source.splitlines()
    changed = [
        (old, new)
        for old, new in zip(first, version.source.splitlines(), strict=True)
        if old != new
    ]
    assert changed == [
        ("amount = 15", "amount = 12"),
        ('text_zh = "受理后15个工作日内答复"', 'text_zh = "受理后12个工作日内答复"'),
        ('text_en = "Reply within 15 working days of acceptance"',
         'text_en = "Reply within 12 working days of acceptance"'),
    ]  # fmt: skip
    event = AuditEvent.objects.get(type="policy.edited", org=world.org)
    assert event.actor == world.users["admin"]
    assert event.data["form"] == "deadlines" and event.data["note"] == "答复期限缩短为12个工作日"
    assert "deadlines[1:reply].amount" in event.data["changed"]

    shown = admin.get("manage/policy/versions/2/").content.decode()
    assert "自受理起 15 个工作日" in shown and "自受理起 12 个工作日" in shown
    history = admin.get("manage/policy/versions/").content.decode()
    assert "规定" in history and "答复期限缩短为12个工作日" in history


def test_wording_that_no_longer_agrees_is_refused_next_to_its_field(world: World, desk) -> None:
    admin = desk("admin")
    data = _values(world, "deadlines")
    data["unit-1"] = "calendar_days"  # the words still say 15 working days
    r = _post(admin, "deadlines", data)
    assert r.status_code == 422
    page = r.content.decode()
    error = page.split('name="text_zh-1"', 1)[1].split("</div>", 1)[0]
    assert "写的是 15 个工作日，而规则的数字是 15 日" in error
    assert "text_zh states 15 working_days but the rule counts 15 calendar_days" in error
    assert _versions(world) == 1
    assert not AuditEvent.objects.filter(type="policy.edited").exists()


def test_the_problem_reads_in_english_first_on_an_english_page(world: World, desk) -> None:
    admin = desk("admin")
    admin.client.cookies["django_language"] = "en"
    data = _values(world, "deadlines")
    data["unit-1"] = "calendar_days"
    r = _post(admin, "deadlines", data)
    assert r.status_code == 422
    error = r.content.decode().split('name="text_zh-1"', 1)[1].split("</div>", 1)[0]
    english = error.index("text_zh states 15 working_days but the rule counts 15 calendar_days")
    assert english < error.index("写的是 15 个工作日")
    assert "Preview the changes" in r.content.decode()


def test_a_bad_amount_is_refused_by_the_form_and_nothing_is_saved(world: World, desk) -> None:
    admin = desk("admin")
    data = _values(world, "deadlines")
    data["amount-0"] = "-3"
    r = _post(admin, "deadlines", data, step="save")
    assert r.status_code == 422
    assert "确保该值大于或等于0" in r.content.decode().replace(" ", "")
    admin.client.cookies["django_language"] = "en"
    r = _post(admin, "deadlines", data, step="save")
    assert "greater than or equal to 0" in r.content.decode()
    assert _versions(world) == 1


def test_an_unchanged_form_saves_nothing(world: World, desk) -> None:
    r = _post(desk("admin"), "deadlines", _values(world, "deadlines"), step="save")
    assert r.status_code == 422
    assert "没有改动" in r.content.decode()
    assert _versions(world) == 1


def test_a_form_started_on_an_older_version_is_refused(world: World, desk) -> None:
    admin = desk("admin")
    stale = _values(world, "deadlines")
    first = dict(stale, **{"amount-2": "8"})
    first["text_zh-2"] = "答复后8个工作日内回访（目标）"
    first["text_en-2"] = "Follow-up visit within 8 working days of the reply (target)"
    assert _post(admin, "deadlines", first, step="save").status_code == 302
    r = _post(admin, "deadlines", dict(stale, **{"amount-1": "12"}), step="save")
    assert r.status_code == 409
    assert "编辑期间已有新版本 v2 生效" in r.content.decode()
    assert _versions(world) == 2


# -- categories ----------------------------------------------------------------------------


def test_categories_are_added_renamed_retired_and_removed_in_one_version(
    world: World, desk
) -> None:
    clerk = desk("clerk")
    assert clerk.register(category="fees").status_code == 302  # fees is in use
    admin = desk("admin")
    data = _values(world, "categories")
    data.update({
        "name_zh-service_attitude": "服务态度与礼仪",
        "state-fees": "retired",
        "state-facilities": "remove",
        "new-code": "parking",
        "new-name_zh": "停车管理",
        "new-name_en": "Parking",
        "new-lead": "logistics",
    })  # fmt: skip
    preview = _post(admin, "categories", data)
    assert preview.status_code == 200, preview.content.decode()[:3000]
    page = preview.content.decode()
    for words in ("服务态度与礼仪", "已停用", "停车管理 (parking)", "环境与设施 (facilities)"):
        assert words in page, words
    assert _post(admin, "categories", data, step="save").status_code == 302

    policy = _active(world).policy
    assert [c.code for c in policy.categories] == [
        "service_attitude", "fees", "quality", "misconduct", "other", "parking",
    ]  # fmt: skip
    fees = policy.category("fees")
    assert fees is not None and fees.retired and fees.name_zh == "收费问题"
    assert policy.category("parking").lead == "logistics"  # type: ignore[union-attr]
    # A retired category is refused for a new case and no longer offered; the old case keeps it.
    refused = clerk.register(category="fees")
    assert refused.status_code == 422
    assert "类别“收费问题”已停用，不能用于新案件" in refused.content.decode()
    form = clerk.get("new/").content.decode()
    assert 'value="fees"' not in form and 'value="parking"' in form
    assert 'value="fees"' not in desk("clerk").client.get("/o/acme/submit/").content.decode()
    assert Case.objects.get().category == "fees"
    assert "收费问题" in desk("supervisor").get("ledger/").content.decode()


def test_a_category_in_use_cannot_be_removed_only_retired(world: World, desk) -> None:
    assert desk("clerk").register(category="fees").status_code == 302
    admin = desk("admin")
    page = admin.get("manage/policy/edit/categories/").content.decode()
    state = page.split('name="state-fees"', 1)[1].split("</select>", 1)[0]
    assert 'value="remove"' not in state  # not offered
    data = _values(world, "categories")
    data["state-fees"] = "remove"
    r = _post(admin, "categories", data)
    assert r.status_code == 422
    assert "已有 1 件案件属于该类别，只能停用，不能删除" in r.content.decode()
    assert _versions(world) == 1


def test_removing_a_category_the_rules_name_is_refused_next_to_it(world: World, desk) -> None:
    admin = desk("admin")
    data = _values(world, "categories")
    data["new-code"], data["new-name_zh"], data["new-parent"] = "cashier", "收银", "quality"
    data["state-quality"] = "remove"
    r = _post(admin, "categories", data)
    assert r.status_code == 422
    page = r.content.decode()
    error = page.split('name="state-quality"', 1)[1].split("</div>", 1)[0]
    assert "unknown parent &#x27;quality&#x27;" in error
    assert _versions(world) == 1


@pytest.mark.parametrize(
    ("code", "message"),
    [("Bad Code", "代码只能用小写字母、数字和下划线"), ("fees", "代码 fees 已被使用")],
)
def test_a_new_category_code_is_checked(world: World, desk, code: str, message: str) -> None:
    data = _values(world, "categories")
    data["new-code"], data["new-name_zh"] = code, "新类别"
    r = _post(desk("admin"), "categories", data)
    assert r.status_code == 422
    error = r.content.decode().split('name="new-code"', 1)[1].split("</div>", 1)[0]
    assert message in error
    assert _versions(world) == 1


# -- departments and routing ---------------------------------------------------------------


def test_a_category_is_routed_to_another_department(world: World, desk) -> None:
    admin = desk("admin")
    data = _values(world, "routing")
    data["lead-fees"], data["co-fees"] = "service", ["finance"]
    preview = _post(admin, "routing", data)
    assert preview.status_code == 200, preview.content.decode()[:3000]
    page = preview.content.decode()
    assert "主办部门" in page and "财务部 (finance)" in page and "客户服务部 (service)" in page
    assert _post(admin, "routing", data, step="save").status_code == 302
    fees = _active(world).policy.category("fees")
    assert fees is not None and (fees.lead, fees.co) == ("service", ("finance",))
    assert desk("clerk").register(category="fees").status_code == 302
    case = Case.objects.get()
    assert case.proposed_department is not None and case.proposed_department.code == "service"
    assert AuditEvent.objects.get(type="policy.edited").data["form"] == "routing"


def test_the_lead_cannot_also_help(world: World, desk) -> None:
    data = _values(world, "routing")
    data["co-fees"] = ["finance"]
    r = _post(desk("admin"), "routing", data)
    assert r.status_code == 422
    error = r.content.decode().split('name="co-fees"', 1)[1].split("</div>", 1)[0]
    assert "协办部门不能包含主办部门" in error


def test_a_department_added_to_the_policy_is_created_on_save(world: World, desk) -> None:
    admin = desk("admin")
    data = _values(world, "routing")
    data.update({"new-code": "legal", "new-name_zh": "法务部", "new-name_en": "Legal"})
    assert _post(admin, "routing", data).status_code == 200
    assert not Department.objects.filter(org=world.org, code="legal").exists()
    r = _post(admin, "routing", data, step="save")
    assert r.status_code == 302
    legal = Department.objects.get(org=world.org, code="legal")
    assert legal.name == "法务部" and legal.active
    assert AuditEvent.objects.get(type="policy.edited").data["departments_created"] == ["legal"]
    # Now offered as a category's department.
    page = admin.get("manage/policy/edit/routing/").content.decode()
    assert 'value="legal"' in page.split('name="lead-fees"', 1)[1].split("</select>", 1)[0]


# -- reply templates -----------------------------------------------------------------------


def test_reply_templates_are_added_edited_and_removed(world: World, desk) -> None:
    admin = desk("admin")
    data = _values(world, "templates")
    data.update({
        "new-code": "outcome",
        "title_zh-new": "处理结果告知",
        "body_zh-new": "{name}：您反映的问题（编号{number}）\r\n处理意见如下：{findings}。",
    })  # fmt: skip
    assert _post(admin, "templates", data, step="save").status_code == 302
    template = _active(world).policy.reply.templates[0]
    assert template.body_zh == "{name}：您反映的问题（编号{number}）\n处理意见如下：{findings}。"

    data = _values(world, "templates")
    data["title_zh-outcome"] = "处理结果反馈"
    assert _post(admin, "templates", data, step="save").status_code == 302
    assert _active(world).policy.reply.templates[0].title_zh == "处理结果反馈"

    data = _values(world, "templates")
    data["remove-outcome"] = "on"
    preview = _post(admin, "templates", data)
    assert (
        "删除" in preview.content.decode() and "处理结果反馈 (outcome)" in preview.content.decode()
    )
    assert _post(admin, "templates", data, step="save").status_code == 302
    assert _active(world).policy.reply.templates == ()
    assert _versions(world) == 4


def test_a_template_with_a_stray_brace_is_refused_next_to_its_body(world: World, desk) -> None:
    data = _values(world, "templates")
    data.update({"new-code": "x", "title_zh-new": "标题", "body_zh-new": "编号{number"})
    r = _post(desk("admin"), "templates", data)
    assert r.status_code == 422
    error = r.content.decode().split('name="body_zh-new"', 1)[1].split("</div>", 1)[0]
    assert "花括号不成对" in error
    assert _versions(world) == 1


# -- who may -------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["handler", "dispatcher", "supervisor"])
def test_other_members_get_403_and_change_nothing(world: World, desk, persona: str) -> None:
    member = desk(persona)
    for part in PARTS:
        assert member.get(f"manage/policy/edit/{part}/").status_code == 403
        r = _post(member, part, _values(world, part), step="save")
        assert r.status_code == 403
        assert "仅本单位的管理员可以使用单位管理" in r.content.decode()
    assert _versions(world) == 1
    assert not AuditEvent.objects.filter(type="policy.edited").exists()


def test_another_organisations_administrator_gets_404(world: World) -> None:
    boss = create_user("boss", org=world.other, role="administrator")
    client = Client()
    client.force_login(boss)
    for part in PARTS:
        assert client.get(f"/desk/acme/manage/policy/edit/{part}/").status_code == 404
        data = {**_values(world, part), "step": "save"}
        assert client.post(f"/desk/acme/manage/policy/edit/{part}/", data).status_code == 404
    assert _versions(world) == 1


def test_anonymous_visitors_are_sent_to_sign_in(world: World) -> None:
    r = Client().post("/desk/acme/manage/policy/edit/deadlines/", {"step": "save"})
    assert r.status_code == 302 and "/login/" in r["Location"]


def test_an_unknown_part_is_404(world: World, desk) -> None:
    assert desk("admin").get("manage/policy/edit/colours/").status_code == 404
