"""The landing page of the administration: where things stand, and the latest changes."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_POST

from tousu.clock.models import HolidayOverride
from tousu.i18n import LANGUAGES
from tousu.orgadmin.access import admin_view
from tousu.orgadmin.audit_labels import audit_rows
from tousu.orgadmin.links import admin_url
from tousu.orgadmin.services import Refused
from tousu.orgadmin.services import organisation as services
from tousu.orgadmin.views.common import admin_page
from tousu.orgs.models import AuditEvent, Department, Membership
from tousu.policy.models import PolicyVersion
from tousu.web.pages import DeskRequest


@require_GET
@admin_view
def home(request: DeskRequest, org: str) -> HttpResponse:
    return _home(request)


def _home(request: DeskRequest, status: int = 200) -> HttpResponse:
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
        "languages": LANGUAGES,
    }
    return admin_page(request, "orgadmin/home.html", "home", context, status)


@require_POST
@admin_view
def language(request: DeskRequest, org: str) -> HttpResponse:
    """The language of what the organisation sends to someone whose own is not known."""
    try:
        services.set_language(
            request.desk.org, request.POST.get("language", ""), actor=request.user
        )
    except Refused as exc:
        messages.error(request, exc.message)
        return _home(request, status=exc.status)
    messages.success(request, gettext("已保存"))
    return redirect(admin_url("home", org=org))
