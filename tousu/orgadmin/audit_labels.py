"""Audit records as the overview lists them: what happened, by whom, when."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.utils.translation import gettext, gettext_lazy, pgettext_lazy

from tousu.i18n import Text
from tousu.orgs.models import AuditEvent
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
    "membership.granted": gettext_lazy("授予角色"),
    "membership.created": gettext_lazy("授予角色"),
    "membership.changed": gettext_lazy("修改角色"),
    "holidayoverride.created": gettext_lazy("新增节假日调整"),
    "holidayoverride.withdrawn": gettext_lazy("撤销节假日调整"),
    "coveredyear.created": gettext_lazy("声明年份已覆盖"),
    "coveredyear.withdrawn": gettext_lazy("撤销年份覆盖"),
    "token.created": gettext_lazy("创建接口令牌"),
    "token.revoked": gettext_lazy("吊销接口令牌"),
}

ACTIONS: dict[str, Text] = {
    "rename": pgettext_lazy("actions", "改名"),
    "move": pgettext_lazy("actions", "移动"),
    "deactivate": pgettext_lazy("actions", "停用"),
    "reactivate": pgettext_lazy("actions", "恢复"),
}


def _detail(event: AuditEvent) -> str:
    data: dict[str, Any] = event.data if isinstance(event.data, dict) else {}
    parts = []
    action = ACTIONS.get(str(data.get("action", "")))
    if action:
        parts.append(str(action))
    for key in ("code", "role", "number", "date", "name", "note"):
        value = data.get(key)
        if value in (None, ""):
            continue
        if key == "number":
            parts.append(f"v{value}")
        elif key == "role":
            parts.append(labels.role(str(value)))
        else:
            parts.append(str(value))
    return " · ".join(parts)


def audit_rows(events: Iterable[AuditEvent]) -> list[dict[str, Any]]:
    rows = []
    for e in events:
        rows.append(
            {
                "at": e.at,
                "what": str(TYPES.get(e.type, e.type)),
                "detail": _detail(e),
                "actor": e.actor.get_username() if e.actor else gettext("系统"),
                "via": str(e.data.get("via", "")) if isinstance(e.data, dict) else "",
            }
        )
    return rows
