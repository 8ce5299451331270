"""Attaching files to a case, and opening them again.

:func:`attach` (and :func:`store`, which also says whether the file was new) runs the
``attach`` action through :func:`tousu.cases.steps.step`: the case is locked, the actor's
right and the case's state are checked *before* the file is looked at, then the file is
checked (not empty, within ``TOUSU_MAX_UPLOAD_BYTES``, a PDF, JPEG or PNG by its first
bytes) and passed through the upload pipeline (:func:`tousu.evidence.sanitize.render`:
bombs refused, images re-encoded from their pixels, PDFs without scripts and actions).
The original, byte-exact, and its rendition are each sealed under the case key, written
to disk, and recorded by an event holding both SHA-256s and sizes and the type — never
the name. A refused file leaves nothing: no row, no event, no blob. The same file twice
on one case is one attachment.

:func:`open_file` serves the rendition. The original is opened only by
:func:`open_original`, for the roles in :data:`ORIGINAL_ROLES`, always as a download
(``application/octet-stream``), and each time is logged as a ``file_original_opened`` event
of the case as well as a download record.

Views and the API call only these functions; ``attach`` is not in
:data:`tousu.cases.actions.ACTION_FUNCTIONS`, since a file is not a JSON body.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime
from types import ModuleType
from urllib.parse import quote

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy

from tousu.cases import events
from tousu.cases.access import Actor
from tousu.cases.errors import TousuError
from tousu.cases.models import Case, Event
from tousu.cases.steps import step
from tousu.evidence import opening, release, storage
from tousu.evidence.models import Attachment, Download
from tousu.i18n import either
from tousu.orgs.roles import Role
from tousu.privacy.fields import case_key

MiB = 1024 * 1024

# Who may download a staff file byte-exact as uploaded (it may carry a script, an embedded
# file, metadata): the organisation's oversight, for verification and disputes. Everyone
# else who may open the file gets its rendition only.
ORIGINAL_ROLES = frozenset({Role.SUPERVISOR, Role.LEADER, Role.AUDITOR})
ORIGINAL_OPENED = "file_original_opened"
# Events written here rather than by a case action, as the case history names them.
EVENT_LABELS = {
    ORIGINAL_OPENED: gettext_lazy("下载原始文件"),
    release.SEALED_OPENED: gettext_lazy("身份保管人打开可能显示身份的附件"),
}


@dataclass(frozen=True)
class FileType:
    content_type: str
    extension: str
    label: str
    signatures: tuple[bytes, ...]


# The types a case takes, recognised by their first bytes (the client's word is not taken).
ALLOWED: tuple[FileType, ...] = (
    FileType("application/pdf", "pdf", "PDF", (b"%PDF-",)),
    FileType("image/jpeg", "jpg", "JPEG", (b"\xff\xd8\xff",)),
    FileType("image/png", "png", "PNG", (b"\x89PNG\r\n\x1a\n",)),
)
BY_CONTENT_TYPE = {f.content_type: f for f in ALLOWED}
ACCEPT = ",".join([f".{f.extension}" for f in ALLOWED] + [".jpeg"])  # the file picker's hint only


def detect(head: bytes) -> FileType | None:
    for kind in ALLOWED:
        if any(head.startswith(sig) for sig in kind.signatures):
            return kind
    return None


def max_bytes() -> int:
    return int(settings.TOUSU_MAX_UPLOAD_BYTES)


def human_size(n: int) -> str:
    if n >= MiB:
        return f"{n / MiB:.1f}".removesuffix(".0") + " MiB"
    if n >= 1024:
        return f"{n / 1024:.0f} KiB"
    return f"{n} B"


# -- errors of an upload (stable codes, Chinese and English; of opening: evidence.opening) --


def _types_zh() -> str:
    return "、".join(f.label for f in ALLOWED)


def _types_en() -> str:
    return ", ".join(f.label for f in ALLOWED)


def file_empty(name: str) -> TousuError:
    return TousuError(
        "file_empty",
        gettext_lazy("文件“{name}”是空的，未保存"),
        status=422,
        details={"field": "file", "file": name},
        params={"name": name},
    )


def file_too_large(name: str, limit: int) -> TousuError:
    return TousuError(
        "file_too_large",
        gettext_lazy("文件“{name}”超过大小上限 {human_size}（{limit} 字节），未保存"),
        status=413,
        details={"field": "file", "file": name, "limit": limit},
        params={"name": name, "human_size": human_size(limit), "limit": limit},
    )


def request_too_large(limit: int) -> TousuError:
    return TousuError(
        "file_too_large",
        gettext_lazy("上传内容超过大小上限 {human_size}（{limit} 字节），未保存"),
        status=413,
        details={"field": "file", "limit": limit},
        params={"human_size": human_size(limit), "limit": limit},
    )


def file_type_not_allowed(name: str) -> TousuError:
    return TousuError(
        "file_type_not_allowed",
        gettext_lazy("文件“{name}”的类型不被接受（仅接受 {types}，按文件内容判断），未保存"),
        status=415,
        params={"name": name, "types": either(_types_zh(), _types_en())},
        details={"field": "file", "file": name, "allowed": [f.content_type for f in ALLOWED]},
    )


def no_file() -> TousuError:
    return TousuError(
        "file_missing", gettext_lazy("请选择要上传的文件"), status=422,
        details={"field": "file"},
    )  # fmt: skip


# -- checking an upload ----------------------------------------------------------------------


def clean_name(name: str | None) -> str:
    """The client's filename, for people to read: no path, no control characters, bounded."""
    base = re.split(r"[\\/]", name or "")[-1]
    base = "".join(ch for ch in base if unicodedata.category(ch)[0] != "C").strip()
    return base[:200] or "attachment"


@dataclass(frozen=True)
class Checked:
    name: str
    data: bytes
    sha256: str
    type: FileType


def check(upload: UploadedFile) -> Checked:
    """The upload's bytes if the case may take them; otherwise the reason, naming the file."""
    name = clean_name(upload.name)
    limit = max_bytes()
    if upload.size is not None and upload.size > limit:
        raise file_too_large(name, limit)
    upload.seek(0)
    return check_bytes(name, upload.read(limit + 1))


def check_bytes(name: str, data: bytes) -> Checked:
    """The same checks on bytes already read (a portal upload after its metadata was
    stripped by :func:`tousu.evidence.sanitize.clean`)."""
    name = clean_name(name)
    limit = max_bytes()
    if len(data) > limit:
        raise file_too_large(name, limit)
    if not data:
        raise file_empty(name)
    kind = detect(data[:16])
    if kind is None:
        raise file_type_not_allowed(name)
    return Checked(name, data, hashlib.sha256(data).hexdigest(), kind)


def refusals(uploads: Iterable[UploadedFile]) -> list[TousuError]:
    """Every reason to refuse these uploads, so that a form can show them all at once."""
    found = []
    for upload in uploads:
        try:
            check(upload)
        except TousuError as exc:
            found.append(exc)
    return found


# -- storing ---------------------------------------------------------------------------------

_written: ContextVar[list[str] | None] = ContextVar("tousu_evidence_written", default=None)


@contextmanager
def discard_on_error() -> Iterator[None]:
    """Blobs written inside are removed again if the block fails (its transaction rolls
    back, so nothing will reference them). Put it *outside* the transaction::

        with discard_on_error(), transaction.atomic():
            ...
    """
    outer = _written.get()
    mine: list[str] = []
    token = _written.set(mine)
    try:
        yield
    except BaseException:
        for name in mine:
            storage.discard(name)
        raise
    finally:
        _written.reset(token)
    if outer is not None:
        outer.extend(mine)


class _AlreadyAttached(Exception):
    def __init__(self, attachment: Attachment) -> None:
        super().__init__(attachment.sha256)
        self.attachment = attachment


@dataclass(frozen=True)
class Stored:
    attachment: Attachment
    # False: the case already had this file (same SHA-256); nothing new was stored.
    created: bool
    name: str


def store(
    case_id: int,
    *,
    actor: Actor,
    upload: UploadedFile,
    now: datetime | None = None,
    identifying: bool = False,
) -> Stored:
    """Attach one file; the same file again returns the attachment already there.

    The file is kept byte-exact beside its rendition from the upload pipeline, which is
    what is served. ``identifying``: the file may show who brought the case (a scanned
    original of their letter): only viewers who may see the identity open it.
    """
    return _store(
        case_id, actor, clean_name(upload.name), lambda: check(upload), now,
        identifying=identifying,
    )  # fmt: skip


def store_from_reporter(
    case_id: int, *, actor: Actor, name: str, data: bytes, now: datetime | None = None
) -> Stored:
    """The reporter's file from the portal (``reporter_evidence``, by the reporter actor
    bound to the case): ``data`` is the rendition :func:`tousu.evidence.sanitize.clean` made
    of it, and only that is kept. Source ``portal``, no uploading user."""
    name = clean_name(name)
    return _store(
        case_id, actor, name, lambda: check_bytes(name, data), now, action="reporter_evidence"
    )


def pipeline() -> ModuleType:
    """The upload pipeline (:mod:`tousu.evidence.sanitize`: Pillow and pypdf, some 25 MiB),
    imported on the first file it handles rather than with every page and API route."""
    from tousu.evidence import sanitize

    return sanitize


def _seal(case: Case, key: bytes, checked: Checked) -> str:
    """Seal and write one file; its blob's name (removed again if the caller fails)."""
    sealed = storage.seal_bytes(key, checked.data, case_id=case.pk, sha256=checked.sha256)
    blob = storage.write(sealed)
    written = _written.get()
    assert written is not None
    written.append(blob)
    return blob


def _store(
    case_id: int,
    actor: Actor,
    name: str,
    read: Callable[[], Checked],
    now: datetime | None,
    *,
    action: str = "attach",
    identifying: bool = False,
) -> Stored:
    portal = action == "reporter_evidence"
    # What the person submitted themself always may identify them.
    identifying = identifying or portal
    try:
        with discard_on_error(), transaction.atomic():
            with step(action, case_id, actor, now) as s:
                checked = read()
                there = Attachment.objects.filter(case_id=s.case.pk, sha256=checked.sha256).first()
                if there is not None:
                    raise _AlreadyAttached(there)  # rolls the step back: no event
                # The portal's file already is its rendition (see store_from_reporter).
                rendition = None if portal else pipeline().render(checked.name, checked.data)
                key = case_key(s.case)
                if key is None:
                    raise opening.file_destroyed()
                blob = _seal(s.case, key, checked)
                s.data.update(
                    sha256=checked.sha256,
                    size=len(checked.data),
                    content_type=checked.type.content_type,
                )
                rendition_blob = ""
                if rendition is not None:
                    rendition_blob = (
                        blob
                        if rendition.sha256 == checked.sha256
                        else _seal(s.case, key, rendition)
                    )
                    s.data.update(
                        rendition_sha256=rendition.sha256, rendition_size=len(rendition.data)
                    )
            # Still inside the transaction, the case row still locked: this is its event.
            event = Event.objects.get(case_id=s.case.pk, seq=s.case.last_seq)
            attachment = Attachment.objects.create(
                case=s.case,
                sha256=checked.sha256,
                size=len(checked.data),
                content_type=checked.type.content_type,
                filename=checked.name,
                blob=blob,
                rendition_sha256=rendition.sha256 if rendition else "",
                rendition_size=len(rendition.data) if rendition else None,
                rendition_blob=rendition_blob,
                source=Attachment.Source.PORTAL if portal else Attachment.Source.STAFF,
                uploaded_by_id=None if portal else actor.user_id,
                uploaded_at=s.now,
                identifying=identifying,
                event=event,
            )
    except _AlreadyAttached as already:
        return Stored(already.attachment, created=False, name=name)
    return Stored(attachment, created=True, name=name)


def attach(
    case_id: int, *, actor: Actor, upload: UploadedFile, now: datetime | None = None
) -> Attachment:
    """上传附件: the ``attach`` action (see :func:`store`)."""
    return store(case_id, actor=actor, upload=upload, now=now).attachment


def outcome(stored: list[Stored]) -> tuple[str, str]:
    """What to tell the uploader, in the active language: (files stored, files the case
    already had); an empty string where there are none."""
    new = [s.name for s in stored if s.created]
    old = [s.name for s in stored if not s.created]
    names = gettext("、").join
    done = gettext("已上传附件：{names}").format(names=names(new)) if new else ""
    same = gettext("本案已有相同文件，未重复保存：{names}").format(names=names(old)) if old else ""
    return done, same


# -- opening ---------------------------------------------------------------------------------


def served(attachment: Attachment) -> tuple[str, int]:
    """The SHA-256 and size of what :func:`open_file` serves (for a file stored before
    renditions existed, the original's: its rendition is made when it is served)."""
    if attachment.rendition_blob:
        return attachment.rendition_sha256, attachment.rendition_size or 0
    return attachment.sha256, attachment.size


def open_file(
    case: Case, sha256: str, *, actor: Actor, surface: str, now: datetime | None = None
) -> tuple[Attachment, bytes]:
    """The attachment and its rendition (never the original as uploaded), for a viewer the
    caller has authorised to see the case (fetched through
    :func:`tousu.cases.access.get_case`). The download is logged."""
    attachment = opening.find(case, sha256, actor)
    if attachment.rendition_blob:
        data = opening.read(case, attachment.rendition_blob, attachment.rendition_sha256)
    else:
        data = opening.read(case, attachment.blob, attachment.sha256)
        if attachment.original_kept:
            # Stored before renditions existed: the pipeline runs each time it is served.
            try:
                data = pipeline().render(attachment.filename or "attachment", data).data
            except TousuError:
                raise opening.file_unsafe() from None
    at = now or timezone.now()
    with transaction.atomic():
        if getattr(attachment, "opened_as", "") == "custodian":
            _event(case, release.SEALED_OPENED, actor, at, attachment, surface)
        Download.objects.create(
            attachment=attachment, user_id=actor.user_id, at=at, surface=surface
        )
    return attachment, data


def _event(
    case: Case, kind: str, actor: Actor, at: datetime, attachment: Attachment, surface: str
) -> None:
    """An opening the case's record keeps (written here, not by a case action)."""
    locked = Case.objects.select_for_update().get(pk=case.pk)
    events.append(
        locked, kind, actor_id=actor.user_id, at=at,
        from_status=locked.status, to_status=locked.status,
        data={"sha256": attachment.sha256, "surface": surface},
    )  # fmt: skip
    locked.save(update_fields=["last_seq", "last_hash"])


def open_original(
    case: Case, sha256: str, *, actor: Actor, surface: str, now: datetime | None = None
) -> tuple[Attachment, bytes]:
    """The file byte-exact as staff uploaded it, for :data:`ORIGINAL_ROLES` among those who
    may open the file. Logged as a download and as a ``file_original_opened`` event."""
    if not actor.roles & ORIGINAL_ROLES:
        raise opening.original_forbidden()
    attachment = opening.find(case, sha256, actor, original=True)
    data = opening.read(case, attachment.blob, attachment.sha256)
    at = now or timezone.now()
    with transaction.atomic():
        if getattr(attachment, "opened_as", "") == "custodian":
            _event(case, release.SEALED_OPENED, actor, at, attachment, surface)
        _event(case, ORIGINAL_OPENED, actor, at, attachment, surface)
        Download.objects.create(
            attachment=attachment, user_id=actor.user_id, at=at, surface=surface, original=True
        )
    return attachment, data


def download_name(attachment: Attachment, *, show_name: bool) -> str:
    """The original filename for viewers who may see who brought the case; otherwise
    ``<sha256>.<ext>``."""
    kind = BY_CONTENT_TYPE.get(attachment.content_type)
    ext = kind.extension if kind else "bin"
    name = attachment.filename if show_name else ""
    return name or f"{attachment.sha256}.{ext}"


def _disposition(name: str, fallback: str) -> str:
    """RFC 6266 / RFC 5987: an ASCII ``filename`` for old clients, the UTF-8 ``filename*``."""
    ascii_name = re.sub(r"[^A-Za-z0-9._ -]", "_", name.encode("ascii", "replace").decode())
    if not re.search(r"[A-Za-z0-9]", ascii_name.rsplit(".", 1)[0]):
        ascii_name = fallback
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name, safe='')}"


def file_response(
    attachment: Attachment, data: bytes, *, show_name: bool, original: bool = False
) -> HttpResponse:
    """The file as a download that a browser never renders in the desk's origin; the
    original as uploaded goes out as opaque bytes."""
    kind = BY_CONTENT_TYPE.get(attachment.content_type)
    ext = kind.extension if kind else "bin"
    content_type = "application/octet-stream" if original else attachment.content_type
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = _disposition(
        download_name(attachment, show_name=show_name), f"{attachment.sha256}.{ext}"
    )
    response["Content-Length"] = str(len(data))
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox"
    response["Cache-Control"] = "private, no-store"
    return response
