"""The portal's public pages beyond the notice and privacy pages ("portal:public:…")."""

from __future__ import annotations

from django.urls import URLPattern, path

from tousu.portal import public

urlpatterns: list[URLPattern] = [
    # Staff only: printable report-box forms with pre-issued receipts (POST issues them).
    path("box-forms/", public.box_forms, name="box_forms"),
]
