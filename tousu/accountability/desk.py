"""What the accountability app adds to the desk's generated forms (from ``ready()``): how
each of its actions is offered — labels, choices and help per action — and the labels of
its choices. A penalty is chosen from the case's penalties that the action applies to."""

from __future__ import annotations

from collections.abc import Callable

from django.db.models import Q
from django.utils.translation import gettext_lazy

from tousu.accountability.models import Appeal, Penalty
from tousu.accountability.services import KINDS
from tousu.i18n import Text, localized
from tousu.web import forms, labels
from tousu.web.forms import FieldSpec, Options

FIELD_LABELS: dict[str, Text] = {
    "penalty": gettext_lazy("处罚编号"),
    "upheld": gettext_lazy("维持原决定"),
    "document": gettext_lazy("送达文书"),
    "how": gettext_lazy("送达方式"),
}

CHOICE_LABELS: dict[str, Text] = {
    "penalty_notice": gettext_lazy("处罚决定通知书"),
    "appeal_decision": gettext_lazy("申诉处理决定书"),
    "in_person": gettext_lazy("直接送达"),
    "post": gettext_lazy("邮寄送达"),
    "email": gettext_lazy("电子邮件"),
}


def penalty_kinds(options: Options) -> list[tuple[str, str]]:
    """The policy's penalties (通报批评, 绩效考核扣分, 经济处罚 …); every kind when it lists none."""
    listed = options.policy.accountability.penalties
    if listed:
        return [(p.code, localized(p.zh, p.en)) for p in listed]
    return [(code, str(name)) for code, name in KINDS.items()]


def _fines(options: Options) -> tuple[str, frozenset[str]]:
    """The amount is asked only for a fine whose amount the policy does not fix."""
    fixed = {p.code for p in options.policy.accountability.penalties if p.amount is not None}
    return "kind", frozenset({"fine"} - fixed)


def _penalties(which: Q) -> Callable[[Options], list[tuple[str, str]]]:
    def choices(options: Options) -> list[tuple[str, str]]:
        if options.case is None:
            return []
        rows = (
            Penalty.objects.filter(which, case=options.case)
            .select_related("staff", "department")
            .distinct()
            .order_by("pk")
        )
        out = []
        for p in rows:
            if p.staff is not None:
                who = p.staff.get_full_name() or p.staff.get_username()
            elif p.department is not None:
                who = localized(p.department.name, p.department.name_en)
            else:
                who = ""
            out.append((str(p.pk), f"#{p.pk} {localized(p.label_zh, p.label_en)} · {who}"))
        return out

    return choices


PROPOSED = Q(status=Penalty.Status.PROPOSED)
APPEALED = Q(appeals__status=Appeal.Status.PENDING)
DECIDED = Q(status__in=[Penalty.Status.APPROVED, Penalty.Status.REVOKED])


def register() -> None:
    for name, pair in FIELD_LABELS.items():
        labels.FIELDS.setdefault(name, pair)
    for code, pair in CHOICE_LABELS.items():
        labels.CHOICES.setdefault(code, pair)
    either = gettext_lazy("被处罚的工作人员或部门，二选一")
    forms.describe(
        "propose_penalty",
        gettext_lazy("对负有责任的工作人员或部门提出处罚意见，经有权领导审批后生效。"),
        staff=FieldSpec(
            label=gettext_lazy("被处罚工作人员"), hint=either, choices=lambda o: o.staff
        ),
        department=FieldSpec(label=gettext_lazy("被处罚部门"), hint=either),
        kind=FieldSpec(label=gettext_lazy("处罚种类"), choices=penalty_kinds),
        amount=FieldSpec(label=gettext_lazy("罚款金额（元）"), when=_fines),
        reason=FieldSpec(label=gettext_lazy("处罚理由")),
    )
    forms.describe(
        "decide_penalty",
        gettext_lazy("审批处罚意见：批准后处罚生效并告知被处罚人，不批准则不予处罚。"),
        penalty=FieldSpec(label=gettext_lazy("处罚意见"), choices=_penalties(PROPOSED)),
        approved=FieldSpec(
            label=gettext_lazy("审批决定"),
            choices=lambda o: [
                ("true", str(gettext_lazy("批准处罚"))),
                ("false", str(gettext_lazy("不予处罚"))),
            ],
            widget="yesno",
        ),
        note=FieldSpec(label=gettext_lazy("审批意见")),
    )
    forms.describe(
        "appeal_penalty",
        gettext_lazy("被处罚人对处罚不服的，在“我的记录”中提出申诉。"),
        reason=FieldSpec(label=gettext_lazy("申诉理由")),
    )
    forms.describe(
        "decide_appeal",
        gettext_lazy("处理被处罚人的申诉：维持原决定，或撤销处罚。"),
        penalty=FieldSpec(label=gettext_lazy("被申诉的处罚"), choices=_penalties(APPEALED)),
        upheld=FieldSpec(
            label=gettext_lazy("申诉决定"),
            choices=lambda o: [
                ("true", str(gettext_lazy("维持原决定"))),
                ("false", str(gettext_lazy("撤销处罚"))),
            ],
            widget="yesno",
        ),
        note=FieldSpec(label=gettext_lazy("处理意见")),
    )
    forms.describe(
        "record_notice_delivered",
        gettext_lazy("登记处罚决定通知书或申诉处理决定书送达被处罚人的时间和方式。"),
        penalty=FieldSpec(label=gettext_lazy("处罚"), choices=_penalties(DECIDED)),
    )
