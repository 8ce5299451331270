"""Issuing and finding receipts (the clear number exists only in the answer that shows it).

- :func:`issue` gives a case a new receipt and returns its digits, once.
- :func:`pre_issue` makes receipts for printed report-box forms, bound to a case later
  with :func:`bind` when the form is registered.
- :func:`find` returns the case of a receipt, or None — the same None for a wrong receipt,
  a revoked one, one not yet bound and one of another organisation.
"""

from __future__ import annotations

import re
from functools import lru_cache

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy

from tousu.cases.errors import TousuError
from tousu.cases.models import Case
from tousu.orgs.models import Organisation
from tousu.reporter.models import Receipt
from tousu.security import crypto

DIGITS = 20
_NOT_DIGITS = re.compile(r"[\s\-－—_.·]")


@lru_cache(maxsize=1)
def _key() -> bytes:
    return crypto.key_from_env_or_file(
        "TOUSU_RECEIPT_KEY", "receipt_key", passphrase_label=b"tousu-receipt-key:"
    )


def normalise(text: str) -> str | None:
    """The receipt's digits, or None when the text cannot be a receipt."""
    digits = _NOT_DIGITS.sub("", text or "")
    if len(digits) != DIGITS or not digits.isascii() or not digits.isdigit():
        return None
    return digits


def digest(org: Organisation, digits: str) -> str:
    message = f"{org.pk}:{digits}".encode()
    return crypto.keyed_digest(_key(), message)


def grouped(digits: str) -> str:
    """As shown and printed: 1234 5678 9012 3456 7890."""
    return " ".join(digits[i : i + 4] for i in range(0, len(digits), 4))


def _new(org: Organisation, channel: str, by_user_id: int | None, case: Case | None) -> str:
    now = timezone.now()
    while True:
        digits = f"{crypto.randbelow(10**DIGITS):0{DIGITS}d}"
        key = digest(org, digits)
        if not Receipt.objects.filter(digest=key).exists():
            break
    Receipt.objects.create(
        org=org, case=case, digest=key, channel=channel, issued_at=now,
        issued_by_id=by_user_id, bound_at=now if case else None,
    )  # fmt: skip
    return digits


def issue(case: Case, *, channel: str, by_user_id: int | None = None) -> str:
    """A new receipt for a case; the digits are returned once and never stored."""
    return _new(case.org, channel, by_user_id, case)


def pre_issue(org: Organisation, count: int, *, by_user_id: int) -> list[str]:
    """Receipts for printed report-box forms (bound when the form is registered)."""
    if not 1 <= count <= 500:
        raise TousuError("invalid", gettext_lazy("数量须为 1 至 500"), status=422)
    with transaction.atomic():
        return [_new(org, "box", by_user_id, None) for _ in range(count)]


def bind(case: Case, text: str) -> bool:
    """Bind a pre-printed box-form receipt to the case registered from that form."""
    digits = normalise(text)
    if digits is None:
        return False
    updated = Receipt.objects.filter(
        org_id=case.org_id, digest=digest(case.org, digits), case__isnull=True,
        revoked_at__isnull=True,
    ).update(case=case, bound_at=timezone.now())  # fmt: skip
    return updated == 1


def find(org: Organisation, text: str) -> Case | None:
    digits = normalise(text)
    if digits is None:
        return None
    receipt = (
        Receipt.objects.select_related("case", "case__org")
        .filter(org=org, digest=digest(org, digits), revoked_at__isnull=True)
        .exclude(case__isnull=True)
        .first()
    )
    if receipt is None or receipt.case is None or receipt.case.number is None:
        return None
    return receipt.case
