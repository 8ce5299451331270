"""Action forms generated from the actions' typed inputs, with the policy's options.

Each action of the transition table has a pydantic input (:mod:`tousu.cases.inputs`).
The desk builds its small form from that same model — so the desk can never offer a
field the action does not take, nor miss one it requires — and fills the choices
from the organisation's policy: refusal reasons, departments, staff, categories,
reply templates, the deadlines that may be extended. Posted values go back through
the model's validation (:mod:`tousu.web.posted`) and then through the action itself,
like an API call. Features register the choices and labels of their own actions here
(:data:`ACTION_CHOICES`, :data:`POLICY_FIELD_GROUPS`) from their ``desk.py``.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Literal
from zoneinfo import ZoneInfo

from django.utils.translation import gettext, gettext_lazy
from pydantic import BaseModel

from tousu.cases.access import Actor, identity_visible
from tousu.cases.lifecycle import TABLE
from tousu.cases.models import Case, Deadline, Event
from tousu.cases.redaction import identity_masker
from tousu.i18n import localized
from tousu.orgs.models import Department, Membership
from tousu.policy.schema import Policy
from tousu.web import labels

# Fields whose text is long enough for a text area.
LONG_TEXT = {"note", "reason", "findings", "measures", "body", "content", "demands"}
# Fields taking one line per item.
LINES = {"participants", "items", "witnesses", "phrases"}
DEPARTMENT_FIELDS = {"lead_department", "department"}
STAFF_FIELDS = {"handler", "user", "requested_by"}
# Nested structures the desk does not edit through the generic form (the API does);
# amend's complainant and split's parts get their own fields below.
SKIPPED = {"complainant", "subject", "fields", "parts"}
PARTY_FIELDS = ("name", "phone", "email", "address", "id_number")
PARTY_LABELS = {
    "name": gettext_lazy("姓名"),
    "phone": gettext_lazy("联系电话"),
    "email": gettext_lazy("电子邮箱"),
    "address": gettext_lazy("地址"),
    "id_number": gettext_lazy("身份证号"),
}
SPLIT_PARTS = 2


@dataclass
class FormField:
    name: str
    label: str
    widget: str  # text, textarea, select, multiselect, checkbox, tristate, number, datetime, lines
    required: bool
    choices: list[tuple[str, str]] = field(default_factory=list)
    value: Any = ""
    error: str = ""
    hint: str = ""


@dataclass
class ActionForm:
    action: str
    title: str
    fields: list[FormField]
    templates: list[tuple[str, str, str]] = field(default_factory=list)  # code, title, body
    error: str = ""

    @property
    def is_simple(self) -> bool:
        return not any(f.required for f in self.fields)


def _strip_optional(annotation: Any) -> tuple[Any, bool]:
    args = typing.get_args(annotation)
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType) and type(None) in args:
        rest = [a for a in args if a is not type(None)]
        return _bare(rest[0]) if len(rest) == 1 else typing.Union[tuple(rest)], True  # noqa: UP007
    return _bare(annotation), False


def _bare(annotation: Any) -> Any:
    """The type under its validators: Annotated[datetime, ...] (a PastMoment) is a datetime."""
    if typing.get_origin(annotation) is typing.Annotated:
        return typing.get_args(annotation)[0]
    return annotation


def _literal_values(annotation: Any) -> list[str] | None:
    origin = typing.get_origin(annotation)
    if origin is Literal:
        return [str(v) for v in typing.get_args(annotation)]
    if origin in (typing.Union, types.UnionType):
        values: list[str] = []
        for arg in typing.get_args(annotation):
            sub = _literal_values(arg)
            if sub is None:
                return None
            values += sub
        return values
    return None


@dataclass
class Options:
    """What the policy and the organisation offer for the choices of a form."""

    policy: Policy
    departments: list[tuple[str, str]]
    staff: list[tuple[str, str]]
    stages: list[tuple[str, str]]
    # The complainant's current details and the demands, only for a viewer who may see
    # the identity (amend prefills them; others amend without seeing them).
    party: dict[str, Any] | None = None
    demands: str | None = None
    # The case itself, and its policy-field values (forms offering those fields prefill them).
    case: Case | None = None
    values: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def for_case(cls, case: Case, policy: Policy, actor: Actor | None = None) -> Options:
        departments = [
            (d.code, localized(d.name, d.name_en))
            for d in Department.objects.filter(org_id=case.org_id).order_by("code")
        ]
        users = (
            Membership.objects.filter(org_id=case.org_id, active=True)
            .values_list("user__username", "user__staff_profile__name")
            .distinct()
            .order_by("user__username")
        )
        staff = [(u, f"{name} ({u})" if name else u) for u, name in users]
        stages = [
            (d.stage, labels.stage(d.stage))
            for d in case.deadlines.filter(state=Deadline.State.OPEN).order_by("due_at")
        ]
        party: dict[str, Any] | None = None
        demands: str | None = None
        if actor is not None and identity_visible(actor, case):
            current = case.parties.filter(superseded_at__isnull=True, role="complainant").first()
            party = {"anonymous": True}
            if current is not None:
                party = {
                    "anonymous": current.anonymous,
                    "consent_share_identity": current.consent_share_identity,
                    **{name: getattr(current, name) for name in PARTY_FIELDS},
                }
            demands = case.demands
        return cls(
            policy=policy, departments=departments, staff=staff, stages=stages,
            party=party, demands=demands, case=case, values=dict(case.fields or {}),
        )  # fmt: skip

    def choices_for(
        self, action: str, name: str, values: list[str] | None
    ) -> list[tuple[str, str]] | None:
        provider = ACTION_CHOICES.get(action)
        if provider is not None:
            own = provider(self, name, values)
            if own is not None:
                return own
        policy = self.policy
        if name == "reason_code" and action == "reject":
            return [(r.code, localized(r.zh, r.en)) for r in policy.rejection_reasons]
        if name in DEPARTMENT_FIELDS or name in {"co_departments", "departments"}:
            return self.departments
        if name in STAFF_FIELDS:
            return self.staff
        if name == "category":
            return [(c.code, localized(c.name_zh, c.name_en)) for c in policy.open_categories]
        if name == "kind" and action != "record":  # a record's kind is the record's own
            return [(k, labels.kind(k)) for k in policy.kinds]
        if name == "stage":
            return self.stages
        if name == "satisfaction":
            return [("", "—")] + [
                (s, labels.choice(s)) for s in policy.follow_up.satisfaction_scale
            ]
        if name in {"channel", "reply_channel", "told_via"} and values is not None:
            offered = [v for v in values if v in policy.channels or v == "on_the_spot"]
            return [(v, labels.channel(v)) for v in offered or values]
        if values is not None:
            return [(v, labels.choice(v) if v else "—") for v in values]
        return None


# Actions defined outside tousu.cases offer their own choices for their fields (a
# procedure's steps, a sub-task's departments): registered by their app's ``ready()``.
# A provider answers None for a field it does not know, and the general rules apply.
ChoiceProvider = Callable[[Options, str, list[str] | None], list[tuple[str, str]] | None]
ACTION_CHOICES: dict[str, ChoiceProvider] = {}

# Actions that set the policy's own fields ([[fields]]) take them as ``fields``: the desk
# offers the fields of this group, prefilled, and sends only what changed. Apps register
# their actions here from ``ready()`` (tousu.quality: record_quality → "investigation").
POLICY_FIELD_GROUPS: dict[str, str] = {"amend": "intake"}


def build_form(action: str, schema: type[BaseModel], case: Case, options: Options) -> ActionForm:
    transition = TABLE[action]
    fields: list[FormField] = []
    for name, info in schema.model_fields.items():
        if name in SKIPPED:
            continue
        annotation, optional = _strip_optional(info.annotation)
        required = info.is_required()
        values = _literal_values(annotation)
        choices = options.choices_for(action, name, values)
        widget = "text"
        if annotation is bool:
            widget = "tristate" if optional else "checkbox"
        elif annotation is int:
            widget = "number"
        elif annotation is datetime:
            widget = "datetime"
        elif annotation is date:
            widget = "date"
        elif typing.get_origin(annotation) is list:
            widget = "multiselect" if choices else "lines"
        elif choices is not None:
            widget = "select"
        elif name in LONG_TEXT:
            widget = "textarea"
        default = info.get_default(call_default_factory=True) if not required else ""
        value: Any = "" if default is None else default
        if action == "assign" and name == "lead_department" and case.proposed_department_id:
            value = case.proposed_department.code if case.proposed_department else ""
        if action == "assign" and name == "co_departments":
            value = list(case.proposed_co_departments or [])
        if widget == "select" and choices and not required and optional:
            choices = [("", "—"), *[c for c in choices if c[0] != ""]]
        elif widget == "select" and choices and required and value in ("", None):
            # A required choice starts unchosen: nothing is decided by default.
            choices = [("", gettext("— 请选择 —")), *[c for c in choices if c[0] != ""]]
        fields.append(
            FormField(
                name=name,
                label=labels.field(name),
                widget=widget,
                required=required,
                choices=choices or [],
                value=value,
            )
        )
    if action == "amend":
        fields = _amend_fields(fields, options)
    if action in POLICY_FIELD_GROUPS:
        fields = policy_fields(options, POLICY_FIELD_GROUPS[action], case.kind) + fields
    if action == "split":
        fields = _split_fields(options) + fields
    templates = []
    if action == "reply":
        placeholders = template_values(case, options)
        templates = [
            (
                tpl.code,
                localized(tpl.title_zh, tpl.title_en),
                fill(localized(tpl.body_zh, tpl.body_en), placeholders),
            )
            for tpl in options.policy.reply.templates
        ]
    return ActionForm(action=action, title=transition.label, fields=fields, templates=templates)


class _Keep(dict[str, str]):
    """Placeholders a template names but the case cannot fill stay as written."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def fill(body: str, values: dict[str, str]) -> str:
    try:
        return body.format_map(_Keep(values))
    except (ValueError, IndexError):  # a brace the template did not mean as a placeholder
        return body


def template_values(case: Case, options: Options) -> dict[str, str]:
    """What a reply template's placeholders stand for on this case: {number}, {received},
    {department}, {findings}, {name} (the name only for those who may see it)."""
    received = case.received_at.astimezone(ZoneInfo(case.org.time_zone))
    resolved = (
        Event.objects.filter(case=case, type="resolved", record__isnull=False)
        .select_related("record")
        .order_by("-seq")
        .first()
    )
    findings = resolved.record.body if resolved and resolved.record else ""
    if options.party is None:
        findings = identity_masker(case)(findings)
    name = ""
    if options.party is not None and not options.party.get("anonymous"):
        name = str(options.party.get("name") or "")
    who = gettext("举报人") if case.kind == "report" else gettext("投诉人")
    department = case.lead_department
    return {
        "number": case.number or "",
        "received": gettext("{year}年{month}月{day}日").format(
            year=received.year, month=received.month, day=received.day
        ),
        "department": localized(department.name, department.name_en) if department else "",
        "findings": findings.rstrip("。."),
        "name": name or who,
    }


def _amend_fields(fields: list[FormField], options: Options) -> list[FormField]:
    """Amend: the complainant's details (for viewers who may see them), prefilled."""
    for f in fields:
        if f.name == "demands" and options.demands is not None:
            f.value = options.demands
    if options.party is None:
        return fields
    extra = [
        FormField(
            name=f"complainant.{name}",
            label=str(PARTY_LABELS[name]),
            widget="text",
            required=False,
            value=options.party.get(name, ""),
        )
        for name in PARTY_FIELDS
    ]
    return extra + fields


def policy_fields(options: Options, group: str, kind: str) -> list[FormField]:
    """The policy's fields of a group as form fields named ``fields.<code>``, prefilled.

    An integer that may be "not yet determined" (客户加工中未确定) gets a checkbox for it.
    """
    out: list[FormField] = []
    for spec in options.policy.fields:
        if spec.group != group or (spec.kinds and kind not in spec.kinds):
            continue
        label = localized(spec.label_zh, spec.label_en)
        current = options.values.get(spec.code)
        undetermined = spec.undetermined_allowed and current == "undetermined"
        value: Any = "" if current is None or undetermined else current
        widget = "text"
        choices: list[tuple[str, str]] = []
        if spec.type == "choice":
            widget, choices = "select", [("", "—"), *[(c, c) for c in spec.choices]]
        elif spec.type == "boolean":
            widget = "tristate"
        elif spec.type == "date":
            widget = "date"
        elif spec.type == "string" and spec.max_length > 200:
            widget = "textarea"
        name = f"fields.{spec.code}"
        out.append(FormField(name, label, widget, False, choices, value))
        if spec.undetermined_allowed:
            out.append(
                FormField(
                    f"{name}.undetermined",
                    gettext("{field}：客户加工中未确定").format(field=label),
                    "checkbox",
                    False,
                    value=undetermined,
                )
            )
    return out


def _split_fields(options: Options) -> list[FormField]:
    """Split: the parts, each with its kind, category, content and demands."""
    kinds: list[tuple[str, str]] = [(str(k), labels.kind(k)) for k in options.policy.kinds]
    categories: list[tuple[str, str]] = [("", "—")] + [
        (c.code, localized(c.name_zh, c.name_en)) for c in options.policy.open_categories
    ]
    out: list[FormField] = []
    for i in range(SPLIT_PARTS):
        n = i + 1
        out += [
            FormField(
                f"parts.{i}.kind",
                gettext("第{n}部分 类型").format(n=n),
                "select",
                i == 0,
                kinds,
                "complaint",
            ),
            FormField(
                f"parts.{i}.category",
                gettext("第{n}部分 类别").format(n=n),
                "select",
                False,
                categories,
            ),
            FormField(
                f"parts.{i}.content", gettext("第{n}部分 内容").format(n=n), "textarea", i == 0
            ),
            FormField(
                f"parts.{i}.demands", gettext("第{n}部分 诉求").format(n=n), "textarea", False
            ),
        ]
    return out
