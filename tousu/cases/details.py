"""What the details a policy may require before acceptance are called (须补全的信息):
the words for ``complainant.name``, ``demands``, ``fields.<code>`` … in messages and pages."""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from tousu.i18n import Text, both, localized
from tousu.policy.schema import Policy

DETAILS: dict[str, Text] = {
    "complainant.name": gettext_lazy("投诉人姓名"),
    "complainant.phone": gettext_lazy("投诉人联系电话"),
    "complainant.email": gettext_lazy("投诉人电子邮箱"),
    "complainant.address": gettext_lazy("投诉人地址"),
    "complainant.employer": gettext_lazy("投诉人工作单位"),
    "complainant.id_number": gettext_lazy("投诉人身份证号"),
    "complainant.contact": gettext_lazy("投诉人联系方式（电话、邮箱或地址）"),
    "subject": gettext_lazy("被投诉对象"),
    "subject.name": gettext_lazy("被投诉对象名称"),
    "subject.address": gettext_lazy("被投诉对象地址"),
    "subject.reference": gettext_lazy("被投诉对象编号"),
    "subject.url": gettext_lazy("被投诉对象网址"),
    "demands": gettext_lazy("诉求"),
    "category": gettext_lazy("类别"),
}


def _pair(policy: Policy, code: str) -> tuple[str, str]:
    if code.startswith("fields."):
        for spec in policy.fields:
            if spec.code == code[len("fields.") :]:
                return spec.label_zh, spec.label_en or spec.label_zh
        return code, code
    if code in DETAILS:
        return both(DETAILS[code])
    return code, code


def detail_label(policy: Policy, code: str) -> str:
    """The detail's name in the page's language."""
    if code in DETAILS:
        return str(DETAILS[code])
    zh, en = _pair(policy, code)
    return localized(zh, en)


def detail_labels_both(policy: Policy, codes: list[str]) -> tuple[str, str]:
    """The details as one list in Simplified Chinese and in English (an error's two texts)."""
    pairs = [_pair(policy, c) for c in codes]
    return "、".join(zh for zh, _ in pairs), ", ".join(en for _, en in pairs)
