"""The organisation's public pages (placeholders until built)."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse


def home(request: HttpRequest, org: str) -> HttpResponse:
    raise Http404


def privacy(request: HttpRequest, org: str) -> HttpResponse:
    raise Http404
