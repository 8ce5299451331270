"""Holiday overrides and covered years in the admin: add, read, withdraw; never edit or delete.

Scoping: ``ScopedAdmin`` filters on ``org__in=<administered organisations>``, and
``NULL IN (...)`` is never true, so an organisation's administrators do not see
the installation's rows (org null); only superusers do. For the same reason the
organisation is required on their add form: leaving it blank would create an
installation-wide row.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import Model, QuerySet
from django.forms import ModelForm
from django.http import HttpRequest

from tousu.clock.models import CoveredYear, HolidayOverride
from tousu.clock.overrides import withdraw
from tousu.orgs.admin import ScopedAdmin


class _WithdrawableAdmin(ScopedAdmin):
    """A row is added once and then only read or withdrawn (it stays, with withdrawn_at)."""

    actions = ["withdraw_selected"]
    editable: tuple[str, ...] = ()

    def get_readonly_fields(self, request: HttpRequest, obj: Model | None = None) -> Any:
        shown = (*self.editable, "created_by", "created_at", "withdrawn_at")
        return shown if obj is not None else ("created_by", "created_at", "withdrawn_at")

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        # No edits: a wrong row is withdrawn and a new one added (the old stays on record).
        return obj is None and self.has_module_permission(request)

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "org" and self._scoped(request) and field is not None:
            field.required = True
        return field

    def save_model(
        self, request: HttpRequest, obj: Any, form: ModelForm[Any], change: bool
    ) -> None:
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)  # saves and writes "<model>.created"

    @admin.action(description="撤销所选 Withdraw selected")
    def withdraw_selected(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        done = sum(
            withdraw(row, actor=request.user, via="admin")
            for row in queryset.filter(withdrawn_at__isnull=True)
        )
        self.message_user(request, f"已撤销 {done} 条 (withdrew {done})", messages.SUCCESS)


@admin.register(HolidayOverride)
class HolidayOverrideAdmin(_WithdrawableAdmin):
    editable = ("org", "date", "working", "name", "source_notice")
    list_display = ("date", "working", "name", "org", "source_notice", "withdrawn_at")
    list_filter = ("org", "working", ("withdrawn_at", admin.EmptyFieldListFilter))
    search_fields = ("name", "source_notice")
    date_hierarchy = "date"


@admin.register(CoveredYear)
class CoveredYearAdmin(_WithdrawableAdmin):
    editable = ("org", "year", "source_notice")
    list_display = ("year", "org", "source_notice", "created_at", "withdrawn_at")
    list_filter = ("org", ("withdrawn_at", admin.EmptyFieldListFilter))
