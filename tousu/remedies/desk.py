"""How the desk offers the remedy and reward actions (from ``ready()``): labels, choices
and help per action. A remedy or a reward is chosen from the case's own, in the state the
action applies to."""

from __future__ import annotations

from collections.abc import Callable

from django.utils.translation import gettext_lazy

from tousu.i18n import Text
from tousu.remedies.models import Remedy, Reward
from tousu.web import forms
from tousu.web.forms import FieldSpec, Options

METHODS: dict[str, Text] = {
    "cash": gettext_lazy("现金"),
    "bank_transfer": gettext_lazy("银行转账"),
    "goods": gettext_lazy("实物"),
    "credit_note": gettext_lazy("抵扣凭证"),
    "other": gettext_lazy("其他"),
}


def _methods(options: Options) -> list[tuple[str, str]]:
    return [(code, str(name)) for code, name in METHODS.items()]


def _remedies(state: str) -> Callable[[Options], list[tuple[str, str]]]:
    def choices(options: Options) -> list[tuple[str, str]]:
        if options.case is None:
            return []
        rows = Remedy.objects.filter(case=options.case, state=state).order_by("no")
        out = []
        for r in rows:
            size = f"{r.amount} {gettext_lazy('元')}" if r.amount is not None else ""
            if r.quantity:
                size = f"{size} {r.quantity}{r.unit}".strip()
            out.append((str(r.no), f"#{r.no} {Remedy.Kind(r.kind).label} {size}".strip()))
        return out

    return choices


def _rewards(state: str) -> Callable[[Options], list[tuple[str, str]]]:
    def choices(options: Options) -> list[tuple[str, str]]:
        if options.case is None:
            return []
        rows = Reward.objects.filter(case=options.case, state=state).order_by("no")
        return [(str(r.no), f"#{r.no} {r.amount} {gettext_lazy('元')}") for r in rows]

    return choices


def register() -> None:
    forms.describe(
        "propose_remedy",
        gettext_lazy("提出先行赔付、赔偿、退款、退换货或折让，按制度的核决权限逐级审批。"),
        kind=FieldSpec(
            label=gettext_lazy("赔付类型"),
            choices=lambda o: [(k.value, str(k.label)) for k in Remedy.Kind],
        ),
        amount=FieldSpec(label=gettext_lazy("金额（元）")),
        quantity=FieldSpec(
            label=gettext_lazy("数量"),
            when=("kind", frozenset({"return", "credit"})),
        ),
        unit=FieldSpec(
            label=gettext_lazy("单位"),
            when=("kind", frozenset({"return", "credit"})),
        ),
        quantity_undetermined=FieldSpec(
            label=gettext_lazy("数量未确定（客户加工中）"),
            when=("kind", frozenset({"return", "credit"})),
        ),
        reason=FieldSpec(label=gettext_lazy("理由")),
    )
    forms.describe(
        "approve_remedy",
        gettext_lazy("在本人核决权限内核准赔付；超出权限的由上一级核准。"),
        remedy=FieldSpec(label=gettext_lazy("待审批的赔付"), choices=_remedies("proposed")),
        approved=FieldSpec(label=gettext_lazy("核准")),
    )
    forms.describe(
        "record_remedy_paid",
        gettext_lazy("登记已核准的赔付兑现的时间和方式。"),
        remedy=FieldSpec(label=gettext_lazy("已核准的赔付"), choices=_remedies("approved")),
        paid_at=FieldSpec(label=gettext_lazy("兑现时间")),
        method=FieldSpec(label=gettext_lazy("兑现方式"), choices=_methods),
    )
    forms.describe(
        "propose_reward",
        gettext_lazy("举报属实的，按制度提出举报奖励，经审批后发放。"),
        amount=FieldSpec(label=gettext_lazy("奖励金额（元）")),
    )
    forms.describe(
        "approve_reward",
        gettext_lazy("审批举报奖励。"),
        reward=FieldSpec(label=gettext_lazy("待审批的奖励"), choices=_rewards("proposed")),
        approved=FieldSpec(label=gettext_lazy("批准")),
    )
    forms.describe(
        "hand_over_reward",
        gettext_lazy("发放已批准的举报奖励；匿名举报人凭查询回执领取，回执号只核对不保存。"),
        reward=FieldSpec(label=gettext_lazy("已批准的奖励"), choices=_rewards("approved")),
        method=FieldSpec(label=gettext_lazy("发放方式"), choices=_methods),
        receipt=FieldSpec(
            label=gettext_lazy("领取人出示的回执号"),
            hint=gettext_lazy("匿名举报的奖励须核对回执号"),
        ),
    )
