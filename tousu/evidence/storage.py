"""Encrypted files on disk, outside the web root.

A file is sealed with AES-256-GCM under its case's key; the associated data binds it to
its case and its content address (``tousu-attachment:<case id>:<sha256>``), so a blob
cannot be passed off as another file or moved to another case. A blob is::

    b"TSB1" | 12-byte nonce | ciphertext and tag

and is stored as ``<TOUSU_FILES_DIR>/<first two hex>/<SHA-256 of the blob>``: the name
checks the bytes on disk without the key, and says nothing about the plain file (a
content address on disk would let someone with the disk confirm that a known document
is there). Writes go to a temporary file in the same directory, then are renamed into
place, so a blob is either whole or absent.

A blob written by a transaction that rolled back stays on disk, referenced by nothing:
harmless (it is encrypted), and removed by :func:`sweep` (``tousu files sweep --delete``).
"""

from __future__ import annotations

import hashlib
import os
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from tousu.evidence.models import Attachment
from tousu.security import crypto
from tousu.security.crypto import CryptoError

MAGIC = b"TSB1"
_TMP_PREFIX = ".tmp-"
BLOB_NAME = re.compile(r"^[0-9a-f]{64}$")


def files_dir() -> Path:
    return Path(settings.TOUSU_FILES_DIR)


def associated_data(case_id: int, sha256: str) -> bytes:
    return f"tousu-attachment:{case_id}:{sha256}".encode()


def seal_bytes(case_key: bytes, plaintext: bytes, *, case_id: int, sha256: str) -> bytes:
    return MAGIC + crypto.seal_bytes(case_key, plaintext, associated_data(case_id, sha256))


def open_bytes(case_key: bytes, blob: bytes, *, case_id: int, sha256: str) -> bytes:
    """The plain file; :class:`CryptoError` if the blob was changed or belongs elsewhere."""
    if not blob.startswith(MAGIC):
        raise CryptoError("not an attachment blob")
    body = blob[len(MAGIC) :]
    return crypto.open_bytes(
        case_key, body, associated_data(case_id, sha256), failure="cannot open attachment"
    )


def path_of(name: str) -> Path:
    if not BLOB_NAME.match(name):
        raise ValueError(f"not a blob name: {name!r}")
    return files_dir() / name[:2] / name


def write(blob: bytes) -> str:
    """Store a blob atomically; returns its name (SHA-256 of its bytes)."""
    name = hashlib.sha256(blob).hexdigest()
    target = path_of(name)
    folder = target.parent
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    tmp = folder / f"{_TMP_PREFIX}{crypto.token_hex(8)}"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(blob)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    _fsync_dir(folder)
    return name


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def read(name: str) -> bytes:
    """The blob's bytes; FileNotFoundError when it is not there."""
    return path_of(name).read_bytes()


def intact(name: str, blob: bytes) -> bool:
    """Whether the bytes read are the ones written (no key needed)."""
    return hashlib.sha256(blob).hexdigest() == name


def discard(name: str) -> None:
    """Remove a blob nothing references (its transaction rolled back)."""
    path_of(name).unlink(missing_ok=True)


@dataclass(frozen=True)
class Orphan:
    path: Path
    size: int


def _candidates(older_than_seconds: float) -> Iterator[tuple[Path, list[Path]]]:
    root = files_dir()
    if not root.is_dir():
        return
    cutoff = time.time() - older_than_seconds
    for folder in sorted(root.iterdir()):
        if not folder.is_dir() or not re.fullmatch(r"[0-9a-f]{2}", folder.name):
            continue
        old = [p for p in sorted(folder.iterdir()) if p.is_file() and p.stat().st_mtime < cutoff]
        if old:
            yield folder, old


def sweep(*, older_than_seconds: float = 24 * 3600, delete: bool = False) -> list[Orphan]:
    """Blobs no attachment references, as its original or its rendition (and temporary
    files left by a crash), older than
    the given age so that a transaction still running is never touched; removed when
    ``delete`` is true."""
    found: list[Orphan] = []
    for _folder, paths in _candidates(older_than_seconds):
        names = [p.name for p in paths if BLOB_NAME.match(p.name)]
        referenced = set(Attachment.objects.filter(blob__in=names).values_list("blob", flat=True))
        referenced |= set(
            Attachment.objects.filter(rendition_blob__in=names).values_list(
                "rendition_blob", flat=True
            )
        )
        for p in paths:
            if p.name in referenced:
                continue
            if not (BLOB_NAME.match(p.name) or p.name.startswith(_TMP_PREFIX)):
                continue  # not ours: leave it
            found.append(Orphan(p, p.stat().st_size))
            if delete:
                p.unlink(missing_ok=True)
    return found
