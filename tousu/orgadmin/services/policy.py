"""The policy: a new version saved from the editor, the versions, and what changed between two."""

from __future__ import annotations

import difflib
import json
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Count
from django.utils.translation import gettext, gettext_lazy

from tousu.cases.models import Case
from tousu.orgadmin.services import VIA, Refused
from tousu.orgadmin.services.departments import policy_references
from tousu.orgadmin.services.policy_changes import Line, summary
from tousu.orgadmin.services.policy_changes import changes as changes_in_words
from tousu.orgs.models import AuditEvent, Department, Organisation
from tousu.orgs.services import audit
from tousu.policy import edits
from tousu.policy.loader import from_json, parse_toml
from tousu.policy.management.commands.policy import _flatten
from tousu.policy.models import PolicyVersion
from tousu.policy.schema import Policy
from tousu.policy.services import activate_policy

MAX_LISTED = 50  # changed rules named in an audit record; the count says how many in all


@dataclass(frozen=True)
class Saved:
    version: PolicyVersion
    previous: int | None
    departments_created: tuple[str, ...]
    # Deactivated departments the new version routes cases to (they will receive none).
    inactive_referenced: tuple[str, ...] = ()


def normalise_source(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def save_policy(
    org: Organisation,
    source: str,
    *,
    note: str,
    based_on: int | None,
    actor: Any,
    form: str = "toml",
) -> Saved:
    """Validate ``source`` and make it the organisation's new active version.

    An invalid document raises :class:`~tousu.policy.loader.PolicyError` and writes
    nothing. Refused when another version was activated since the edit began
    (``based_on``) or when nothing changed. Departments the document names that the
    organisation lacks are created, as ``tousu policy activate`` does. The audit record
    names the page the change was made on (``form``: the TOML view or a section's form)
    and the rules that changed (their key paths, as ``tousu policy diff`` prints them).
    """
    source = normalise_source(source)
    policy = parse_toml(source)
    with transaction.atomic():
        locked = Organisation.objects.select_for_update().get(pk=org.pk)
        current = (
            PolicyVersion.objects.filter(org=locked, pk=locked.active_policy_id or 0)
            .only("number", "source")
            .first()
        )
        if current is not None and based_on is not None and current.number != based_on:
            raise Refused(
                gettext_lazy("编辑期间已有新版本 v{number} 生效；请在新版本基础上重新修改"),
                status=409,
                params={"number": current.number},
            )
        if current is not None and normalise_source(current.source) == source:
            raise Refused(
                gettext_lazy("与当前生效版本完全相同，没有可保存的改动"),
                field="source",
            )
        before = set(Department.objects.filter(org=locked).values_list("code", flat=True))
        version = activate_policy(locked, source, actor=actor)
        created = tuple(
            sorted(
                set(Department.objects.filter(org=locked).values_list("code", flat=True)) - before
            )
        )
        previous = current.number if current is not None else None
        old = parse_toml(current.source) if current is not None else None
        changed = [change.key for change in rule_diff(old, policy)]
        audit("policy.edited", version, org=locked, actor=actor, via=VIA, number=version.number,
              previous=previous, note=note, departments_created=list(created), form=form,
              changed=changed[:MAX_LISTED], changed_count=len(changed))  # fmt: skip
    inactive = tuple(
        code
        for code in Department.objects.filter(org=org, active=False)
        .order_by("code")
        .values_list("code", flat=True)
        if policy_references(policy, code)
    )
    return Saved(version, previous, created, inactive)


def version_notes(org: Organisation) -> dict[int, str]:
    """The change note given with each version saved on the desk, by version id."""
    notes: dict[int, str] = {}
    for object_id, data in AuditEvent.objects.filter(org=org, type="policy.edited").values_list(
        "object_id", "data"
    ):
        if object_id.isdigit() and isinstance(data, dict):
            notes[int(object_id)] = str(data.get("note", ""))
    return notes


def versions(org: Organisation) -> list[dict[str, Any]]:
    """Every version of the organisation's policy, newest first, with what it changed."""
    notes = version_notes(org)
    cases = dict(
        Case.objects.filter(org=org)
        .values("policy_version")
        .annotate(n=Count("pk"))
        .values_list("policy_version", "n")
    )
    documents = (
        PolicyVersion.objects.filter(org=org).order_by("number").values_list("pk", "document")
    )
    said: dict[int, str] = {}
    previous: Policy | None = None
    for pk, document in documents:
        policy = from_json(document)
        said[pk] = summary(changes_in_words(previous, policy)) if previous is not None else ""
        previous = policy
    rows = (
        PolicyVersion.objects.filter(org=org)
        .select_related("created_by")
        .defer("document", "source")
        .order_by("-number")
    )
    return [
        {
            "number": v.number,
            "created_at": v.created_at,
            "created_by": v.created_by.get_username() if v.created_by else "",
            "preset": v.preset,
            "note": notes.get(v.pk, ""),
            "changes": said.get(v.pk, ""),
            "active": v.pk == org.active_policy_id,
            "cases": cases.get(v.pk, 0),
        }
        for v in rows
    ]


@dataclass(frozen=True)
class Change:
    key: str
    old: str | None
    new: str | None


def _flat(policy: Policy) -> dict[str, Any]:
    return _flatten(json.loads(policy.model_dump_json()))


def rule_diff(old: Policy | None, new: Policy) -> list[Change]:
    """The rules that differ, as ``tousu policy diff`` prints them."""
    left = _flat(old) if old is not None else {}
    right = _flat(new)
    changes = []
    for key in sorted(left.keys() | right.keys()):
        if left.get(key, ...) != right.get(key, ...):
            changes.append(
                Change(
                    key,
                    json.dumps(left[key], ensure_ascii=False) if key in left else None,
                    json.dumps(right[key], ensure_ascii=False) if key in right else None,
                )
            )
    return changes


def source_diff(old: PolicyVersion | None, new: PolicyVersion) -> list[str]:
    """The TOML text's line diff (comments and layout included)."""
    label = f"v{old.number}" if old is not None else "(none)"
    return text_diff(old.source if old is not None else "", new.source, label, f"v{new.number}")


def text_diff(old: str, new: str, old_label: str, new_label: str) -> list[str]:
    before = normalise_source(old).splitlines()
    after = normalise_source(new).splitlines()
    return list(difflib.unified_diff(before, after, old_label, new_label, lineterm=""))


@dataclass(frozen=True)
class Draft:
    """A form's change made to the active version's text, validated, not saved."""

    source: str
    policy: Policy
    lines: list[Line]
    source_diff: list[str]


def draft(version: PolicyVersion, changes: list[edits.Change]) -> Draft:
    """The active version's text with ``changes`` made in place, validated by the schema.

    Raises :class:`~tousu.policy.loader.PolicyError` for an invalid result and
    :class:`Refused` when nothing changed or the text cannot be edited in place.
    """
    try:
        source = edits.apply(normalise_source(version.source), changes)
    except edits.EditError as exc:
        raise Refused(
            gettext_lazy("制度文本中这一部分的写法无法用表单修改（{path}），请在 TOML 视图中修改"),
            params={"path": exc.path},
        ) from None
    if source == normalise_source(version.source):
        raise Refused(gettext_lazy("没有改动：表单中的内容与现行版本相同"))
    policy = parse_toml(source)
    return Draft(
        source,
        policy,
        changes_in_words(version.policy, policy),
        text_diff(version.source, source, f"v{version.number}", gettext("修改后")),
    )
