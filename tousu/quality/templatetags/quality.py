"""The case page's quality section: the 8D report so far and the sub-tasks."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse
from django.utils import timezone

from tousu.cases.models import Case
from tousu.quality import present
from tousu.quality.models import SubTask
from tousu.web.pages import Desk

register = template.Library()


@register.simple_tag
def quality_section(case: Case, desk: Desk) -> dict[str, Any]:
    policy = present.policy_of(case)
    tasks = present.subtask_rows(case, desk.actor, timezone.now())
    report = present.field_rows(policy, case, "investigation")
    keeps = present.progress(policy, case) is not None or bool(policy.subtasks)
    return {
        "shown": keeps or bool(tasks) or SubTask.objects.filter(case=case).exists(),
        "report": report,
        "intake": present.field_rows(policy, case, "intake"),
        "subtasks": tasks,
        "pdf": reverse("desk:quality:report", kwargs={"org": desk.org.slug, "number": case.number}),
    }
