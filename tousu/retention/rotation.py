"""Master-key rotation: every case key re-wrapped under a new master key, atomically.

1. The new key is written to ``var/master_key.next`` (the keyring can read it).
2. Every live case key is unwrapped and wrapped again under it, in one transaction.
3. ``master_key`` becomes ``master_key.retired-<id>``; ``master_key.next`` becomes
   ``master_key``. An interruption at any step leaves every case key readable.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from django.db import transaction

from tousu.cases.models import Case
from tousu.conf import ConfigError, var_dir
from tousu.orgs.models import AuditEvent
from tousu.privacy import crypto, fields
from tousu.security.crypto import decode_key, new_key_text


@dataclass
class RotationResult:
    old_id: str
    new_id: str
    rewrapped: int


def rotate() -> RotationResult:
    if os.environ.get("TOUSU_MASTER_KEY"):
        raise ConfigError(
            "TOUSU_MASTER_KEY is set in the environment: rotate by putting the new key in "
            "var/master_key.next, running `tousu keys rotate`, then updating the environment"
        )
    folder = var_dir()
    current = folder / "master_key"
    nxt = folder / "master_key.next"
    if not nxt.exists():
        fd = os.open(nxt, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(new_key_text())
    crypto.forget_keys()
    old = crypto.master_key()
    new = decode_key(nxt.read_text().strip(), "master_key.next")
    count = 0
    with transaction.atomic():
        for case in (
            Case.objects.select_for_update().exclude(sealed_key="").only("pk", "sealed_key")
        ):
            case.sealed_key = crypto.wrap(crypto.unwrap(case.sealed_key), master=new)
            # Saved row by row: the wrapped key is part of the case row's seal, so each
            # re-wrap is a sealed change.
            case.save(update_fields=["sealed_key"])
            count += 1
    os.replace(current, folder / f"master_key.retired-{crypto.key_id(old)}")
    os.replace(nxt, current)
    crypto.forget_keys()
    fields._KEYS.clear()
    result = RotationResult(old_id=crypto.key_id(old), new_id=crypto.key_id(new), rewrapped=count)
    audit_rotation(result)
    return result


def audit_rotation(result: RotationResult) -> None:
    """The rotation is recorded (key ids only, never key material)."""
    AuditEvent.objects.create(
        org=None,
        type="keys.rotated",
        object_type="keys",
        object_id=result.new_id,
        data={"old": result.old_id, "new": result.new_id, "rewrapped": result.rewrapped},
    )
