"""Export files sealed at rest, written and read in chunks (memory stays flat).

Each export has its own random 256-bit key, stored wrapped under the installation's
master key (:func:`tousu.privacy.crypto.wrap`) on the export's row; the file is::

    b"TSX1" | chunk | chunk | ... | last chunk

and each chunk is ``flag (1 byte: 0 more, 1 last) | length (4 bytes, big-endian) |
nonce | ciphertext and tag``: at most :data:`CHUNK` bytes of the plain file sealed with
AES-256-GCM, the associated data binding the export, the chunk's place and whether it is
the last (``tousu-export:<id>:<index>:<flag>``). A chunk moved, dropped, swapped with
another export's or cut off at the end does not open. Files are written under a
temporary name and renamed into place, so one is either whole or absent.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from django.conf import settings

from tousu.privacy.crypto import unwrap, wrap
from tousu.security import crypto
from tousu.security.crypto import CryptoError

MAGIC = b"TSX1"
CHUNK = 1024 * 1024
_HEADER = 5
_NAME = re.compile(r"^[0-9a-f]{32}\.tsx$")
_TMP_PREFIX = ".tmp-"


def exports_dir() -> Path:
    return Path(settings.TOUSU_EXPORTS_DIR)


def path_of(name: str) -> Path:
    if not _NAME.match(name):
        raise ValueError(f"not an export file name: {name!r}")
    return exports_dir() / name


def _associated(export_id: int, index: int, last: bool) -> bytes:
    return f"tousu-export:{export_id}:{index}:{int(last)}".encode()


def work_dir() -> Path:
    """A private directory for the plain file while it is being built."""
    folder = exports_dir() / ".work"
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    return folder


def seal_file(source: IO[bytes], export_id: int) -> tuple[str, str, int]:
    """Seal the plain file ``source`` (read from its start) into the exports directory;
    returns (file name, wrapped key, plain size)."""
    key = crypto.new_key()
    folder = exports_dir()
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    name = f"{crypto.token_hex(16)}.tsx"
    tmp = folder / f"{_TMP_PREFIX}{name}"
    size = 0
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(MAGIC)
            index = 0
            chunk = source.read(CHUNK)
            while True:
                following = source.read(CHUNK) if chunk else b""
                last = not following
                sealed = crypto.seal_bytes(key, chunk, _associated(export_id, index, last))
                out.write(bytes([int(last)]) + len(sealed).to_bytes(4, "big") + sealed)
                size += len(chunk)
                if last:
                    break
                chunk, index = following, index + 1
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, folder / name)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return name, wrap(key), size


def open_chunks(name: str, wrapped_key: str, export_id: int) -> Iterator[bytes]:
    """The plain file, chunk by chunk; :class:`CryptoError` when it was changed (each
    chunk is checked before it is given out) and FileNotFoundError when it is gone."""
    key = unwrap(wrapped_key)
    with path_of(name).open("rb") as handle:
        if handle.read(len(MAGIC)) != MAGIC:
            raise CryptoError("not an export file")
        index = 0
        while True:
            header = handle.read(_HEADER)
            if len(header) != _HEADER or header[0] not in (0, 1):
                raise CryptoError("export file cut short")
            last = header[0] == 1
            body = handle.read(int.from_bytes(header[1:], "big"))
            yield crypto.open_bytes(
                key, body, _associated(export_id, index, last), failure="cannot open export"
            )
            if last:
                if handle.read(1):
                    raise CryptoError("export file has bytes after its end")
                return
            index += 1


def remove(name: str) -> None:
    if name:
        path_of(name).unlink(missing_ok=True)
