"""The case page's list of printable documents."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse
from django.utils.translation import gettext

from tousu.documents.build import available

register = template.Library()


@register.simple_tag
def case_documents(case: dict[str, Any], org: Any) -> list[dict[str, str]]:
    """The documents this case has now, as links: [{"url", "label", "hint"}]."""
    kwargs = {"org": org.slug, "number": case["number"]}
    has = available(case["timeline"])
    links = [
        {
            "url": reverse("desk:documents:registration", kwargs=kwargs),
            "label": _kind(case),
            "hint": gettext("供投诉人核对签名"),
        }
    ]
    if has["mediation"]:
        links.append(
            {
                "url": reverse("desk:documents:mediation", kwargs=kwargs),
                "label": gettext("调解书") if has["agreement"] else gettext("调解记录"),
                "hint": gettext("据调解记录生成"),
            }
        )
    if has["reply"]:
        links.append(
            {
                "url": reverse("desk:documents:reply", kwargs=kwargs),
                "label": gettext("书面答复"),
                "hint": gettext("含送达回证"),
            }
        )
    return links


def _kind(case: dict[str, Any]) -> str:
    """The registration form's title: 投诉登记表, 举报登记表..."""
    return {
        "report": gettext("举报登记表"),
        "consultation": gettext("咨询登记表"),
        "suggestion": gettext("建议登记表"),
    }.get(str(case["kind"]), gettext("投诉登记表"))
