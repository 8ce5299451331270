"""Action forms generated from the actions' typed inputs, with the policy's options.

Each action of the transition table has a pydantic input (:mod:`tousu.cases.inputs`).
The desk builds its small form from that same model — so the desk can never offer a
field the action does not take, nor miss one it requires — and fills the choices
from the organisation's policy: refusal reasons, departments, staff, categories,
reply templates, the deadlines that may be extended. Posted values go back through
the model's validation (:mod:`tousu.web.posted`) and then through the action itself,
like an API call.

Labels, choices, hints and when a field applies are said per action (:func:`describe`,
:data:`ACTIONS`), never by a field's name alone: ``amount`` is days for an extension and
yuan for a fine, ``kind`` is a case's kind for 分类定性 and a penalty's for 处罚. A field
whose action says nothing about it falls back only to the few names that mean the same in
every action (:data:`tousu.web.labels.FIELDS`). A choice the action's input would refuse
is never offered. Features describe their own actions from their ``desk.py``
(:func:`describe`, :data:`ACTION_CHOICES`, :data:`POLICY_FIELD_GROUPS`).
"""

from __future__ import annotations

import types
import typing
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Literal
from zoneinfo import ZoneInfo

from django.utils.translation import gettext, gettext_lazy, pgettext_lazy
from pydantic import BaseModel

from tousu.cases.access import Actor, identity_visible
from tousu.cases.lifecycle import TABLE
from tousu.cases.models import Case, Deadline, Event, IdentityReveal, Recusal
from tousu.cases.redaction import identity_masker
from tousu.i18n import Text, localized
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
    # text, textarea, select, multiselect, checkbox, tristate, yesno, number, datetime, lines
    widget: str
    required: bool
    choices: list[tuple[str, str]] = field(default_factory=list)
    value: Any = ""
    error: str = ""
    hint: str = ""
    # Shown only while the form's field ``when`` holds one of ``when_values``.
    when: str = ""
    when_values: list[str] = field(default_factory=list)


@dataclass
class ActionForm:
    action: str
    title: str
    fields: list[FormField]
    # Canned texts the body can start from: (value, title, body filled in for the case).
    templates: list[tuple[str, str, str]] = field(default_factory=list)
    error: str = ""
    help: str = ""
    # One of the actions that move the case on from its state (the page leads with them).
    primary: bool = False

    @property
    def is_simple(self) -> bool:
        return not any(f.required for f in self.fields)

    @property
    def body_field(self) -> str:
        """The text a canned reply fills in (``body``), when the form has one."""
        return "body" if any(f.name == "body" for f in self.fields) else ""


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
        """The choices of one field of one action: what the action says (:func:`describe`),
        else its app's provider, else the few names that mean the same in every action,
        else the values the input takes, each with its label."""
        spec = field_spec(action, name)
        if spec.choices is not None:
            return spec.choices(self)
        provider = ACTION_CHOICES.get(action)
        if provider is not None:
            own = provider(self, name, values)
            if own is not None:
                return own
        if name in DEPARTMENT_FIELDS or name in {"co_departments", "departments"}:
            return self.departments
        if name in STAFF_FIELDS:
            return self.staff
        if name == "category":
            return [(c.code, localized(c.name_zh, c.name_en)) for c in self.policy.open_categories]
        if name == "stage":
            return self.stages
        if name == "satisfaction":
            return [("", "—")] + [
                (s, labels.choice(s)) for s in self.policy.follow_up.satisfaction_scale
            ]
        if values is not None:
            return [(v, labels.choice(v) if v else "—") for v in values]
        return None


# -- how each action is offered ------------------------------------------------------------


@dataclass(frozen=True)
class FieldSpec:
    """How the desk shows one field of one action."""

    label: Text | None = None
    hint: Text | None = None
    choices: Callable[[Options], list[tuple[str, str]]] | None = None
    # The value the form starts with (else the input's default).
    initial: Callable[[Options], Any] | None = None
    # Shown only while another field has one of these values: (field, values), or a
    # function of the options giving them (a procedure step's details, by its record form).
    when: tuple[str, frozenset[str]] | Callable[[Options], tuple[str, frozenset[str]]] | None = None
    widget: str | None = None


@dataclass
class ActionDesk:
    """How the desk offers one action: a line of help, and its fields' specs."""

    help: Text = ""
    fields: dict[str, FieldSpec] = field(default_factory=dict)


ACTIONS: dict[str, ActionDesk] = {}
_NO_SPEC = FieldSpec()


def describe(action: str, help: Text | None = None, **fields: FieldSpec) -> None:
    """Say how the desk offers an action: its help line and its fields (features call this
    from their ``desk.py``). Later calls add to earlier ones."""
    entry = ACTIONS.setdefault(action, ActionDesk())
    if help is not None:
        entry.help = help
    entry.fields.update(fields)


def field_spec(action: str, name: str) -> FieldSpec:
    entry = ACTIONS.get(action)
    return entry.fields.get(name, _NO_SPEC) if entry is not None else _NO_SPEC


def field_label(action: str, name: str) -> str:
    spec = field_spec(action, name)
    return str(spec.label) if spec.label is not None else labels.field(name)


def action_help(action: str) -> str:
    entry = ACTIONS.get(action)
    return str(entry.help) if entry is not None else ""


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
        spec = field_spec(action, name)
        annotation, optional = _strip_optional(info.annotation)
        required = info.is_required()
        values = _literal_values(annotation)
        choices = options.choices_for(action, name, values)
        if choices is not None and values is not None:
            # Only what the action's input takes: a label table can never offer more.
            choices = [c for c in choices if c[0] in values or c[0] == ""]
        widget = "text"
        if annotation is bool:
            widget = "tristate" if optional else "checkbox"
        elif annotation is int:
            widget = "number" if choices is None else "select"  # a number chosen from a list
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
        if spec.widget is not None:
            widget = spec.widget
        default = info.get_default(call_default_factory=True) if not required else ""
        value: Any = "" if default is None else default
        if spec.initial is not None:
            start = spec.initial(options)
            if start is not None:
                value = start
        if action == "assign" and name == "lead_department" and case.proposed_department_id:
            value = case.proposed_department.code if case.proposed_department else ""
        if action == "assign" and name == "co_departments":
            value = list(case.proposed_co_departments or [])
        if widget == "select" and choices and not required:
            # A field the action does not require may be left empty (with the words its
            # action gives the empty choice, else a dash).
            blank = next((c for c in choices if c[0] == ""), ("", "—"))
            choices = [blank, *[c for c in choices if c[0] != ""]]
        elif widget == "select" and choices and required and value in ("", None):
            # A required choice starts unchosen: nothing is decided by default.
            choices = [("", gettext("— 请选择 —")), *[c for c in choices if c[0] != ""]]
        when, when_values = "", []
        if spec.when is not None:
            when, shown = spec.when(options) if callable(spec.when) else spec.when
            when_values = sorted(shown)
        fields.append(
            FormField(
                name=name,
                label=field_label(action, name),
                widget=widget,
                required=required,
                choices=choices or [],
                value=value,
                hint=str(spec.hint) if spec.hint is not None else "",
                when=when,
                when_values=when_values,
            )
        )
    if action == "amend":
        fields = _amend_fields(fields, options)
    if action in POLICY_FIELD_GROUPS:
        fields = policy_fields(options, POLICY_FIELD_GROUPS[action], case.kind) + fields
    if action == "split":
        fields = _split_fields(options) + fields
    templates = []
    if action in CANNED:
        placeholders = template_values(case, options)
        templates = [
            (
                f"policy:{tpl.code}",
                localized(tpl.title_zh, tpl.title_en),
                fill(localized(tpl.body_zh, tpl.body_en), placeholders),
            )
            for tpl in options.policy.reply.templates
        ]
    return ActionForm(
        action=action,
        title=transition.label,
        fields=fields,
        templates=templates,
        help=action_help(action),
        primary=action in PRIMARY.get(case.status, ()),
    )


# The actions that move a case on from each state: the case page leads with them.
PRIMARY: dict[str, tuple[str, ...]] = {
    "registered": ("accept", "reject"),
    "accepted": ("assign",),
    "transferring": ("receive",),
    "in_progress": ("resolve",),
    "paused": ("resume",),
    "resolved": ("reply",),
    "replied": ("follow_up", "close"),
    "followed_up": ("close",),
}

# Forms whose text may start from a canned reply (the policy's templates, the office's own).
CANNED = ("reply", "message_reporter")


def shown(form: ActionForm, f: FormField, posted: Any) -> bool:
    """Whether a conditional field applies to what was chosen in the form."""
    if not f.when:
        return True
    return str(posted.get(f.when, "")) in f.when_values


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
    if resolved is not None and resolved.record is not None:
        resolved.record.case = case  # the key of the case already read
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


# -- the core's actions and the reporter channel's, as the desk offers them --------------

# Ways a reply, a refusal or a follow-up reaches the person: never an intake channel that
# cannot carry an answer (意见箱, 意见簿, 触摸屏, 评价表, 转办).
REPLY_WAYS = ("phone", "letter", "email", "fax", "sms", "visit", "web", "other")
WAY_LABELS: dict[str, Text] = {
    "visit": pgettext_lazy("ways", "当面"),
    "web": pgettext_lazy("ways", "网上（门户留言）"),
    "letter": pgettext_lazy("ways", "书面（信函）"),
}


def _ways(options: Options, *first: str) -> list[tuple[str, str]]:
    """The ways to answer this case: the portal only where the organisation has one."""
    online = "web" in options.policy.channels or (
        options.case is not None and options.case.channel == "web"
    )
    return [
        (w, str(WAY_LABELS.get(w) or labels.channel(w)))
        for w in (*first, *REPLY_WAYS)
        if w != "web" or online
    ]


def _written_only(options: Options) -> bool:
    """The policy wants a written reply here (always, or to a written complaint)."""
    rules, case = options.policy.reply, options.case
    written_in = case is not None and case.channel in options.policy.written_channels
    return rules.written_always or (rules.written_for_written and written_in)


def _reply_ways(options: Options) -> list[tuple[str, str]]:
    ways = _ways(options)
    if _written_only(options):
        return [w for w in ways if w[0] in options.policy.reply.written_forms]
    return ways


def _case_channel(options: Options) -> str | None:
    """The case's own channel, when it is a way to answer (a phone case is called back),
    else the first written form when the policy wants the reply in writing."""
    channel = options.case.channel if options.case is not None else ""
    offered = [w for w, _ in _reply_ways(options)]
    if channel in offered:
        return channel
    return offered[0] if _written_only(options) and offered else None


def _receipt_channel(options: Options) -> str | None:
    """A receipt goes out the way the case came in (a box case's into the box)."""
    channel = options.case.channel if options.case is not None else ""
    return channel if channel in RECEIPT_WAYS else None


RECEIPT_WAYS = ("phone", "letter", "visit", "fax", "email", "sms", "box", "other")


def _elsewhere(options: Options) -> list[tuple[str, str]]:
    """The departments a case can move to: not the one that has it."""
    case = options.case
    here = case.lead_department.code if case is not None and case.lead_department else ""
    return [d for d in options.departments if d[0] != here]


def _pending(model: Any, who: str) -> Callable[[Options], list[tuple[str, str]]]:
    """The staff with a pending request on this case (a recusal, a look at the identity)."""

    def choices(options: Options) -> list[tuple[str, str]]:
        if options.case is None:
            return []
        ids = model.objects.filter(case=options.case, state="pending").values_list(
            f"{who}__username", flat=True
        )
        names = dict(options.staff)
        return [(u, names.get(u, u)) for u in sorted(set(ids))]

    return choices


def _kinds(options: Options) -> list[tuple[str, str]]:
    return [(k, labels.kind(k)) for k in options.policy.kinds]


def _rejection_reasons(options: Options) -> list[tuple[str, str]]:
    return [(r.code, localized(r.zh, r.en)) for r in options.policy.rejection_reasons]


def _yes_no(yes: Text, no: Text) -> Callable[[Options], list[tuple[str, str]]]:
    return lambda options: [("true", str(yes)), ("false", str(no))]


def _decision(yes: Text, no: Text) -> FieldSpec:
    """A decision asked for explicitly: nothing is approved (or refused) by default."""
    return FieldSpec(choices=_yes_no(yes, no), widget="yesno")


APPROVE = _decision(gettext_lazy("批准"), gettext_lazy("不批准"))

describe(
    "amend",
    gettext_lazy("补充或更正投诉人信息、诉求和制度要求登记的事项；原记录保留，每次修改都有记录。"),
    note=FieldSpec(label=gettext_lazy("补充说明")),
)
describe(
    "classify",
    gettext_lazy("改正案件类型、类别或复杂程度，复杂程度决定办理时限。"),
    kind=FieldSpec(label=gettext_lazy("案件类型"), choices=_kinds),
    note=FieldSpec(label=gettext_lazy("说明")),
)
describe(
    "resolve_on_the_spot",
    gettext_lazy("首问当场解决：已当面或在电话中解决的，记录处理情况即可办结。"),
    reply_channel=FieldSpec(choices=lambda o: _ways(o, "on_the_spot")),
)
describe("accept", gettext_lazy("决定受理：开始计算办理时限，之后分办到主办部门。"))
describe(
    "reject",
    gettext_lazy("决定不予受理：选择制度规定的原因，并告知投诉人。"),
    reason_code=FieldSpec(label=gettext_lazy("不予受理原因"), choices=_rejection_reasons),
    told_via=FieldSpec(choices=_ways),
)
describe(
    "refer",
    gettext_lazy("不属本单位处理的，转送有权处理的机关或系统内单位，并告知投诉人。"),
    told_via=FieldSpec(choices=_ways),
    target_org=FieldSpec(hint=gettext_lazy("转送系统内另一单位时填写；否则填写转送机关")),
)
describe("assign", gettext_lazy("分办：指定主办部门（可加协办部门）和承办人。"))
describe(
    "transfer",
    gettext_lazy("转办：交另一部门办理，由该部门签收。"),
    department=FieldSpec(label=gettext_lazy("转至部门"), choices=lambda o: _elsewhere(o)),
)
describe("receive", gettext_lazy("签收转来的案件，本部门开始办理。"))
describe("return", gettext_lazy("不属本部门职责的，退回分办人重新分办。"))
describe(
    "record",
    gettext_lazy("记录调查、调解、会议、通话、送达等办理过程；封存证据须写明物品与见证人。"),
    kind=FieldSpec(label=gettext_lazy("记录类型")),
    participants=FieldSpec(
        when=("kind", frozenset({"investigation", "mediation", "meeting", "site_inspection"}))
    ),
    location=FieldSpec(
        when=(
            "kind",
            frozenset(
                {"investigation", "mediation", "meeting", "site_inspection", "sealed_evidence"}
            ),
        )
    ),
    items=FieldSpec(when=("kind", frozenset({"sealed_evidence", "evidence"}))),
    witnesses=FieldSpec(when=("kind", frozenset({"sealed_evidence"}))),
    seal_number=FieldSpec(when=("kind", frozenset({"sealed_evidence"}))),
    outcome=FieldSpec(when=("kind", frozenset({"mediation"}))),
)
describe(
    "pause",
    gettext_lazy("等待补充材料、检验、鉴定等期间中止计时，恢复后接续计算。"),
    reason_code=FieldSpec(label=gettext_lazy("中止原因")),
)
describe("resume", gettext_lazy("中止的原因消除后恢复计时。"))
describe(
    "request_extension",
    gettext_lazy("情况复杂不能按期办结的，申请延长办理时限，经批准后生效。"),
    amount=FieldSpec(label=gettext_lazy("延长天数")),
)
describe(
    "approve_extension",
    gettext_lazy("审批延期申请；可批准较短的天数。"),
    approved=FieldSpec(label=gettext_lazy("批准延期")),
    amount=FieldSpec(label=gettext_lazy("批准延长天数"), hint=gettext_lazy("不填则按申请的天数")),
)
describe(
    "escalate",
    gettext_lazy("重大、紧急或超出权限的事项，上报部门负责人、督办员或分管领导。"),
)
describe(
    "notify_authority",
    gettext_lazy("按规定向上级主管部门报告本案，记录报告时间和文号。"),
    authority=FieldSpec(label=gettext_lazy("报告机关")),
)
describe("split", gettext_lazy("一件来信中有几件事项的，拆分为几个案件分别办理。"))
describe(
    "merge",
    gettext_lazy("同一事项重复投诉的，并入先登记的案件一并办理。"),
)
describe(
    "resolve",
    gettext_lazy("办结：写明调查核实情况、责任认定和处理措施，随后答复投诉人。"),
)
describe(
    "reply",
    gettext_lazy("答复投诉人处理结果；书面来信的，应书面答复。可选用答复模板。"),
    channel=FieldSpec(label=gettext_lazy("答复方式"), choices=_reply_ways, initial=_case_channel),
    body=FieldSpec(label=gettext_lazy("答复内容")),
)
describe(
    "follow_up",
    gettext_lazy("回访投诉人，了解对处理结果是否满意；不满意的按制度重新核实。"),
    channel=FieldSpec(label=gettext_lazy("回访方式"), choices=_ways),
)
describe("close", gettext_lazy("答复（及回访）完成后结案，案件归档。"))
describe("reopen", gettext_lazy("投诉人对处理结果有异议的，重新核实办理。"))
describe(
    "request_review",
    gettext_lazy("登记投诉人对处理意见不服提出的复查（复核）申请。"),
)
describe(
    "recuse",
    gettext_lazy("与案件有利害关系的工作人员回避，此后不再经手本案。"),
    user=FieldSpec(label=gettext_lazy("回避人员"), hint=gettext_lazy("不选则为本人回避")),
)
describe(
    "hold",
    gettext_lazy("法律保全：案件涉诉或被调取时冻结其材料，到期也不删除，直至解除。"),
)
describe(
    "redact",
    gettext_lazy("标注遮蔽：把内容中能认出投诉人的词语遮蔽，无权查看身份者只见遮蔽后的文字。"),
)
describe("release_hold", gettext_lazy("诉讼或调取结束后解除法律保全。"))
describe(
    "request_recusal",
    gettext_lazy("登记当事人提出的回避申请，由督办员决定。"),
    user=FieldSpec(label=gettext_lazy("申请回避的人员")),
)
describe(
    "decide_recusal",
    gettext_lazy("决定当事人的回避申请；批准后该人员不再经手本案。"),
    user=FieldSpec(label=gettext_lazy("申请回避的人员"), choices=_pending(Recusal, "user")),
    approved=APPROVE,
)
describe(
    "request_reveal",
    gettext_lazy("确需联系投诉举报人的，说明理由申请查看身份；理由记录备查。"),
)
describe(
    "approve_reveal",
    gettext_lazy("审批查看身份的申请；批准后申请人可以看到投诉举报人身份。"),
    requested_by=FieldSpec(
        label=gettext_lazy("申请人"), choices=_pending(IdentityReveal, "requested_by")
    ),
    approved=APPROVE,
)
describe("withdraw", gettext_lazy("投诉人撤回投诉的，记录撤回理由，案件终止。"))
describe(
    "message_reporter",
    gettext_lazy("给投诉举报人留言，对方凭查询回执在门户查看并回复。"),
    body=FieldSpec(label=gettext_lazy("留言内容")),
)
describe(
    "issue_receipt",
    gettext_lazy("发放查询回执：投诉举报人凭回执号在门户查询进度、留言，回执号只显示这一次。"),
    channel=FieldSpec(
        label=gettext_lazy("回执交付方式"),
        choices=lambda o: [(c, labels.channel(c)) for c in RECEIPT_WAYS],
        initial=_receipt_channel,
    ),
)
describe(
    "bind_receipt",
    gettext_lazy("登记举报箱回执：把投入举报箱的预印回执号与本案关联，举报人凭它查询。"),
    receipt=FieldSpec(label=gettext_lazy("回执号")),
)
