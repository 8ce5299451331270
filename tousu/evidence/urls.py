"""Attachments of a case, under ``desk/<org>/cases/<number>/files/``."""

from __future__ import annotations

from django.urls import URLPattern, path

from tousu.evidence import views

app_name = "evidence"

urlpatterns: list[URLPattern] = [
    path("", views.upload, name="upload"),
    path("<str:sha256>/", views.download, name="download"),
    path("<str:sha256>/original/", views.download_original, name="original"),
    path("<str:sha256>/release/", views.decide_release, name="release"),
]
