"""One-time set-password links: how a new staff member chooses their first password.

An account made without a password (``tousu user create`` without ``--password``, or the
administration page with the password left empty) cannot sign in until its holder opens
the link printed for it and chooses a password the validators accept. The person who made
the account never learns the password, so every step signed with it is the holder's own.

The token is Django's password-reset token: an HMAC of the account's id, its password
hash, its last sign-in and the time it was made. It stops working once a password is set
(the hash changes), and after ``PASSWORD_RESET_TIMEOUT`` seconds (Django's default: three
days). Nothing about it is stored.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode


@dataclass(frozen=True)
class Link:
    url: str
    expires_at: datetime

    @property
    def hours(self) -> int:
        return valid_hours()


def valid_hours() -> int:
    return max(int(settings.PASSWORD_RESET_TIMEOUT) // 3600, 1)


def link_for(user: Any) -> Link:
    """A link that lets ``user`` set their password once, within the validity period."""
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    path = reverse("desk:accounts:set_password", kwargs={"uidb64": uid, "token": token})
    base = str(settings.TOUSU_BASE_URL).rstrip("/")
    expires = timezone.now() + timedelta(seconds=int(settings.PASSWORD_RESET_TIMEOUT))
    return Link(url=f"{base}{path}", expires_at=expires)
