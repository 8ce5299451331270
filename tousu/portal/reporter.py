"""The reporter's pages (placeholders until built)."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse


def submit(request: HttpRequest, org: str) -> HttpResponse:
    raise Http404


def follow(request: HttpRequest, org: str) -> HttpResponse:
    raise Http404
