"""The special procedures' actions (e.g. the hospital's medical dispute).

Its rows of the core's transition table (with their event types and the roles the policy
chooses) and the functions staff and the API call, registered from ``ready()``.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from tousu.cases import lifecycle, registry
from tousu.cases.lifecycle import ACTIVE, STAFF, S, transition
from tousu.procedures import inputs, services


def register() -> None:
    lifecycle.add(
        # Special procedures of the policy (tousu.procedures), e.g. the hospital's medical
        # dispute: opened on a case of the procedure's categories, its steps recorded with
        # their record forms. The procedure's groups narrow who takes each step.
        transition(
            "start_procedure",
            ACTIVE | {S.RESOLVED, S.REPLIED, S.FOLLOWED_UP},
            None,
            STAFF,
            gettext_lazy("启动特别程序"),
            event="procedure_started",
        ),
        transition(
            "record_procedure_step",
            ACTIVE | {S.RESOLVED, S.REPLIED, S.FOLLOWED_UP},
            None,
            STAFF,
            gettext_lazy("记录程序步骤"),
            event="procedure_step_recorded",
        ),
    )
    registry.actions(
        {
            "start_procedure": (services.start_procedure, inputs.StartProcedureIn),
            "record_procedure_step": (services.record_procedure_step, inputs.RecordProcedureStepIn),
        }
    )
