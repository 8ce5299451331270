"""The staff pages' request plumbing: who is asking, in which organisation, and error pages.

Every staff page (the desk, the ledger, the organisation's administration, the features'
pages) is wrapped by :func:`desk_view`. It sends anonymous visitors to the
login page, resolves the staff member's standing in the organisation named in the
URL through :func:`tousu.cases.access.actor_for` (the same fetch-and-authorise helper
the API uses), and renders any :class:`~tousu.cases.errors.TousuError` as a page with
its status — so "missing" and "forbidden" look the same here too.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Concatenate, ParamSpec
from zoneinfo import ZoneInfo

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext, gettext_lazy

from tousu.audit.integrity import detected, integrity_broken
from tousu.cases.access import Actor, actor_for, may_register
from tousu.cases.errors import TousuError
from tousu.i18n import Text, english
from tousu.orgs.models import Membership, Organisation
from tousu.policy.models import policy_for
from tousu.policy.schema import Policy
from tousu.privacy.crypto import CryptoError

P = ParamSpec("P")


@dataclass(frozen=True)
class Desk:
    """The staff member's standing in the organisation of this request."""

    actor: Actor
    org: Organisation
    policy: Policy
    policy_version: int

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.org.time_zone)

    @property
    def roles(self) -> frozenset[str]:
        return self.actor.roles


class DeskRequest(HttpRequest):
    desk: Desk


def desk_for(request: HttpRequest, org_slug: str) -> Desk:
    actor = actor_for(request.user, org_slug)
    org = actor.org
    if org.active_policy_id is None:
        raise TousuError("no_policy", gettext_lazy("本单位尚未启用制度"), status=409)
    version, policy = policy_for(org.active_policy_id)
    return Desk(actor=actor, org=org, policy=policy, policy_version=version)


def orgs_of(user_id: int) -> list[Organisation]:
    """The organisations a staff member belongs to (the organisation switcher)."""
    ids = Membership.objects.filter(user_id=user_id, active=True).values("org_id")
    return list(Organisation.objects.filter(pk__in=ids).order_by("name"))


def error_page(request: HttpRequest, exc: TousuError) -> HttpResponse:
    context = {"code": exc.code, "message": exc.en if english() else exc.zh, "details": exc.details}
    if exc.code == "not_found":  # the one answer for missing and forbidden alike
        context["message"] = gettext("未找到该页面或对象")
    return render(request, "desk/error.html", context, status=exc.status)


def desk_view(
    view: Callable[Concatenate[DeskRequest, P], HttpResponse],
) -> Callable[Concatenate[HttpRequest, P], HttpResponse]:
    """Login required; ``org`` from the URL resolved to the staff member's standing."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: P.args, **kwargs: P.kwargs) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        try:
            request.desk = desk_for(request, str(kwargs["org"]))  # type: ignore[attr-defined]
            return view(request, *args, **kwargs)  # type: ignore[arg-type]
        except TousuError as exc:
            return error_page(request, exc)
        except CryptoError as exc:
            # Sealed data that no longer opens: the record was changed outside the system.
            detected(None, f"desk {request.path}", [{"problem": "unopenable", "error": str(exc)}])
            return error_page(request, integrity_broken())

    return wrapped  # type: ignore[return-value]


# The sections of the desk in the top bar: (URL name, label, roles that see it; empty: all).
SECTIONS: tuple[tuple[str, Text, frozenset[str]], ...] = (
    ("desk:reports:ledger", gettext_lazy("台帐"), frozenset()),
    ("desk:reports:exports", gettext_lazy("导出文件"), frozenset()),
    ("desk:duty:roster", gettext_lazy("值班"), frozenset()),
    ("desk:orgadmin:home", gettext_lazy("单位管理"), frozenset({"administrator"})),
    ("desk:snippets", gettext_lazy("常用回复"), frozenset({"supervisor", "administrator"})),
    (
        "portal:public:box_forms",
        gettext_lazy("举报箱表格"),
        frozenset({"intake_clerk", "dispatcher", "supervisor", "administrator"}),
    ),
)


def _links(desk: Desk) -> list[dict[str, str]]:
    links = []
    for name, label, roles in SECTIONS:
        if roles and not desk.roles & roles:
            continue
        try:
            url = reverse(name, kwargs={"org": desk.org.slug})
        except NoReverseMatch:  # a section not installed
            continue
        links.append({"url": url, "label": str(label), "name": name})
    return links


def page(
    request: HttpRequest, template: str, context: dict[str, Any], status: int = 200
) -> HttpResponse:
    """Render a desk page; htmx requests for a fragment get the same template's block."""
    desk: Desk | None = getattr(request, "desk", None)
    base: dict[str, Any] = {
        "desk": desk,
        "org": desk.org if desk else None,
        "tz": desk.org.time_zone if desk else "Asia/Shanghai",
    }
    if desk is not None and request.user.is_authenticated:
        base["my_orgs"] = orgs_of(int(request.user.pk))
        base["desk_links"] = _links(desk)
        base["may_register"] = may_register(desk.actor)
    return render(request, template, {**base, **context}, status=status)
