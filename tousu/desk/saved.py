"""Saved filters: the ledger's or a queue's filters kept under a name, for one person or
shared with a department.

A saved filter is a query string, not case data: its owner deletes it outright. It is
listed to its owner and, when shared, to the members of that department; applying one
only opens the page with its filters, so it never shows a case the page would not.
The ledger (another surface) shows this panel by loading :func:`panel` as a fragment.
"""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext, gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from tousu.cases.access import Actor
from tousu.cases.errors import TousuError, not_found
from tousu.desk import queues
from tousu.desk.models import SavedFilter
from tousu.i18n import localized
from tousu.orgs.models import Department
from tousu.web.pages import DeskRequest, desk_view, page

# Parameters never saved with a filter (the page number, the form's own fields).
NOT_SAVED = frozenset({"page", "csrfmiddlewaretoken", "query", "view", "name", "share"})
MAX_NAME = 100
MAX_QUERY = 2000
# The most filters one person keeps per page.
MAX_PER_VIEW = 50


def _views() -> set[str]:
    return {"ledger", *(f"queue:{q.code}" for q in queues.QUEUES)}


def own_departments(actor: Actor) -> set[int]:
    """The departments a person is a member of (a head: and the ones below)."""
    ids = {m.department_id for m in actor.memberships if m.department_id is not None}
    return ids | set(actor.department_ids)


def listed(actor: Actor, view: str) -> QuerySet[SavedFilter]:
    """The filters this person sees on a page: their own, and those shared with their
    departments."""
    return (
        SavedFilter.objects.filter(org_id=actor.org.pk, view=view)
        .filter(Q(owner_id=actor.user_id) | Q(department_id__in=own_departments(actor)))
        .select_related("owner", "department")
        .order_by("name", "pk")
    )


def clean_query(raw: str) -> str:
    """The query string as it will be saved: parsed, without the page number or form fields."""
    params = QueryDict(raw[: MAX_QUERY * 2], mutable=True)
    for key in NOT_SAVED:
        params.pop(key, None)
    cleaned = params.urlencode()
    if len(cleaned) > MAX_QUERY:
        raise TousuError(
            "saved_filter_invalid",
            gettext_lazy("筛选条件过长（上限 {max} 个字符）"),
            status=422,
            params={"max": MAX_QUERY},
        )
    return cleaned


def save(actor: Actor, view: str, name: str, query: str, share: str = "") -> SavedFilter:
    """Keep the filters under a name (the same name on the same page is replaced)."""
    if view not in _views():
        raise TousuError(
            "saved_filter_invalid", gettext_lazy("无法保存此页面的筛选"), status=422,
        )  # fmt: skip
    name = " ".join(name.split())
    if not name or len(name) > MAX_NAME:
        raise TousuError(
            "saved_filter_invalid",
            gettext_lazy("请填写筛选名称（不超过 {max} 个字）"),
            status=422,
            params={"max": MAX_NAME},
        )
    department = None
    if share:
        department = Department.objects.filter(
            org_id=actor.org.pk, code=share, pk__in=own_departments(actor)
        ).first()
        if department is None:
            raise TousuError(
                "saved_filter_invalid",
                gettext_lazy("只能与本人所在部门共享：{shown}"),
                status=422,
                params={"shown": share[:40]},
            )
    query = clean_query(query)
    mine = SavedFilter.objects.filter(org_id=actor.org.pk, owner_id=actor.user_id, view=view)
    existing = mine.filter(name=name).first()
    if existing is not None:
        existing.query = query
        existing.department = department
        existing.save(update_fields=["query", "department"])
        return existing
    if mine.count() >= MAX_PER_VIEW:
        raise TousuError(
            "saved_filter_invalid",
            gettext_lazy("每个页面最多保存 {max} 个筛选，请先删除不用的"),
            status=422,
            params={"max": MAX_PER_VIEW},
        )
    return SavedFilter.objects.create(
        org_id=actor.org.pk, owner_id=actor.user_id, department=department,
        view=view, name=name, query=query,
    )  # fmt: skip


def page_url(org: str, view: str, query: str = "") -> str:
    """The page a filter belongs to, with its filters."""
    if view == "ledger":
        base = reverse("desk:reports:ledger", kwargs={"org": org})
    else:
        base = reverse("desk:queue", kwargs={"org": org, "code": view.split(":", 1)[1]})
    return f"{base}?{query}" if query else base


def panel_context(request: DeskRequest, view: str, query: str) -> dict[str, object]:
    actor = request.desk.actor
    org = request.desk.org.slug
    return {
        "saved_view": view,
        "saved_query": query,
        "saved_filters": [
            {
                "id": f.pk,
                "name": f.name,
                "url": page_url(org, view, f.query),
                "mine": f.owner_id == actor.user_id,
                "shared": localized(f.department.name, f.department.name_en)
                if f.department
                else "",
            }
            for f in listed(actor, view)
        ],
        "share_options": [
            (d.code, localized(d.name, d.name_en))
            for d in Department.objects.filter(pk__in=own_departments(actor)).order_by("code")
        ],
    }


def _view_param(request: HttpRequest, source: QueryDict) -> str:
    view = str(source.get("view") or "")
    if view not in _views():
        raise not_found()
    return view


@require_GET
@desk_view
def panel(request: DeskRequest, org: str) -> HttpResponse:
    """The saved-filter panel of a page, as a fragment (the ledger loads it)."""
    view = _view_param(request, request.GET)
    query = clean_query(str(request.GET.get("query") or ""))
    return page(request, "desk/_saved_filters.html", panel_context(request, view, query))


@require_POST
@desk_view
def save_filter(request: DeskRequest, org: str) -> HttpResponse:
    view = _view_param(request, request.POST)
    saved = save(
        request.desk.actor,
        view,
        str(request.POST.get("name") or ""),
        str(request.POST.get("query") or ""),
        str(request.POST.get("share") or ""),
    )
    messages.success(request, gettext("已保存筛选：{name}").format(name=saved.name))
    return redirect(page_url(org, view, saved.query))


@require_POST
@desk_view
def delete_filter(request: DeskRequest, org: str, pk: int) -> HttpResponse:
    """Delete one's own saved filter (a shared one: only its owner)."""
    found = SavedFilter.objects.filter(
        pk=pk, org_id=request.desk.org.pk, owner_id=request.desk.actor.user_id
    ).first()
    if found is None:
        raise not_found()
    view, name = found.view, found.name
    found.delete()
    messages.success(request, gettext("已删除筛选：{name}").format(name=name))
    return redirect(page_url(org, view))
