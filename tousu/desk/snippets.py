"""The office's own canned replies (常用回复): offered on the reply and message forms beside
the policy's reply templates, filled in for the case; kept by supervisors and
administrators, every change audited, retired and never deleted."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy

from tousu.cases.access import Actor
from tousu.cases.errors import TousuError, invalid, not_found
from tousu.cases.models import Case
from tousu.desk.models import ReplySnippet
from tousu.orgs.models import Department
from tousu.orgs.services import audit
from tousu.web import forms

# Who keeps the office's snippets (everyone who answers may use them).
KEEPERS = ("supervisor", "administrator")
TITLE_MAX = 100
BODY_MAX = 5000


def may_manage(actor: Actor) -> bool:
    return actor.has_role(*KEEPERS)


def offered(actor: Actor) -> QuerySet[ReplySnippet]:
    """The active snippets for this staff member: the organisation's and their departments'."""
    return (
        ReplySnippet.objects.filter(org_id=actor.org.pk, active=True)
        .filter(Q(department__isnull=True) | Q(department_id__in=actor.department_ids))
        .order_by("title", "pk")
    )


def add_canned(form: forms.ActionForm, case: Case, options: forms.Options, actor: Actor) -> None:
    """The office's snippets on a reply or message form, filled in for the case (the
    complainant's name only for a viewer who may see it, as with the policy's templates)."""
    if form.action not in forms.CANNED:
        return
    values = forms.template_values(case, options)
    form.templates += [
        (f"snippet:{s.pk}", s.title, forms.fill(s.body, values)) for s in offered(actor)
    ]


def _user(actor: Actor) -> Any:
    return get_user_model().objects.get(pk=actor.user_id)


def _refuse_unless_keeper(actor: Actor) -> None:
    if not may_manage(actor):
        raise TousuError(
            "action_forbidden", gettext_lazy("只有督办员和管理员可以维护常用回复"), status=403
        )


def create(actor: Actor, *, title: str, body: str, department: str = "") -> ReplySnippet:
    _refuse_unless_keeper(actor)
    title, body = title.strip(), body.strip()
    if not title or len(title) > TITLE_MAX:
        raise invalid("title", gettext_lazy("标题须为1至{n}个字"), {"n": TITLE_MAX})
    if not body or len(body) > BODY_MAX:
        raise invalid("body", gettext_lazy("内容须为1至{n}个字"), {"n": BODY_MAX})
    dept = None
    if department:
        dept = Department.objects.filter(org_id=actor.org.pk, code=department).first()
        if dept is None:
            raise invalid("department", gettext_lazy("本单位没有该部门"))
    with transaction.atomic():
        snippet = ReplySnippet.objects.create(
            org_id=actor.org.pk, department=dept, title=title, body=body,
            created_by_id=actor.user_id,
        )  # fmt: skip
        audit("snippet.created", snippet, org=actor.org, actor=_user(actor),
              title=title, department=department)  # fmt: skip
    return snippet


def retire(actor: Actor, snippet_id: int) -> ReplySnippet:
    """No longer offered; kept with its history."""
    _refuse_unless_keeper(actor)
    with transaction.atomic():
        snippet = (
            ReplySnippet.objects.select_for_update()
            .filter(org_id=actor.org.pk, pk=snippet_id)
            .first()
        )
        if snippet is None:
            raise not_found()
        if snippet.active:
            snippet.active = False
            snippet.save(update_fields=["active"])
            audit("snippet.retired", snippet, org=actor.org, actor=_user(actor),
                  title=snippet.title)  # fmt: skip
    return snippet


def rows(actor: Actor) -> list[dict[str, Any]]:
    """Every snippet of the organisation, active ones first, for the keepers' page."""
    snippets = (
        ReplySnippet.objects.filter(org_id=actor.org.pk)
        .select_related("department", "created_by")
        .order_by("-active", "title", "pk")
    )
    return [
        {
            "id": s.pk,
            "title": s.title,
            "body": s.body,
            "department": s.department,
            "active": s.active,
            "by": s.created_by.get_full_name() or s.created_by.get_username(),
            "at": s.created_at,
        }
        for s in snippets
    ]
