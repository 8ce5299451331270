"""Special procedures the policy names (``[[procedures]]``), opened on a case, and the records
of their steps.

A step recorded twice is two records: a correction is a record of its own, nothing is
overwritten. The step's text and non-identifying details are a case record
(:class:`tousu.cases.models.CaseRecord`, on the timeline); the patient side's names (who
signed, who in the family was told) are sealed here under the case key and shown only to
viewers who may see the identity.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models

from tousu.cases.models import Case, CaseRecord
from tousu.privacy.fields import SealedJSONField


class ProcedureRun(models.Model):
    """A policy procedure opened on a case (once per procedure and case)."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="procedure_runs")
    code = models.CharField(max_length=40)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    started_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["case", "code"], name="procedure_once_per_case")
        ]
        ordering = ["case", "started_at", "pk"]

    def __str__(self) -> str:
        return f"{self.case_id}/{self.code}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise RuntimeError("procedure runs are append-only")
        super().save(*args, **kwargs)


class StepRecord(models.Model):
    """One record of one step (the latest of a step is the current one)."""

    run = models.ForeignKey(ProcedureRun, on_delete=models.PROTECT, related_name="steps")
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="procedure_steps")
    # Numbered within the case: 1, 2, ...
    no = models.PositiveIntegerField()
    step = models.CharField(max_length=40)
    form = models.CharField(max_length=30)
    record = models.ForeignKey(CaseRecord, on_delete=models.PROTECT, related_name="+")
    # Not personal: for the checklist and the ledger without opening sealed text.
    seal_number = models.CharField(max_length=200, blank=True)
    target = models.CharField(max_length=40, blank=True)
    # The patient side's names on this record (signatory, family member told, party told).
    patient_side = SealedJSONField(context="procedure.patient_side")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["case", "no"], name="procedure_step_no_per_case")
        ]
        ordering = ["case", "no"]

    def __str__(self) -> str:
        return f"{self.case_id}/{self.no} {self.step}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise RuntimeError("procedure step records are append-only")
        super().save(*args, **kwargs)
