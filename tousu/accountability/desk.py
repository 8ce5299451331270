"""What the accountability app adds to the desk's generated forms (from ``ready()``):
field labels and the labels of its choices. A penalty is chosen by its number, which the
case page's penalties table shows."""

from __future__ import annotations

from tousu.web import labels

FIELD_LABELS: dict[str, tuple[str, str]] = {
    "penalty": ("处罚编号", "Penalty no."),
    "upheld": ("维持原决定", "Decision upheld"),
    "document": ("送达文书", "Document delivered"),
    "how": ("送达方式", "How delivered"),
}

CHOICE_LABELS: dict[str, tuple[str, str]] = {
    "penalty_notice": ("处罚决定通知书", "Penalty notice"),
    "appeal_decision": ("申诉处理决定书", "Appeal decision"),
    "in_person": ("直接送达", "In person"),
    "post": ("邮寄送达", "By post"),
}


def register() -> None:
    for name, pair in FIELD_LABELS.items():
        labels.FIELDS.setdefault(name, pair)
    for code, pair in CHOICE_LABELS.items():
        labels.CHOICES.setdefault(code, pair)
