"""The duty roster (值班表), hand-over notes (交接班) and cases received on duty.

Nothing here is deleted: a shift taken off the roster keeps its row with
``cancelled_at``; a hand-over note is written once and only acknowledged. Changes
go through :mod:`tousu.duty.services`, which validates them and writes the audit
events.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy

from tousu.orgs.models import Organisation


class ShiftKind(models.TextChoices):
    GENERAL = "general", gettext_lazy("总值班")
    HOTLINE = "hotline", gettext_lazy("热线")
    OTHER = "other", gettext_lazy("其他")


class Shift(models.Model):
    """One staff member on duty from ``starts_at`` to ``ends_at`` (aware, end exclusive)."""

    org = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", db_index=False
    )  # covered by shift_org_starts
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=20, choices=ShiftKind.choices)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    note = models.CharField(max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    created_at = models.DateTimeField()
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
        related_name="+", db_index=False,
    )  # fmt: skip

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="shift_ends_after_start"
            )
        ]
        indexes = [
            # The roster's weeks and "who is on duty at t" (starts_at <= t < ends_at; shifts
            # are at most MAX_SHIFT long, so the scan starts at t - MAX_SHIFT).
            models.Index(fields=["org", "starts_at"], name="shift_org_starts"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.starts_at:%Y-%m-%d %H:%M} ({self.user_id})"

    @property
    def active(self) -> bool:
        return self.cancelled_at is None


class HandOver(models.Model):
    """A hand-over note (交接班记录) from one on duty to the next, or to the complaint office.

    ``case_numbers`` is the snapshot of the open cases handed over, taken when the note
    is written and limited to cases both writer and receiver may see; the page filters
    it again for whoever reads it. ``body`` is the writer's own text.
    """

    org = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", db_index=False
    )  # covered by handover_org_written
    from_shift = models.ForeignKey(
        Shift, null=True, blank=True, on_delete=models.PROTECT, related_name="hand_overs"
    )
    from_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    # Either one person (the next on duty) or the complaint office as a whole.
    to_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    to_office = models.BooleanField(default=False)
    written_at = models.DateTimeField()
    body = models.TextField()
    case_numbers = models.JSONField(default=list)
    received_at = models.DateTimeField(null=True, blank=True)
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
        related_name="+", db_index=False,
    )  # fmt: skip

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(to_user__isnull=False, to_office=False)
                | Q(to_user__isnull=True, to_office=True),
                name="handover_one_receiver",
            )
        ]
        indexes = [
            # The duty page: an organisation's recent notes, newest first.
            models.Index(fields=["org", "-written_at"], name="handover_org_written"),
        ]


class HandOnState(models.TextChoices):
    PENDING = "pending", gettext_lazy("待移交")
    HANDED_ON = "handed_on", gettext_lazy("已移交办公室")
    SETTLED = "settled", gettext_lazy("值班期间已处理")


class DutyIntake(models.Model):
    """A case that came in outside working hours and landed with the duty officer on shift.

    ``hand_on_date`` is the day what the duty officer could not settle passes to the
    complaint office (policy ``duty.hand_on``); the hand-on marks the row once.
    """

    org = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", db_index=False
    )  # covered by dutyintake_hand_on
    case = models.OneToOneField("cases.Case", on_delete=models.PROTECT, related_name="duty_intake")
    shift = models.ForeignKey(Shift, on_delete=models.PROTECT, related_name="intakes")
    received_at = models.DateTimeField()
    hand_on_date = models.DateField()
    hand_on_state = models.CharField(
        max_length=12, choices=HandOnState.choices, default=HandOnState.PENDING
    )
    handed_on_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        indexes = [
            # The hand-on run and the office's list: pending rows due by a day.
            models.Index(
                fields=["org", "hand_on_state", "hand_on_date"], name="dutyintake_hand_on"
            ),
        ]
