"""Audit records as the overview lists them: what happened, by whom, when."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.utils.translation import gettext

from tousu.orgs.models import AuditEvent
from tousu.web import labels
from tousu.web.i18n import t

TYPES: dict[str, tuple[str, str]] = {
    "organisation.created": ("创建单位", "Organisation created"),
    "organisation.changed": ("修改单位", "Organisation changed"),
    "policy.activated": ("启用制度版本", "Policy version activated"),
    "policy.edited": ("修改制度", "Policy edited"),
    "department.created": ("新建部门", "Department created"),
    "department.changed": ("修改部门", "Department changed"),
    "user.created": ("新建账号", "Account created"),
    "user.changed": ("修改账号", "Account changed"),
    "membership.granted": ("授予角色", "Role granted"),
    "membership.created": ("授予角色", "Role granted"),
    "membership.changed": ("修改角色", "Role changed"),
    "holidayoverride.created": ("新增节假日调整", "Holiday override added"),
    "holidayoverride.withdrawn": ("撤销节假日调整", "Holiday override withdrawn"),
    "coveredyear.created": ("声明年份已覆盖", "Year declared covered"),
    "coveredyear.withdrawn": ("撤销年份覆盖", "Covered year withdrawn"),
    "token.created": ("创建接口令牌", "API token created"),
    "token.revoked": ("吊销接口令牌", "API token revoked"),
}

ACTIONS: dict[str, tuple[str, str]] = {
    "rename": ("改名", "renamed"),
    "move": ("移动", "moved"),
    "deactivate": ("停用", "deactivated"),
    "reactivate": ("恢复", "reactivated"),
}


def _detail(event: AuditEvent) -> str:
    data: dict[str, Any] = event.data if isinstance(event.data, dict) else {}
    parts = []
    action = ACTIONS.get(str(data.get("action", "")))
    if action:
        parts.append(t(*action))
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
        zh_en = TYPES.get(e.type)
        rows.append(
            {
                "at": e.at,
                "what": t(*zh_en) if zh_en else e.type,
                "detail": _detail(e),
                "actor": e.actor.get_username() if e.actor else gettext("系统"),
                "via": str(e.data.get("via", "")) if isinstance(e.data, dict) else "",
            }
        )
    return rows
