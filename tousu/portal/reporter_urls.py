"""The reporter's case pages, under /o/<org>/ (namespace ``portal:reporter``)."""

from __future__ import annotations

from django.urls import URLPattern, path

from tousu.portal import reporter

urlpatterns: list[URLPattern] = [
    path("my-case/", reporter.case_page, name="case"),
    path("my-case/leave/", reporter.leave, name="leave"),
    path("my-case/<slug:action>/", reporter.act, name="act"),
]
