"""A retention run: planned, approved by a leader, then executed (see tousu.retention.runs)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy

from tousu.orgs.models import Organisation


class RetentionRun(models.Model):
    class State(models.TextChoices):
        PLANNED = "planned", gettext_lazy("待审批")
        APPROVED = "approved", gettext_lazy("已批准")
        DONE = "done", gettext_lazy("已执行")

    org = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    state = models.CharField(max_length=10, choices=State.choices, default=State.PLANNED)
    case_ids = models.JSONField(default=list)
    planned_at = models.DateTimeField()
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)
    archive_path = models.CharField(max_length=500, blank=True)
    archive_sha256 = models.CharField(max_length=64, blank=True)


class IdentityAccess(models.Model):
    """Every time someone is shown a complainant's or reporter's identity (append-only)."""

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)
    surface = models.CharField(max_length=40, default="api")

    class Meta:
        indexes = [models.Index(fields=["case", "at"], name="identity_access_case_at")]

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise RuntimeError("identity access records are append-only")
        super().save(*args, **kwargs)

    @classmethod
    def log(cls, case_id: int, user_id: int, surface: str) -> None:
        """One view of an identity, called by the page, endpoint or document that shows it
        (never as a side effect of reading a case)."""
        cls.objects.create(case_id=case_id, user_id=user_id, surface=surface)
