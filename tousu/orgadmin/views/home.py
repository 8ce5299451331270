"""The landing page of the administration: where things stand, and the latest changes."""

from __future__ import annotations

from django.http import HttpResponse
from django.utils import timezone
from django.views.decorators.http import require_GET

from tousu.clock.models import HolidayOverride
from tousu.orgadmin.access import admin_view
from tousu.orgadmin.audit_labels import audit_rows
from tousu.orgadmin.views.common import admin_page
from tousu.orgs.models import AuditEvent, Department, Membership
from tousu.policy.models import PolicyVersion
from tousu.web.pages import DeskRequest


@require_GET
@admin_view
def home(request: DeskRequest, org: str) -> HttpResponse:
    desk = request.desk
    today = timezone.localdate(timezone.now(), desk.tz)
    version = (
        PolicyVersion.objects.filter(pk=desk.org.active_policy_id or 0)
        .select_related("created_by")
        .defer("document", "source")
        .first()
    )
    recent = (
        AuditEvent.objects.filter(org=desk.org).select_related("actor").order_by("-at", "-pk")[:20]
    )
    context = {
        "version": version,
        "versions": PolicyVersion.objects.filter(org=desk.org).count(),
        "departments": Department.objects.filter(org=desk.org, active=True).count(),
        "staff": Membership.objects.filter(org=desk.org, active=True, user__is_active=True)
        .values("user")
        .distinct()
        .count(),
        "upcoming": HolidayOverride.objects.filter(
            org=desk.org, withdrawn_at__isnull=True, date__gte=today
        ).order_by("date")[:5],
        "recent": audit_rows(recent),
    }
    return admin_page(request, "orgadmin/home.html", "home", context)
