"""The policy pages: read, edit with validation, versions and their diffs."""

from __future__ import annotations

from tousu.cases.models import Case, Deadline
from tousu.conftest import World
from tousu.orgs.models import AuditEvent, Department
from tousu.policy.models import PolicyVersion

REPLY_15 = (
    'amount = 15\nunit = "working_days"\ntext_zh = "受理后15个工作日内答复"\n'
    'text_en = "Reply within 15 working days of acceptance"'
)
REPLY_10 = (
    'amount = 10\nunit = "working_days"\ntext_zh = "受理后10个工作日内答复"\n'
    'text_en = "Reply within 10 working days of acceptance"'
)


def _acceptance(source: str, days: int) -> str:
    """The acceptance limit (5 working days in the general preset) changed, words and number."""
    return (
        source.replace("amount = 5\n", f"amount = {days}\n", 1)
        .replace("收到后5个工作日内", f"收到后{days}个工作日内", 1)
        .replace('within 5 working days of receipt"', f'within {days} working days of receipt"', 1)
    )


def _source(world: World) -> str:
    world.org.refresh_from_db()
    assert world.org.active_policy is not None
    return world.org.active_policy.source


def _save(desk, source: str, note: str = "", based_on: int | None = 1):
    data = {"source": source, "note": note}
    if based_on is not None:
        data["based_on"] = str(based_on)
    return desk.post("manage/policy/edit/", data)


def test_the_administrator_reads_the_active_policy(world: World, desk) -> None:
    page = desk("admin").get("manage/policy/").content.decode()
    assert "通用投诉举报处理制度" in page
    assert "收费问题" in page and "财务部 (finance)" in page  # a category with its department
    assert "受理后15个工作日内答复" in page and "自受理起 15 个工作日" in page  # rule in words
    assert "无明确的被投诉（举报）对象或具体事实" in page  # a refusal ground
    assert "案件记录保存" in page  # retention
    assert "[[deadlines]]" in page  # the TOML source
    assert "已登记的案件仍按各自登记时的版本办理" in page


def test_the_policy_page_in_english(world: World, desk) -> None:
    admin = desk("admin")
    admin.client.cookies["django_language"] = "en"
    page = admin.get("manage/policy/").content.decode()
    assert "Reply within 15 working days of acceptance" in page
    assert "15 working day(s) from acceptance" in page
    assert "Fees and charges" in page and "Finance (finance)" in page


def test_a_valid_edit_makes_and_activates_the_next_version_with_an_audit_record(
    world: World, desk
) -> None:
    admin = desk("admin")
    source = _source(world).replace(REPLY_15, REPLY_10)
    assert REPLY_10 in source
    r = _save(admin, source, note="答复期限缩短为10个工作日")
    assert r.status_code == 302, r.content.decode()[:3000]
    assert r["Location"].endswith("/manage/policy/versions/2/")
    world.org.refresh_from_db()
    assert world.org.active_policy is not None
    assert world.org.active_policy.number == 2
    assert world.org.active_policy.created_by == world.users["admin"]
    assert PolicyVersion.objects.filter(org=world.org).count() == 2
    event = AuditEvent.objects.get(type="policy.edited", org=world.org)
    assert event.actor == world.users["admin"]
    assert event.data["note"] == "答复期限缩短为10个工作日" and event.data["via"] == "desk"
    assert AuditEvent.objects.filter(type="policy.activated", data__number=2).exists()

    diff = admin.get("manage/policy/versions/2/").content.decode()
    assert "deadlines[1:reply].amount" in diff and "15" in diff and "10" in diff
    history = admin.get("manage/policy/versions/").content.decode()
    assert "答复期限缩短为10个工作日" in history and "admin" in history and "v2" in history


def test_a_syntax_error_is_refused_with_its_line_and_nothing_is_saved(world: World, desk) -> None:
    admin = desk("admin")
    broken = _source(world).replace("[identity]", "[identity", 1)
    r = _save(admin, broken)
    assert r.status_code == 422
    page = r.content.decode()
    assert "不是有效的 TOML" in page and "(document)" in page
    assert "[identity\n" in page  # the text is kept
    assert PolicyVersion.objects.filter(org=world.org).count() == 1


def test_an_unknown_key_is_refused_naming_it_in_both_languages(world: World, desk) -> None:
    admin = desk("admin")
    r = _save(admin, 'colour = "red"\n' + _source(world))
    assert r.status_code == 422
    page = r.content.decode()
    assert "<code>colour</code>" in page
    assert "未知的键" in page and "Extra inputs are not permitted" in page
    assert "colour = &quot;red&quot;" in page
    assert PolicyVersion.objects.filter(org=world.org).count() == 1
    admin.client.cookies["django_language"] = "en"
    page = _save(admin, 'colour = "red"\n' + _source(world)).content.decode()
    assert "Not saved: the document has these problems" in page


def test_a_bad_deadline_is_refused_with_its_path(world: World, desk) -> None:
    admin = desk("admin")
    bad = _source(world).replace(REPLY_15, REPLY_15.replace("amount = 15", "amount = -3"))
    r = _save(admin, bad)
    assert r.status_code == 422
    page = r.content.decode()
    assert "deadlines.1.amount" in page and "应大于或等于 0" in page
    # The number changed, the words not: refused in both languages, nothing saved.
    r = _save(admin, _source(world).replace("amount = 15\n", "amount = 12\n", 1))
    assert r.status_code == 422
    page = r.content.decode()
    assert "deadlines.1" in page
    assert "期限规则 reply 的文字（text_zh）写的是 15 个工作日，而规则的数字是 12 个工作日" in page
    assert "text_zh states 15 working_days but the rule counts 12 working_days" in page
    assert PolicyVersion.objects.filter(org=world.org).count() == 1
    assert not AuditEvent.objects.filter(type__startswith="policy.", data__number=2).exists()


def test_an_existing_case_keeps_its_version_and_its_deadlines(world: World, desk) -> None:
    r = desk("clerk").register()
    assert r.status_code == 302
    case = Case.objects.get()
    due = list(Deadline.objects.filter(case=case).values_list("stage", "due_at"))
    first = case.policy_version_id
    admin = desk("admin")
    source = _acceptance(_source(world), 3)
    assert _save(admin, source).status_code == 302
    case.refresh_from_db()
    world.org.refresh_from_db()
    assert case.policy_version_id == first != world.org.active_policy_id
    assert list(Deadline.objects.filter(case=case).values_list("stage", "due_at")) == due
    history = admin.get("manage/policy/versions/").content.decode()
    assert "已登记的案件仍按各自登记时的版本办理" in history


def test_an_edit_started_from_an_older_version_is_refused(world: World, desk) -> None:
    admin = desk("admin")
    source = _source(world)
    assert _save(admin, source.replace(REPLY_15, REPLY_10)).status_code == 302
    r = _save(admin, _acceptance(source, 4), based_on=1)
    assert r.status_code == 409
    assert "编辑期间已有新版本 v2 生效" in r.content.decode()
    assert PolicyVersion.objects.filter(org=world.org).count() == 2


def test_saving_the_same_text_creates_no_version(world: World, desk) -> None:
    r = _save(desk("admin"), _source(world))
    assert r.status_code == 422
    assert "没有可保存的改动" in r.content.decode()
    assert PolicyVersion.objects.filter(org=world.org).count() == 1


def test_a_department_new_to_the_policy_is_created_on_save(world: World, desk) -> None:
    source = _source(world).replace(
        "[[categories]]",
        '[[departments]]\ncode = "legal"\nname_zh = "法务部"\nname_en = "Legal"\n\n[[categories]]',
        1,
    )
    r = _save(desk("admin"), source)
    assert r.status_code == 302, r.content.decode()[:3000]
    legal = Department.objects.get(org=world.org, code="legal")
    assert legal.name == "法务部" and legal.active
    assert AuditEvent.objects.get(type="policy.edited").data["departments_created"] == ["legal"]


def test_routing_to_a_deactivated_department_is_pointed_out(world: World, desk) -> None:
    admin = desk("admin")
    created = admin.post("manage/departments/", {"code": "legal", "name": "法务部"})
    assert created.status_code == 302
    assert admin.post("manage/departments/legal/deactivate/").status_code == 302
    source = _source(world).replace(
        "[[categories]]",
        '[[departments]]\ncode = "legal"\nname_zh = "法务部"\n\n'
        '[[categories]]\ncode = "contracts"\nname_zh = "合同纠纷"\nlead = "legal"\n\n[[categories]]',
        1,
    )
    r = _save(admin, source)
    assert r.status_code == 302, r.content.decode()[:3000]
    page = admin.get(r["Location"].split("/desk/acme/", 1)[1]).content.decode()
    assert "制度把案件分给已停用的部门（legal）" in page
    assert not Department.objects.get(org=world.org, code="legal").active
