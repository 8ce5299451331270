"""The organisation's own settings: the language of what it sends when the recipient's is not
known."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy

from tousu.i18n import LANGUAGES
from tousu.orgadmin.services import VIA, Refused, lock_org
from tousu.orgs.models import Organisation
from tousu.orgs.services import audit


def set_language(org: Organisation, language: str, *, actor: Any) -> Organisation:
    """Set the organisation's language (audited when it changes); refused for a language
    the system does not offer, nothing written."""
    if language not in dict(LANGUAGES):
        raise Refused(gettext_lazy("请选择简体中文、繁體中文或 English"), field="language")
    with transaction.atomic():
        current = lock_org(org.pk)
        if current.language != language:
            before = current.language
            current.language = language
            current.save(update_fields=["language"])
            audit("organisation.changed", current, org=current, actor=actor, via=VIA,
                  field="language", before=before, after=language)  # fmt: skip
    return current
