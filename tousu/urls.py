from __future__ import annotations

from django.contrib import admin
from django.urls import include, path

from tousu.api.routes import api

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("o/<slug:org>/", include("tousu.portal.urls")),
    path("", include("tousu.desk.urls")),
]
