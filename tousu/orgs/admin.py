"""Django admin for organisations, departments and staff only.

Cases never appear here: they change only through actions. Nothing is deleted
(deactivate instead), and every save writes an audit event. An organisation's
administrators (role ``administrator`` and ``is_staff``) see only their own
organisations; superusers see all.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.db.models import Model, QuerySet
from django.forms import ModelForm
from django.http import HttpRequest
from django.utils import timezone

from tousu.orgs.models import ApiToken, AuditEvent, Department, Membership, Organisation
from tousu.orgs.roles import Role
from tousu.orgs.services import audit


def _admin_org_ids(request: HttpRequest) -> set[int]:
    if request.user.pk is None:
        return set()
    return set(
        Membership.objects.filter(
            user_id=request.user.pk, role=Role.ADMINISTRATOR, active=True
        ).values_list("org_id", flat=True)
    )


class ScopedAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Scoped to the organisations the user administers; no deletes; saves are audited."""

    org_field = "org"

    def _scoped(self, request: HttpRequest) -> bool:
        return not request.user.is_superuser

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        qs = super().get_queryset(request)
        if self._scoped(request):
            qs = qs.filter(**{f"{self.org_field}__in": _admin_org_ids(request)})
        return qs

    def has_module_permission(self, request: HttpRequest) -> bool:
        return bool(request.user.is_superuser or _admin_org_ids(request))

    def has_view_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return self.has_module_permission(request)

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return self.has_module_permission(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return self.has_module_permission(request)

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False  # nothing is deleted: deactivate instead

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if self._scoped(request) and db_field.name == "org":
            kwargs["queryset"] = Organisation.objects.filter(pk__in=_admin_org_ids(request))
        if self._scoped(request) and db_field.name == "user":
            # Only people already on the staff of the administrator's organisations;
            # new accounts come from `tousu user create`.
            kwargs["queryset"] = (
                get_user_model()
                .objects.filter(memberships__org_id__in=_admin_org_ids(request))
                .distinct()
            )
        if self._scoped(request) and db_field.name in {"department", "parent"}:
            kwargs["queryset"] = Department.objects.filter(org_id__in=_admin_org_ids(request))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(
        self, request: HttpRequest, obj: Any, form: ModelForm[Any], change: bool
    ) -> None:
        super().save_model(request, obj, form, change)
        name = type(obj).__name__.lower()
        changed = {
            f: _plain(form.cleaned_data.get(f)) for f in form.changed_data if f not in {"password"}
        }
        org = obj if isinstance(obj, Organisation) else getattr(obj, "org", None)
        audit(f"{name}.{'changed' if change else 'created'}", obj, org=org, actor=request.user,
              via="admin", changed=changed)  # fmt: skip


def _plain(value: Any) -> Any:
    if isinstance(value, Model):
        return value.pk
    if isinstance(value, str | int | bool) or value is None:
        return value
    return str(value)


@admin.register(Organisation)
class OrganisationAdmin(ScopedAdmin):
    org_field = "pk"
    list_display = ("slug", "name", "time_zone", "active_policy")
    readonly_fields = ("active_policy", "created_at")
    search_fields = ("slug", "name")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        qs = admin.ModelAdmin.get_queryset(self, request)
        return qs if request.user.is_superuser else qs.filter(pk__in=_admin_org_ids(request))

    def has_add_permission(self, request: HttpRequest) -> bool:
        # New organisations come with a policy: `tousu org create` makes them.
        return False


@admin.register(Department)
class DepartmentAdmin(ScopedAdmin):
    list_display = ("code", "name", "name_en", "org", "parent", "active")
    list_filter = ("org", "active")
    search_fields = ("code", "name", "name_en")


@admin.register(Membership)
class MembershipAdmin(ScopedAdmin):
    list_display = ("user", "org", "role", "department", "active", "created_at")
    list_filter = ("org", "role", "active")
    search_fields = ("user__username",)


@admin.register(ApiToken)
class ApiTokenAdmin(ScopedAdmin):
    """Tokens are created with `tousu token create`; here they can only be revoked."""

    list_display = ("prefix", "user", "label", "created_at", "revoked_at")
    readonly_fields = ("user", "prefix", "label", "created_at", "revoked_at")
    exclude = ("digest",)
    actions = ["revoke"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        qs = admin.ModelAdmin.get_queryset(self, request)
        if request.user.is_superuser:
            return qs
        return qs.filter(user__memberships__org_id__in=_admin_org_ids(request)).distinct()

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.action(description="吊销所选令牌 Revoke selected tokens")
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        for token in queryset.filter(revoked_at__isnull=True):
            token.revoked_at = timezone.now()
            token.save(update_fields=["revoked_at"])
            audit("token.revoked", token, org=None, actor=request.user, prefix=token.prefix)


@admin.register(AuditEvent)
class AuditEventAdmin(ScopedAdmin):
    list_display = ("at", "type", "org", "actor", "object_type", "object_id")
    list_filter = ("type", "org")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False
