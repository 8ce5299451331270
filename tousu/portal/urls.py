"""The public portal's URL table, under /o/<org>/ (no sign-in; receipts instead)."""

from __future__ import annotations

from django.urls import include, path

from tousu.portal import public, reporter, submission

app_name = "portal"

urlpatterns = [
    # The organisation's public notice, privacy notice, report-box forms (public.py).
    path("", public.home, name="home"),
    path("privacy/", public.privacy, name="privacy"),
    path("", include(("tousu.portal.public_urls", "portal"), namespace="public")),
    # Submitting (submission.py), and following a case with its receipt (reporter.py).
    path("new/", submission.submit, name="submit"),
    path("new/<slug:key>/", submission.submitted, name="submitted"),
    path("follow/", reporter.follow, name="follow"),
    path("", include(("tousu.portal.reporter_urls", "portal"), namespace="reporter")),
]
