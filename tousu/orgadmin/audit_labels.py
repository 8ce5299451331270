"""Audit records as the administration lists them: what happened, to what, by whom, when.

Every code the system writes has a label (a test reads the sources for codes without one),
and every record a detail line in words: the department, the role and the person by name,
the policy version, the date, the number of rows. Values a record keeps for the machine
(ids, hashes) are turned into what they stand for, or left out.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.contrib.auth import get_user_model
from django.utils.translation import gettext, gettext_lazy, pgettext, pgettext_lazy

from tousu.cases.models import Case
from tousu.i18n import LANGUAGES, Text, localized
from tousu.orgs.models import AuditEvent, Department, Membership
from tousu.orgs.people import names_by_id
from tousu.web import labels

TYPES: dict[str, Text] = {
    "organisation.created": gettext_lazy("创建单位"),
    "organisation.changed": gettext_lazy("修改单位"),
    "policy.activated": gettext_lazy("启用制度版本"),
    "policy.edited": pgettext_lazy("types", "修改制度"),
    "department.created": pgettext_lazy("types", "新建部门"),
    "department.changed": gettext_lazy("修改部门"),
    "user.created": gettext_lazy("新建账号"),
    "user.changed": gettext_lazy("修改账号"),
    "user.profile_changed": gettext_lazy("修改人员姓名与联系方式"),
    "membership.granted": gettext_lazy("授予角色"),
    "membership.created": gettext_lazy("授予角色"),
    "membership.changed": gettext_lazy("修改角色"),
    "holidayoverride.created": gettext_lazy("新增节假日调整"),
    "holidayoverride.withdrawn": gettext_lazy("撤销节假日调整"),
    "coveredyear.created": gettext_lazy("声明年份已覆盖"),
    "coveredyear.withdrawn": gettext_lazy("撤销年份覆盖"),
    "token.created": gettext_lazy("创建接口令牌"),
    "token.revoked": gettext_lazy("吊销接口令牌"),
    "apitoken.created": gettext_lazy("创建接口令牌"),
    "apitoken.changed": gettext_lazy("修改接口令牌"),
    "shift.added": gettext_lazy("排班"),
    "shift.cancelled": gettext_lazy("取消班次"),
    "handover.written": gettext_lazy("填写交接班记录"),
    "handover.received": gettext_lazy("签收交接班记录"),
    "dutyintake.landed": gettext_lazy("值班期间收到案件"),
    "dutyintake.handed_on": gettext_lazy("值班案件移交分办"),
    "retention.planned": gettext_lazy("拟定到期销毁清单"),
    "retention.approved": gettext_lazy("批准到期销毁"),
    "retention.done": gettext_lazy("完成归档与销毁"),
    "pipl.export": gettext_lazy("个人信息查询导出"),
    "ledger.exported": gettext_lazy("导出台帐"),
    "dossier.exported": gettext_lazy("导出案宗"),
    "portal.box_forms_printed": gettext_lazy("打印意见箱登记表"),
    "record.integrity_broken": gettext_lazy("记录完整性校验未通过"),
    "keys.rotated": gettext_lazy("更换主密钥"),
    "signin.succeeded": gettext_lazy("登录"),
    "signin.failed": gettext_lazy("登录失败"),
    "signout": gettext_lazy("退出登录"),
    "second_factor.enabled": gettext_lazy("开启双因素认证"),
    "second_factor.disabled": gettext_lazy("关闭双因素认证"),
    "second_factor.code_refused": gettext_lazy("双因素验证码错误"),
    "second_factor.recovery_codes_replaced": gettext_lazy("更换恢复码"),
    "password.changed": gettext_lazy("修改密码"),
    "password.change_refused": gettext_lazy("修改密码未成功"),
    "password.link_issued": gettext_lazy("生成设置密码链接"),
    "password.set_by_link": gettext_lazy("通过链接设置密码"),
    "snippet.created": gettext_lazy("新增常用回复"),
    "snippet.retired": gettext_lazy("停用常用回复"),
}

ACTIONS: dict[str, Text] = {
    "rename": pgettext_lazy("actions", "改名"),
    "move": pgettext_lazy("actions", "移动"),
    "deactivate": pgettext_lazy("actions", "停用"),
    "reactivate": pgettext_lazy("actions", "恢复"),
}

PROFILE_FIELDS: dict[str, Text] = {
    "name": gettext_lazy("姓名"),
    "title": gettext_lazy("职务"),
    "email": gettext_lazy("电子邮箱"),
    "mobile": gettext_lazy("手机号码"),
}

FOUND_BY: dict[str, Text] = {
    "phone": gettext_lazy("电话"),
    "id_number": gettext_lazy("身份证号"),
    "email": gettext_lazy("电子邮箱"),
}


def label(code: str) -> str:
    """What an audit code means, in the request's language (the code itself if unknown)."""
    found = TYPES.get(code)
    return str(found) if found is not None else code


class _Context:
    """What the details refer to, looked up once for a page of records."""

    def __init__(self, events: list[AuditEvent]) -> None:
        user_ids: set[int] = set()
        case_ids: set[int] = set()
        membership_ids: set[int] = set()
        usernames: set[str] = set()
        for e in events:
            data = _data(e)
            if e.object_type == "user" and e.object_id.isdigit():
                user_ids.add(int(e.object_id))
            if e.object_type == "membership" and e.object_id.isdigit():
                membership_ids.add(int(e.object_id))
            for key in ("user",):
                if isinstance(data.get(key), int):
                    user_ids.add(int(data[key]))
                elif isinstance(data.get(key), str) and data[key]:
                    usernames.add(data[key])
            for key in ("officer", "by", "to"):
                value = data.get(key)
                for name in value if isinstance(value, list) else [value]:
                    if isinstance(name, str) and name:
                        usernames.add(name)
            if isinstance(data.get("case"), int):
                case_ids.add(int(data["case"]))
        memberships = {
            m.pk: m
            for m in Membership.objects.filter(pk__in=membership_ids).select_related("department")
        }
        user_ids |= {m.user_id for m in memberships.values()}
        by_username = dict(
            get_user_model().objects.filter(username__in=usernames).values_list("username", "pk")
        )
        self.names = names_by_id(user_ids | set(by_username.values()))
        self.by_username = {u: self.names.get(pk, "") for u, pk in by_username.items()}
        self.memberships = memberships
        self.cases = dict(Case.objects.filter(pk__in=case_ids).values_list("pk", "number"))

    def person(self, user_id: Any) -> str:
        return self.names.get(int(user_id), "") if str(user_id).isdigit() else ""

    def login(self, username: Any) -> str:
        """A person named in a record by username: their name."""
        if not isinstance(username, str) or not username:
            return ""
        return self.by_username.get(username) or username


def _data(event: AuditEvent) -> dict[str, Any]:
    return event.data if isinstance(event.data, dict) else {}


def _department(code: Any, org_id: int | None) -> str:
    if not code:
        return ""
    dept = Department.objects.filter(org_id=org_id, code=str(code)).first()
    return localized(dept.name, dept.name_en) if dept else str(code)


CHANGED: dict[str, Text] = {
    "name": gettext_lazy("名称"),
    "name_en": gettext_lazy("英文名称"),
    "parent": gettext_lazy("上级部门"),
}


def _changes(data: dict[str, Any], org_id: int | None = None) -> list[str]:
    """Changed values the record keeps (a department's name, parent, active flag)."""
    parts = []
    before = data.get("before") if isinstance(data.get("before"), dict) else {}
    changed = data.get("changed")
    if isinstance(changed, dict):
        for key, value in changed.items():
            if key in {"code", "active", "is_active"}:
                continue
            old = before.get(key) if isinstance(before, dict) else None
            if key == "parent":
                old = _department(old, org_id) if old else gettext("（无）")
                value = _department(value, org_id) if value else gettext("（无）")
            text = f"{old} → {value}" if old not in (None, "") else str(value)
            if value not in (None, "") or old not in (None, ""):
                parts.append(f"{CHANGED.get(key, key)}：{text}")
    return parts


def _user(e: AuditEvent, d: dict[str, Any], c: _Context) -> list[str]:
    who = c.person(e.object_id)
    parts = [who] if who else []
    if d.get("username"):
        parts.append(str(d["username"]))
    action = ACTIONS.get(str(d.get("action", "")))
    if action:
        parts.insert(0, str(action))
    if e.type == "user.profile_changed":
        fields = [str(PROFILE_FIELDS.get(f, f)) for f in d.get("changed", []) or []]
        if fields:
            parts.append(gettext("修改了：{fields}").format(fields="、".join(fields)))
    return parts


def _membership(e: AuditEvent, d: dict[str, Any], c: _Context) -> list[str]:
    parts = []
    action = ACTIONS.get(str(d.get("action", "")))
    if action:
        parts.append(str(action))
    m = c.memberships.get(int(e.object_id)) if e.object_id.isdigit() else None
    who = c.person(d.get("user") or (m.user_id if m else ""))
    if who:
        parts.append(who)
    role = d.get("role") or (m.role if m else "")
    if role:
        parts.append(labels.role(str(role)))
    dept = d.get("department") or (m.department.code if m and m.department else "")
    if dept:
        parts.append(_department(dept, e.org_id))
    return parts


def _department_detail(e: AuditEvent, d: dict[str, Any], c: _Context) -> list[str]:
    parts = []
    action = ACTIONS.get(str(d.get("action", "")))
    if action:
        parts.append(str(action))
    if d.get("code"):
        parts.append(_department(d["code"], e.org_id))
    parts += _changes(d, e.org_id)
    return parts


def _organisation(e: AuditEvent, d: dict[str, Any], c: _Context) -> list[str]:
    if d.get("field") == "language":
        names = dict(LANGUAGES)
        return [
            gettext("通知与文书的语言：{before} → {after}").format(
                before=names.get(str(d.get("before")), d.get("before")),
                after=names.get(str(d.get("after")), d.get("after")),
            )
        ]
    return [str(d["slug"])] if d.get("slug") else _changes(d)


def _policy(e: AuditEvent, d: dict[str, Any], c: _Context) -> list[str]:
    parts = []
    if d.get("previous"):
        parts.append(f"v{d['previous']} → v{d.get('number')}")
    elif d.get("number"):
        parts.append(f"v{d['number']}")
    if d.get("preset"):
        parts.append(gettext("预设 {preset}").format(preset=d["preset"]))
    if d.get("note"):
        parts.append(str(d["note"]))
    created = d.get("departments_created") or []
    if created:
        parts.append(
            gettext("新建部门：{codes}").format(
                codes="、".join(_department(code, e.org_id) for code in created)
            )
        )
    return parts


def _calendar(e: AuditEvent, d: dict[str, Any], c: _Context) -> list[str]:
    parts = [str(d.get("date") or d.get("year") or "")]
    if "working" in d:
        parts.append(gettext("上班") if d["working"] else gettext("休息"))
    parts += [str(d[k]) for k in ("name", "source_notice") if d.get(k)]
    return parts


def _span(d: dict[str, Any]) -> str:
    start, end = str(d.get("starts_at", "")), str(d.get("ends_at", ""))
    return f"{start[:16].replace('T', ' ')}–{end[11:16]}" if start and end else ""


def _duty(e: AuditEvent, d: dict[str, Any], c: _Context) -> list[str]:
    parts = []
    if e.type.startswith("shift."):
        parts += [c.login(d.get("user")), _span(d)]
    elif e.type == "handover.written":
        to = d.get("to")
        parts.append(
            gettext("交给：{who}").format(
                who=gettext("值班办公室") if to == "office" else c.login(to)
            )
        )
        if d.get("cases"):
            parts.append(gettext("涉及 {n} 件案件").format(n=d["cases"]))
    elif e.type == "handover.received":
        parts.append(c.login(d.get("by")))
    else:  # dutyintake.*
        case_id = d.get("case")
        number = c.cases.get(case_id) if isinstance(case_id, int) else None
        if number:
            parts.append(str(number))
        if d.get("officer"):
            parts.append(gettext("值班：{who}").format(who=c.login(d["officer"])))
        told = d.get("to")
        if isinstance(told, list) and told:
            parts.append(gettext("移交：{who}").format(who="、".join(c.login(t) for t in told)))
    return parts


def _counts(e: AuditEvent, d: dict[str, Any], c: _Context) -> list[str]:
    parts = []
    if "cases" in d:
        parts.append(gettext("{n} 件案件").format(n=d["cases"]))
    if "shredded" in d:
        parts.append(
            gettext("销毁 {shredded} 件，保留 {skipped} 件").format(
                shredded=d["shredded"], skipped=d.get("skipped", 0)
            )
        )
    if "rows" in d:
        parts.append(gettext("{n} 行").format(n=d["rows"]))
    if "count" in d:
        parts.append(gettext("{n} 份").format(n=d["count"]))
    if e.type == "pipl.export":
        kind = FOUND_BY.get(str(d.get("kind", "")))
        if kind:
            parts.insert(0, gettext("按{kind}查找").format(kind=kind))
        if d.get("requested_by"):
            parts.append(gettext("申请人：{who}").format(who=d["requested_by"]))
    if e.type == "record.integrity_broken":
        parts.append(gettext("发现 {n} 处问题").format(n=len(d.get("problems") or [])))
    return parts


def _token(e: AuditEvent, d: dict[str, Any], c: _Context) -> list[str]:
    return [f"{d['prefix']}…"] if d.get("prefix") else _changes(d)


def _password(e: AuditEvent, d: dict[str, Any], c: _Context) -> list[str]:
    parts = _user(e, d, c)
    if e.type == "password.link_issued":
        parts.append(
            gettext("已有密码（忘记密码）") if d.get("had_password") else gettext("尚未设置密码")
        )
    return parts


def _snippet(e: AuditEvent, d: dict[str, Any], c: _Context) -> list[str]:
    return [gettext("“{title}”").format(title=d["title"])] if d.get("title") else []


DETAILS: dict[str, Callable[[AuditEvent, dict[str, Any], _Context], list[str]]] = {
    "organisation": _organisation,
    "policy": _policy,
    "policyversion": _policy,
    "department": _department_detail,
    "user": _user,
    "membership": _membership,
    "holidayoverride": _calendar,
    "coveredyear": _calendar,
    "token": _token,
    "apitoken": _token,
    "shift": _duty,
    "handover": _duty,
    "dutyintake": _duty,
    "retention": _counts,
    "pipl": _counts,
    "ledger": _counts,
    "portal": _counts,
    "record": _counts,
    "password": _password,
    "snippet": _snippet,
}


def detail(event: AuditEvent, context: _Context | None = None) -> str:
    """The record's detail line in words."""
    c = context or _Context([event])
    d = _data(event)
    describe = DETAILS.get(event.type.split(".")[0])
    parts = describe(event, d, c) if describe else []
    return pgettext("list of clauses", "；").join(p for p in parts if p)


def audit_rows(events: Iterable[AuditEvent]) -> list[dict[str, Any]]:
    events = list(events)
    context = _Context(events)
    actors = names_by_id(e.actor_id for e in events if e.actor_id)
    rows = []
    for e in events:
        rows.append(
            {
                "at": e.at,
                "code": e.type,
                "what": label(e.type),
                "detail": detail(e, context),
                "actor": actors.get(e.actor_id or 0, "") if e.actor_id else gettext("系统"),
                "actor_login": e.actor.get_username() if e.actor else "",
                "via": _via(_data(e).get("via", "")),
            }
        )
    return rows


VIA: dict[str, Text] = {
    "desk": gettext_lazy("单位管理页面"),
    "admin": gettext_lazy("系统后台"),
    "command": gettext_lazy("命令行"),
}


def _via(code: Any) -> str:
    found = VIA.get(str(code or ""))
    return str(found) if found is not None else str(code or "")
