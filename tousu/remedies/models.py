"""Remedies owed to a complainant (先行赔付, refunds, returns, credits) and rewards for reports.

Amounts and quantities are not personal data; the reasons are case records
(:class:`tousu.cases.models.CaseRecord`), and who receives a reward is never stored here.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy

from tousu.cases.models import Case


class Remedy(models.Model):
    class Kind(models.TextChoices):
        ADVANCE_COMPENSATION = "advance_compensation", gettext_lazy("先行赔付")
        COMPENSATION = "compensation", gettext_lazy("赔偿")
        REFUND = "refund", gettext_lazy("退款")
        RETURN = "return", gettext_lazy("退换货")
        CREDIT = "credit", gettext_lazy("折让")

    class State(models.TextChoices):
        PROPOSED = "proposed", gettext_lazy("待审批")
        APPROVED = "approved", gettext_lazy("已批准")
        REFUSED = "refused", gettext_lazy("未批准")
        PAID = "paid", gettext_lazy("已兑现")

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="remedies")
    # Numbered within the case: 1, 2, ...
    no = models.PositiveIntegerField()
    kind = models.CharField(max_length=30, choices=Kind.choices)
    amount = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    quantity = models.PositiveIntegerField(null=True, blank=True)
    unit = models.CharField(max_length=20, blank=True)
    # "Not yet determined" (客户加工中未确定): only an approver without a quantity limit.
    quantity_undetermined = models.BooleanField(default=False)
    state = models.CharField(max_length=20, choices=State.choices, default=State.PROPOSED)
    # The role whose approval limit first covers the remedy ("" when the policy sets none).
    awaiting_role = models.CharField(max_length=30, blank=True)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    proposed_at = models.DateTimeField()
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    paid_at = models.DateTimeField(null=True, blank=True)
    paid_method = models.CharField(max_length=30, blank=True)
    paid_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        constraints = [models.UniqueConstraint(fields=["case", "no"], name="remedy_no_per_case")]
        ordering = ["case", "no"]

    def __str__(self) -> str:
        return f"{self.case_id}/{self.no} {self.kind}"


class Reward(models.Model):
    class State(models.TextChoices):
        PROPOSED = "proposed", gettext_lazy("待审批")
        APPROVED = "approved", gettext_lazy("已批准")
        REFUSED = "refused", gettext_lazy("未批准")
        HANDED_OVER = "handed_over", gettext_lazy("已发放")

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="rewards")
    no = models.PositiveIntegerField()
    amount = models.DecimalField(max_digits=14, decimal_places=2)
    state = models.CharField(max_length=20, choices=State.choices, default=State.PROPOSED)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    proposed_at = models.DateTimeField()
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    handed_over_at = models.DateTimeField(null=True, blank=True)
    handed_over_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    method = models.CharField(max_length=30, blank=True)
    # An anonymous reporter's claim: the claimant showed the case's receipt (never its digits).
    receipt_shown = models.BooleanField(default=False)
    # A named reporter's reward went through the custodian.
    via_custodian = models.BooleanField(default=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["case", "no"], name="reward_no_per_case")]
        ordering = ["case", "no"]

    def __str__(self) -> str:
        return f"{self.case_id}/{self.no} reward"
