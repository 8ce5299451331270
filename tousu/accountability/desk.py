"""What the accountability app adds to the desk's generated forms (from ``ready()``):
field labels and the labels of its choices. A penalty is chosen by its number, which the
case page's penalties table shows."""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from tousu.i18n import Text
from tousu.web import labels

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
}


def register() -> None:
    for name, pair in FIELD_LABELS.items():
        labels.FIELDS.setdefault(name, pair)
    for code, pair in CHOICE_LABELS.items():
        labels.CHOICES.setdefault(code, pair)
