"""The quality actions: the 8D-style report and sub-tasks to departments.

Its rows of the core's transition table (with their event types and the roles the policy
chooses) and the functions staff and the API call, registered from ``ready()``.
"""

from __future__ import annotations

from datetime import datetime

from django.utils.translation import gettext_lazy

from tousu.cases import lifecycle, registry
from tousu.cases.lifecycle import ACTIVE, DECIDERS, HANDLERS, R, S, transition
from tousu.cases.steps import Step
from tousu.quality import inputs, services


def _keep_subtask_departments(s: Step) -> None:
    kept = services.keep_subtask_departments(s.case, s.now)
    if kept:
        s.data["kept_for_subtasks"] = kept


def _sweep_subtasks(now: datetime) -> dict[str, int]:
    return {"subtasks_overdue": services.sweep_subtasks(now)}


def register() -> None:
    lifecycle.add(
        # Quality complaints (tousu.quality): the 8D-style quality report (also after the
        # resolution: the effect check comes later) and sub-tasks (分派子任务) to departments
        # with their own due dates. The assigner must head the lead department or decide;
        # only the sub-task's department completes it (both checked by the action).
        transition(
            "record_quality",
            ACTIVE | {S.RESOLVED, S.REPLIED, S.FOLLOWED_UP},
            None,
            HANDLERS | DECIDERS,
            gettext_lazy("记录质量调查（8D）"),
            event="quality_recorded",
        ),
        transition(
            "assign_subtask",
            ACTIVE | {S.RESOLVED, S.REPLIED, S.FOLLOWED_UP},
            None,
            DECIDERS | {R.DEPARTMENT_HEAD},
            gettext_lazy("分派子任务"),
            event="subtask_assigned",
        ),
        transition(
            "complete_subtask",
            ACTIVE | {S.RESOLVED, S.REPLIED, S.FOLLOWED_UP},
            None,
            HANDLERS | {R.INTAKE_CLERK},
            gettext_lazy("完成子任务"),
            event="subtask_completed",
        ),
        transition(
            "cancel_subtask",
            ACTIVE | {S.RESOLVED, S.REPLIED, S.FOLLOWED_UP},
            None,
            DECIDERS | {R.DEPARTMENT_HEAD},
            gettext_lazy("取消子任务"),
            event="subtask_cancelled",
        ),
        transition(
            "mark_subtask_overdue",
            ACTIVE | {S.RESOLVED, S.REPLIED, S.FOLLOWED_UP},
            None,
            set(),
            gettext_lazy("子任务逾期督办"),
            system=True,
            event="subtask_overdue",
        ),
    )
    registry.actions(
        {
            "record_quality": (services.record_quality, inputs.RecordQualityIn),
            "assign_subtask": (services.assign_subtask, inputs.AssignSubtaskIn),
            "complete_subtask": (services.complete_subtask, inputs.CompleteSubtaskIn),
            "cancel_subtask": (services.cancel_subtask, inputs.CancelSubtaskIn),
        }
    )
    registry.system_actions({"mark_subtask_overdue": services.mark_subtask_overdue})
    # A re-assignment keeps a co-handling part for each department with an open sub-task.
    registry.hook("assigned", _keep_subtask_departments)
    # Sub-tasks past their due date: the department head hears once.
    registry.sweep("subtasks_overdue", _sweep_subtasks)
