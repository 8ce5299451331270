"""The optional second factor: TOTP (RFC 6238: 30 s steps, 6 digits, ±1 step) and
ten single-use recovery codes.

The secret is sealed under the accounts key with the user id bound in. A code is
accepted once: the step it matched is stored, and only a later step is accepted
after it (a compare-and-set, so two workers cannot both accept the same code).
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

import pyotp
import segno
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from tousu.accounts import clock, keys
from tousu.accounts.models import RecoveryCode, SecondFactor
from tousu.security import crypto

log = logging.getLogger(__name__)

STEP = 30
DIGITS = 6
WINDOW = 1  # steps accepted either side of now (clock drift)
ISSUER = "Tousu"
RECOVERY_CODES = 10
_RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i
_RECOVERY_LENGTH = 10  # ~49 bits each
_SIX_DIGITS = re.compile(r"^\d{6}$")


@dataclass(frozen=True)
class Setup:
    """What a staff member needs to add the account to an authenticator app."""

    secret: str
    uri: str
    qr_svg: str


def _context(user_id: int) -> str:
    return f"totp:{user_id}"


def _secret(factor: SecondFactor) -> str:
    return keys.open_sealed(factor.sealed_secret, context=_context(factor.user_id))


def _secret_or_none(factor: SecondFactor) -> str | None:
    """The secret, or None (logged) when it cannot be opened: another accounts key."""
    try:
        return _secret(factor)
    except keys.SealError:
        log.error(
            "the TOTP secret of user %s cannot be opened: was TOUSU_ACCOUNTS_KEY "
            "(var/accounts_key) changed? `tousu user totp_off USERNAME` resets it",
            factor.user_id,
        )
        return None


def enabled(user: AbstractBaseUser) -> bool:
    return SecondFactor.objects.filter(user_id=user.pk, confirmed_at__isnull=False).exists()


def confirmed(user: AbstractBaseUser) -> SecondFactor | None:
    return SecondFactor.objects.filter(user_id=user.pk, confirmed_at__isnull=False).first()


def pending(user: AbstractBaseUser) -> SecondFactor | None:
    return SecondFactor.objects.filter(user_id=user.pk, confirmed_at__isnull=True).first()


def start(user: AbstractBaseUser) -> SecondFactor:
    """A new, not yet effective secret (replacing an unconfirmed one)."""
    if enabled(user):
        raise ValueError("second factor already on")
    secret = pyotp.random_base32()  # 32 base32 characters: 160 bits
    factor, _ = SecondFactor.objects.update_or_create(
        user_id=user.pk,
        defaults={
            "sealed_secret": keys.seal(secret, context=_context(int(user.pk))),
            "confirmed_at": None,
            "last_step": 0,
            "created_at": clock.now(),
        },
    )
    return factor


def setup_for(user: AbstractBaseUser, factor: SecondFactor) -> Setup:
    secret = _secret(factor)
    uri = pyotp.TOTP(secret, digits=DIGITS, interval=STEP).provisioning_uri(
        name=user.get_username(), issuer_name=ISSUER
    )
    qr = segno.make(uri, error="m")
    svg = qr.svg_inline(scale=4, border=4, dark="#000", light="#fff", omitsize=False)
    return Setup(secret=secret, uri=uri, qr_svg=svg)


def _matching_step(secret: str | None, code: str) -> int | None:
    if secret is None or not _SIX_DIGITS.match(code):
        return None
    totp = pyotp.TOTP(secret, digits=DIGITS, interval=STEP)
    current = int(clock.now().timestamp()) // STEP
    found = None
    for step in range(current - WINDOW, current + WINDOW + 1):
        if crypto.same(totp.generate_otp(step), code):
            found = step
    return found


def normalise(code: str) -> str:
    return re.sub(r"[\s-]", "", code).lower()[:64]


def is_totp_code(code: str) -> bool:
    return bool(_SIX_DIGITS.match(normalise(code)))


def confirm(user: AbstractBaseUser, code: str) -> list[str] | None:
    """Turn the pending secret on with a code from it; the new recovery codes, or None."""
    factor = pending(user)
    if factor is None:
        return None
    step = _matching_step(_secret_or_none(factor), normalise(code))
    if step is None:
        return None
    with transaction.atomic():
        changed = SecondFactor.objects.filter(pk=factor.pk, confirmed_at__isnull=True).update(
            confirmed_at=clock.now(), last_step=step
        )
        if changed != 1:
            return None
        return _new_recovery_codes(user)


def verify(user: AbstractBaseUser, code: str) -> bool:
    """A current TOTP code, accepted once (a replay within its window is refused)."""
    factor = confirmed(user)
    if factor is None:
        return False
    step = _matching_step(_secret_or_none(factor), normalise(code))
    if step is None:
        return False
    accepted = SecondFactor.objects.filter(pk=factor.pk, last_step__lt=step).update(last_step=step)
    return accepted == 1


def _recovery_digest(user_id: int, code: str) -> str:
    return keys.digest("recovery", f"{user_id}:{code}")


def _new_recovery_codes(user: AbstractBaseUser) -> list[str]:
    now = clock.now()
    codes = [
        crypto.random_code(_RECOVERY_ALPHABET, _RECOVERY_LENGTH) for _ in range(RECOVERY_CODES)
    ]
    RecoveryCode.objects.filter(user_id=user.pk).delete()
    RecoveryCode.objects.bulk_create(
        RecoveryCode(user_id=user.pk, digest=_recovery_digest(int(user.pk), c), created_at=now)
        for c in codes
    )
    return [f"{c[:5]}-{c[5:]}" for c in codes]


def regenerate_recovery_codes(user: AbstractBaseUser) -> list[str]:
    with transaction.atomic():
        return _new_recovery_codes(user)


def use_recovery_code(user: AbstractBaseUser, code: str) -> bool:
    """A recovery code, spent on first use."""
    norm = normalise(code)
    if len(norm) != _RECOVERY_LENGTH or not enabled(user):
        return False
    spent = RecoveryCode.objects.filter(
        user_id=user.pk, digest=_recovery_digest(int(user.pk), norm), used_at__isnull=True
    ).update(used_at=clock.now())
    return spent == 1


def check(user: AbstractBaseUser, code: str) -> str | None:
    """A TOTP code or a recovery code: which one was accepted ("totp", "recovery"), or None."""
    if is_totp_code(code):
        return "totp" if verify(user, code) else None
    return "recovery" if use_recovery_code(user, code) else None


def recovery_codes_left(user: AbstractBaseUser) -> int:
    return RecoveryCode.objects.filter(user_id=user.pk, used_at__isnull=True).count()


def turn_off(user: AbstractBaseUser) -> None:
    with transaction.atomic():
        SecondFactor.objects.filter(user_id=user.pk).delete()
        RecoveryCode.objects.filter(user_id=user.pk).delete()
