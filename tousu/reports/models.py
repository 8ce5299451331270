"""Exports built in the background: the ledger's .xlsx and the yearly dossier.

A staff member asks for an export; the job worker builds the file batch by batch
(:mod:`tousu.reports.background`), seals it on disk (:mod:`tousu.reports.sealed`) and
marks it ready. Only the one who asked may download it, for 24 hours; then the file is
removed and the row says so (rows are never deleted: they record who exported what).
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy

# How long a finished export can be downloaded.
LIFETIME = timedelta(hours=24)


class Export(models.Model):
    class Kind(models.TextChoices):
        LEDGER = "ledger_xlsx", gettext_lazy("台帐 .xlsx")
        DOSSIER = "dossier_xlsx", gettext_lazy("案宗 .xlsx")

    class State(models.TextChoices):
        QUEUED = "queued", gettext_lazy("排队中")
        RUNNING = "running", gettext_lazy("生成中")
        READY = "ready", gettext_lazy("可下载")
        FAILED = "failed", gettext_lazy("失败")
        EXPIRED = "expired", gettext_lazy("已过期")

    org = models.ForeignKey("orgs.Organisation", on_delete=models.PROTECT, related_name="+")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    # The ledger's filters (as the page's query parameters), or {"year": 2026}.
    params = models.JSONField(default=dict)
    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED)
    rows_done = models.PositiveIntegerField(default=0)
    rows_total = models.PositiveIntegerField(null=True, blank=True)
    created_at = models.DateTimeField()
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField()
    # A running export's worker touches this after every batch; a stale one is taken over.
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    # The sealed file under TOUSU_EXPORTS_DIR ("" before it is written and once removed),
    # its key wrapped under the installation's master key, and the plain file's size.
    file_name = models.CharField(max_length=80, blank=True)
    wrapped_key = models.TextField(blank=True)
    size = models.BigIntegerField(null=True, blank=True)
    download_name = models.CharField(max_length=200, blank=True)
    # Whether the file names a complainant or reporter, and which cases' (logged as
    # identity views when it is downloaded).
    names_identities = models.BooleanField(default=False)
    named_case_ids = models.JSONField(default=list)
    error = models.TextField(blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["requested_by", "org", "-created_at"], name="export_mine"),
            models.Index(fields=["state", "expires_at"], name="export_state_expiry"),
        ]

    def __str__(self) -> str:
        return f"export {self.pk} ({self.kind}, {self.state})"

    @property
    def percent(self) -> int | None:
        if not self.rows_total:
            return None
        return min(100, self.rows_done * 100 // self.rows_total)

    @property
    def active(self) -> bool:
        return self.state in (self.State.QUEUED, self.State.RUNNING)
