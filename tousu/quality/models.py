"""Sub-tasks (分派子任务): a department's part of a case, with its own due date."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy, pgettext_lazy

from tousu.cases.models import Assignment, Case
from tousu.orgs.models import Department


class SubTask(models.Model):
    """One department's assignment within a case (manufacturing reports the shift, QA
    confirms by inspection, sales tells the customer). Never deleted: cancelled."""

    class State(models.TextChoices):
        OPEN = "open", pgettext_lazy("subtask", "办理中")
        DONE = "done", pgettext_lazy("subtask", "已完成")
        CANCELLED = "cancelled", gettext_lazy("已取消")

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="subtasks")
    # Numbered within the case (1, 2, ...): what the actions and the desk refer to.
    no = models.PositiveIntegerField()
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="+")
    # The policy's default sub-task it came from ([[subtasks]] code), or "".
    default = models.CharField(max_length=40, blank=True)
    instruction = models.TextField()
    due_at = models.DateTimeField()
    # How the due date was set: {"amount": n, "unit": "working_days"} or {"date": "..."}.
    due_rule = models.JSONField(default=dict)
    provisional = models.BooleanField(default=False)
    state = models.CharField(max_length=10, choices=State.choices, default=State.OPEN)
    result = models.TextField(blank=True)
    assignment = models.ForeignKey(
        Assignment, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    assigned_at = models.DateTimeField()
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    completed_at = models.DateTimeField(null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancel_reason = models.TextField(blank=True)
    # Set once, by the sweep that told the department head it passed its due date.
    overdue_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["case", "no"], name="subtask_case_no_unique")
        ]
        indexes = [
            # The sweep: open sub-tasks past their due date, not yet notified.
            models.Index(fields=["state", "due_at"], name="subtask_state_due")
        ]

    def __str__(self) -> str:
        return f"{self.case_id}#{self.no} {self.department_id} {self.state}"
