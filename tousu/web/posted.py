"""Posted form values back into an action's input document, and its errors onto the form.

The form is the one :func:`tousu.web.forms.build_form` generated from the action's pydantic
input: :func:`parse` turns what was posted into the input's document (dotted names nested,
policy fields only where they changed), the action's model validates it, and
:func:`attach_errors` puts each validation error next to its field.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.http import QueryDict
from django.utils.translation import gettext
from pydantic import ValidationError as PydanticError

from tousu.web.forms import (
    PARTY_FIELDS,
    POLICY_FIELD_GROUPS,
    ActionForm,
    Options,
    field_label,
    shown,
)

UNDETERMINED_WORDS = {"undetermined", "未确定", "客户加工中未确定"}


def policy_field_value(spec: Any, raw: Any, undetermined: bool = False) -> Any:
    """A posted policy-field value in its type (the action validates it again).

    Text that is not a number stays text, so that the action refuses it with its message.
    """
    if spec.undetermined_allowed and (
        undetermined or (isinstance(raw, str) and raw.strip() in UNDETERMINED_WORDS)
    ):
        return "undetermined"
    if isinstance(raw, str):
        raw = raw.strip()
    if raw in ("", None):
        return None
    if spec.type == "integer" and isinstance(raw, str) and raw.lstrip("-").isdigit():
        return int(raw)
    if spec.type == "boolean" and isinstance(raw, str):
        return {"true": True, "on": True, "1": True, "false": False, "0": False}.get(raw, raw)
    return raw


def _collect_policy_fields(form: ActionForm, data: dict[str, Any], options: Options | None) -> None:
    """``fields.<code>`` inputs into ``data["fields"]``: only the values that changed."""
    if options is None or form.action not in POLICY_FIELD_GROUPS:
        return
    specs = {f.code: f for f in options.policy.fields}
    changed: dict[str, Any] = {}
    for key in [k for k in data if k.startswith("fields.")]:
        code = key[len("fields.") :]
        if code.endswith(".undetermined") or code not in specs:
            continue
        raw = data.pop(key)
        flag = bool(data.pop(f"{key}.undetermined", False))
        value = policy_field_value(specs[code], raw, flag)
        before = options.values.get(code)
        # amend keeps a value it is not given; only the quality report clears one.
        clears = value is None and before not in (None, "") and form.action != "amend"
        if clears or (value is not None and value != before):
            changed[code] = "" if value is None else value
    for key in [k for k in data if k.startswith("fields.")]:
        data.pop(key)
    if changed:
        data["fields"] = changed


def _nest(data: dict[str, Any], options_party: dict[str, Any] | None) -> dict[str, Any]:
    """Dotted names (complainant.name, parts.0.content) into the input's structure."""
    flat = {k: v for k, v in data.items() if "." not in k}
    party = {k.split(".", 1)[1]: v for k, v in data.items() if k.startswith("complainant.")}
    if party and options_party is not None:
        current = {k: options_party.get(k, "") for k in PARTY_FIELDS}
        wanted = {k: party.get(k, "") for k in PARTY_FIELDS}
        if wanted != current:
            flat["complainant"] = {
                **wanted,
                "anonymous": not any(wanted.values()),
                "consent_share_identity": bool(options_party.get("consent_share_identity")),
            }
    parts: dict[int, dict[str, Any]] = {}
    for key, value in data.items():
        if key.startswith("parts."):
            _, index, name = key.split(".", 2)
            parts.setdefault(int(index), {})[name] = value
    if parts:
        flat["parts"] = [
            {k: v for k, v in part.items() if v != ""}
            for _, part in sorted(parts.items())
            if part.get("content")
        ]
    return flat


def parse(
    form: ActionForm, post: QueryDict, tz: ZoneInfo, options: Options | None = None
) -> dict[str, Any]:
    """Posted form values as the action's input document (validation comes after)."""
    data: dict[str, Any] = {}
    for f in form.fields:
        raw = post.get(f.name, "")
        if not shown(form, f, post):
            f.value = raw
            continue  # a detail of another type than the one chosen: not sent
        if f.widget == "checkbox":
            data[f.name] = post.get(f.name) in {"on", "true", "1"}
        elif f.widget == "tristate" and f.name.startswith("fields."):
            data[f.name] = raw  # a policy field: "" leaves it as it is
        elif f.widget in {"tristate", "yesno"}:
            if raw in {"true", "false", "on"}:
                data[f.name] = raw != "false"
        elif f.widget == "multiselect":
            data[f.name] = [v for v in post.getlist(f.name) if v]
        elif f.widget == "lines":
            data[f.name] = [line.strip() for line in raw.splitlines() if line.strip()]
        elif f.widget == "datetime":
            if raw:
                try:
                    data[f.name] = datetime.fromisoformat(raw).replace(tzinfo=tz).isoformat()
                except ValueError:
                    data[f.name] = raw  # refused by validation, with its message
        elif raw != "" or f.required or f.name.startswith("fields."):
            data[f.name] = raw
        f.value = data.get(f.name, raw)
    chosen = post.get("template", "")
    if form.body_field and chosen and not str(data.get(form.body_field, "")).strip():
        # Without script the chosen canned reply is not copied in: an empty text takes it.
        body = next((text for value, _title, text in form.templates if value == chosen), "")
        if body:
            data[form.body_field] = body
            next(f for f in form.fields if f.name == form.body_field).value = body
    unchanged = options is not None and data.get("demands") == options.demands
    if form.action == "amend" and unchanged:
        data.pop("demands", None)  # the prefilled demands, untouched: not an amendment
    _collect_policy_fields(form, data, options)
    return _nest(data, options.party if options else None)


def attach_errors(form: ActionForm, exc: PydanticError) -> None:
    by_name = {f.name: f for f in form.fields}
    loose = []
    for err in exc.errors():
        loc = [str(p) for p in err.get("loc", ())]
        target = by_name.get(".".join(loc)) or (by_name.get(loc[0]) if loc else None)
        message = error_message(err)
        if target is not None:
            target.error = message
        elif loc:
            loose.append(
                gettext("{field}：{message}").format(
                    field=field_label(form.action, loc[0]), message=message
                )
            )
        else:
            loose.append(message)
    form.error = "；".join(loose) if loose else gettext("请检查标出的字段")


def attach_refusal(form: ActionForm, exc: Any) -> None:
    """An action's refusal on the form, and next to the field it names (if the form has it)."""
    form.error = exc.text
    by_name = {f.name: f for f in form.fields}
    for detail in exc.details if isinstance(exc.details, list) else []:
        target = by_name.get(str(detail.get("field", ""))) if isinstance(detail, dict) else None
        if target is not None:
            target.error = exc.text


def error_message(err: Any) -> str:
    kind = err.get("type", "")
    if kind == "missing":
        return gettext("必填")
    if kind == "string_too_short":
        return gettext("必填")
    if kind == "string_too_long":
        return gettext("内容过长")
    if kind in {"literal_error", "enum"}:
        return gettext("请从列表中选择")
    if kind.startswith("int") or kind.startswith("greater") or kind.startswith("less"):
        return gettext("请填写有效数字")
    if kind.startswith("datetime"):
        return gettext("日期时间格式有误")
    if kind == "string_pattern_mismatch":
        return gettext("格式不正确")
    return gettext("内容有误") + f" ({err.get('msg', '')})"
