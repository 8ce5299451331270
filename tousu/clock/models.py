"""Holiday overrides and covered years, installation-wide or per organisation.

python-holidays knows the State Council's schedule (国务院办公厅关于部分节假日安排的通知)
only for the years it has been published in; the rows here fill the gap (a new
year's schedule, a local closure, an extra workday) until it does. ``org`` null
means the whole installation; an organisation's own row wins on the same date.

Nothing is deleted: a row that is withdrawn gets ``withdrawn_at`` and no longer
counts, so at most one *active* row exists per (org, date) and per (org, year).
Creating and withdrawing go through :mod:`tousu.clock.overrides`, which writes
the audit events and keeps the per-process calendars fresh.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

_INSTALLATION_HELP = (
    "留空 = 整个系统（仅超级用户）(blank = the whole installation, superusers only)"
)


class _FromNotice(models.Model):
    """A calendar fact taken from a notice; never deleted, withdrawn instead."""

    source_notice = models.CharField(
        "依据 source notice", max_length=200, help_text="例如 国办发明电〔2025〕7号"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    created_at = models.DateTimeField(auto_now_add=True)
    withdrawn_at = models.DateTimeField("撤销时间 withdrawn at", null=True, blank=True)

    class Meta:
        abstract = True


class HolidayOverride(_FromNotice):
    """One day declared working (调休上班, extra workday) or not (day off, local closure)."""

    org = models.ForeignKey(
        "orgs.Organisation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="holiday_overrides",
        verbose_name="组织 organisation",
        help_text=_INSTALLATION_HELP,
    )
    date = models.DateField("日期 date")
    working = models.BooleanField(
        "上班 working",
        help_text="勾选 = 工作日（调休上班）；不勾 = 休息日（放假、停工）"
        " (checked = a working day; unchecked = a day off)",
    )
    name = models.CharField("名称 name", max_length=100, help_text="例如 春节调休上班、本地停工")

    class Meta:
        verbose_name = "节假日调整 holiday override"
        verbose_name_plural = "节假日调整 holiday overrides"
        ordering = ["date"]
        constraints = [
            # NULL never equals NULL in a unique index, so the installation's rows
            # (org null) need a constraint of their own.
            models.UniqueConstraint(
                fields=["org", "date"],
                condition=Q(withdrawn_at__isnull=True, org__isnull=False),
                name="holiday_override_active_per_org",
            ),
            models.UniqueConstraint(
                fields=["date"],
                condition=Q(withdrawn_at__isnull=True, org__isnull=True),
                name="holiday_override_active_installation",
            ),
        ]

    def __str__(self) -> str:
        kind = "上班" if self.working else "休息"
        return f"{self.date.isoformat()} {kind} {self.name}"

    def clean(self) -> None:
        super().clean()
        if self.withdrawn_at is None and self.date is not None:
            clash = HolidayOverride.objects.filter(
                org_id=self.org_id, date=self.date, withdrawn_at__isnull=True
            ).exclude(pk=self.pk)
            if clash.exists():
                raise ValidationError(
                    {
                        "date": "该日已有生效的调整，请先撤销 (an active override exists for this day)"
                    }
                )


class CoveredYear(_FromNotice):
    """The overrides for ``year`` complete the State Council schedule: no longer provisional."""

    org = models.ForeignKey(
        "orgs.Organisation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="covered_years",
        verbose_name="组织 organisation",
        help_text=_INSTALLATION_HELP,
    )
    year = models.PositiveSmallIntegerField(
        "年份 year", validators=[MinValueValidator(1949), MaxValueValidator(9999)]
    )

    class Meta:
        verbose_name = "已覆盖年份 covered year"
        verbose_name_plural = "已覆盖年份 covered years"
        ordering = ["year"]
        constraints = [
            models.UniqueConstraint(
                fields=["org", "year"],
                condition=Q(withdrawn_at__isnull=True, org__isnull=False),
                name="covered_year_active_per_org",
            ),
            models.UniqueConstraint(
                fields=["year"],
                condition=Q(withdrawn_at__isnull=True, org__isnull=True),
                name="covered_year_active_installation",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year} ({self.source_notice})"

    def clean(self) -> None:
        super().clean()
        if self.withdrawn_at is None and self.year is not None:
            clash = CoveredYear.objects.filter(
                org_id=self.org_id, year=self.year, withdrawn_at__isnull=True
            ).exclude(pk=self.pk)
            if clash.exists():
                raise ValidationError(
                    {"year": "该年已声明覆盖，请先撤销 (this year is already declared covered)"}
                )
