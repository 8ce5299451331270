from __future__ import annotations

from django.contrib import admin
from django.urls import include, path

from tousu.api.routes import api
from tousu.desk.language import set_language

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    # Before Django's own: the switch also remembers a staff member's language for notices.
    path("i18n/setlang/", set_language, name="set_language"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("o/<slug:org>/", include("tousu.portal.urls")),
    path("", include("tousu.desk.urls")),
]
