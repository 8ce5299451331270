"""Penalties (处罚) decided on a case against a staff member or a department, and appeals.

A penalty is proposed, then approved or rejected by the roles the policy names. The
person penalised may appeal once, within the policy's window, to its appeal authority.
Counting rules (e.g. the second complaint within a year → suspension) propose follow-up
penalties of their own, which the approver decides like any other.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy


class Penalty(models.Model):
    class Status(models.TextChoices):
        PROPOSED = "proposed", gettext_lazy("待审批")
        APPROVED = "approved", gettext_lazy("已决定")
        REJECTED = "rejected", gettext_lazy("不予处罚")
        REVOKED = "revoked", gettext_lazy("申诉后撤销")

    org = models.ForeignKey("orgs.Organisation", on_delete=models.PROTECT, related_name="+")
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="penalties")
    # Exactly one of the two: a staff member or a department.
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="penalties",
    )
    department = models.ForeignKey(
        "orgs.Department", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(max_length=40)
    label_zh = models.CharField(max_length=500, blank=True)
    label_en = models.CharField(max_length=500, blank=True)
    amount = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    reason = models.TextField()
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PROPOSED)
    # Whether the decision applies now (an approved one may be suspended by an appeal).
    in_force = models.BooleanField(default=False)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    proposed_at = models.DateTimeField()
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True)
    # A follow-up proposed by a counting rule: the rule's text and the penalty that set it off.
    rule_zh = models.CharField(max_length=500, blank=True)
    triggered_by = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="follow_ups"
    )
    # The written notice (处罚决定通知书): issued when decided, where the policy says
    # notify_in_writing; its delivery (送达) as recorded by staff.
    notice_issued_at = models.DateTimeField(null=True, blank=True)
    notice_delivered_at = models.DateTimeField(null=True, blank=True)
    notice_delivered_how = models.CharField(max_length=30, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["org", "staff", "status"], name="penalty_by_person"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(staff__isnull=False, department__isnull=True)
                    | models.Q(staff__isnull=True, department__isnull=False)
                ),
                name="penalty_one_target",
            )
        ]


class Appeal(models.Model):
    """申诉 / 复核: the penalised person asks the policy's appeal authority to look again."""

    class Status(models.TextChoices):
        PENDING = "pending", gettext_lazy("待决定")
        UPHELD = "upheld", gettext_lazy("维持原决定")
        REVOKED = "revoked", gettext_lazy("撤销原决定")

    penalty = models.ForeignKey(Penalty, on_delete=models.PROTECT, related_name="appeals")
    appellant = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.TextField()
    to_role = models.CharField(max_length=40)
    filed_at = models.DateTimeField()
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    note = models.TextField(blank=True)
    # The appeal decision (申诉处理决定书) delivered (送达) to the appellant.
    delivered_at = models.DateTimeField(null=True, blank=True)
    delivered_how = models.CharField(max_length=30, blank=True)
