"""A demo organisation for any preset family: its staff and a few cases, from its policy.

The hospital has its own story (:mod:`tousu.demo.hospital`); every other preset gets an
organisation ``demo-<preset>`` whose logins are ``<preset>-clerk``, ``<preset>-dispatcher``
and so on, with departments taken from the policy (the clerk in the first department, the
handler and the department head in the department that leads the first category), and
three cases: one waiting for acceptance, one accepted and routed to the handler, one the
handler is working on.
"""

from __future__ import annotations

from typing import Any

from tousu.demo.script import Script, accept, case, rec, to, who
from tousu.orgs.roles import Role
from tousu.policy.schema import Policy

ROLES: tuple[tuple[str, str, str], ...] = (
    # persona, role, which department: "intake", "lead" or "" (organisation-wide)
    ("clerk", Role.INTAKE_CLERK, "intake"),
    ("dispatcher", Role.DISPATCHER, ""),
    ("handler", Role.HANDLER, "lead"),
    ("head", Role.DEPARTMENT_HEAD, "lead"),
    ("supervisor", Role.SUPERVISOR, ""),
    ("leader", Role.LEADER, ""),
    ("auditor", Role.AUDITOR, ""),
    ("admin", Role.ADMINISTRATOR, ""),
)
# Names for the other presets' personas; the posts come from the departments (:func:`names`).
PEOPLE: dict[str, str] = {
    "clerk": "陈晓燕",
    "dispatcher": "刘建伟",
    "handler": "周敏",
    "head": "孙国强",
    "supervisor": "赵立新",
    "leader": "马卫东",
    "auditor": "钱文静",
    "admin": "黄志明",
}
NIGHT = ("supervisor",)
HOTLINE = ("clerk",)


def _lead(policy: Policy) -> tuple[str | None, str]:
    """The department that leads the first category with a lead, and that category."""
    departments = {d.code for d in policy.departments}
    for category in policy.categories:
        if category.lead in departments:
            return category.lead, category.code
    first = policy.departments[0].code if policy.departments else None
    return first, policy.categories[0].code if policy.categories else ""


def personas(preset: str, policy: Policy) -> tuple[tuple[str, str, str | None], ...]:
    lead, _ = _lead(policy)
    intake = policy.departments[0].code if policy.departments else None
    where = {"intake": intake, "lead": lead, "": None}
    return tuple((f"{preset}-{name}", role, where[dept]) for name, role, dept in ROLES)


def names(preset: str, policy: Policy) -> dict[str, tuple[str, str]]:
    """username -> (name, title): a post in the persona's department where it has one."""
    lead, _ = _lead(policy)
    intake = policy.departments[0].code if policy.departments else None
    dept_names = {d.code: d.name_zh for d in policy.departments}
    posts = {
        "clerk": f"{dept_names.get(intake or '', '')}接待员",
        "dispatcher": "投诉管理专员",
        "handler": f"{dept_names.get(lead or '', '')}专员",
        "head": f"{dept_names.get(lead or '', '')}负责人",
        "supervisor": "督查室主任",
        "leader": "分管负责人",
        "auditor": "纪检监察专员",
        "admin": "系统管理员",
    }
    return {f"{preset}-{p}": (name, posts[p]) for p, name in PEOPLE.items()}


def _pick(options: tuple[str, ...], *preferred: str) -> str:
    for option in preferred:
        if option in options:
            return option
    return options[0]


def _fields(policy: Policy, kind: str) -> dict[str, Any]:
    """A value for every intake field of the policy (order numbers, quantities, dates)."""
    values: dict[str, Any] = {}
    for spec in policy.fields:
        if spec.group != "intake" or (spec.kinds and kind not in spec.kinds):
            continue
        if spec.type == "choice":
            if spec.choices:
                values[spec.code] = spec.choices[0]
            continue
        values[spec.code] = {
            "integer": 12, "decimal": "12.5", "date": "2026-01-05", "boolean": False,
        }.get(spec.type, "DEMO-0001"[: spec.max_length])  # fmt: skip
    return values


def scripts(preset: str, policy: Policy) -> list[Script]:
    lead, category = _lead(policy)
    kind = _pick(policy.kinds, "complaint", "report")
    channel = _pick(policy.channels, "phone", "visit", "letter", "web")
    p = f"{preset}-"
    body: dict[str, Any] = {
        "kind": kind,
        "channel": channel,
        "category": category,
        "subject": ("department", "业务窗口"),
    }

    def _case(name: str, phone: str, content: str, demands: str) -> dict[str, Any]:
        complainant = who(name, phone, address="杭州市西湖区文三路88号", email="demo@example.com")
        registered = case(body["kind"], body["channel"], body["category"], complainant,
                          body["subject"], content, demands)  # fmt: skip
        registered["subject"]["address"] = "杭州市西湖区天目山路56号"
        if fields := _fields(policy, kind):
            registered["fields"] = fields
        return registered

    routed = [accept(2, f"{p}dispatcher")]
    if lead:
        routed.append(to(lead, f"{p}handler", by=f"{p}dispatcher"))
    working = [*routed]
    if lead:
        working.append(
            rec(20, f"{p}handler", "call", "与投诉人电话沟通，了解经过，约定三日内回复。")
        )
    return [
        Script(
            "working",
            9,
            "10:00",
            f"{p}clerk",
            0.2,
            _case(
                "周建华",
                "13306513378",
                "窗口工作人员办理业务时态度生硬，要求补交的材料前后说法不一，来回跑了三趟。",
                "说明办理要求，工作人员道歉",
            ),
            working,
        ),  # fmt: skip
        Script(
            "routed",
            4,
            "14:30",
            f"{p}clerk",
            0.2,
            _case(
                "刘美华",
                "13588204417",
                "多次电话咨询办理进度，一直无人答复。",
                "尽快办理并告知进度",
            ),
            routed,
        ),  # fmt: skip
        Script(
            "waiting",
            1,
            "09:40",
            f"{p}clerk",
            0.2,
            _case(
                "赵桂芳",
                "13757136629",
                "预约办理的时间到了，窗口说系统里没有预约记录，让我改天再来。",
                "当天办理",
            ),
            [],
        ),  # fmt: skip
    ]
