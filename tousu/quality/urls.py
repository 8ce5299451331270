"""Quality documents of a case, under desk/<org>/cases/<number>/quality/."""

from __future__ import annotations

from django.urls import path

from tousu.quality import views

app_name = "quality"

urlpatterns = [
    path("report.pdf", views.report, name="report"),
]
