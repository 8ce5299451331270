"""The language switch: Django's ``set_language``, and for a signed-in staff member also the
language their notices are written in from then on (:class:`~tousu.notify.models.StaffContact`).
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.utils.translation import get_supported_language_variant
from django.views.i18n import set_language as django_set_language

from tousu.i18n import CODES
from tousu.notify.models import StaffContact


def set_language(request: HttpRequest) -> HttpResponse:
    response = django_set_language(request)
    chosen = request.POST.get("language", "") if request.method == "POST" else ""
    try:
        code = get_supported_language_variant(chosen) if chosen else ""
    except LookupError:
        code = ""
    user = getattr(request, "user", None)
    if code in CODES and user is not None and user.is_authenticated:
        StaffContact.objects.update_or_create(user=user, defaults={"language": code})
    return response
