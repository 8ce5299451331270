"""The API's file routes (tousu.evidence): attach, download, download the original.

A file is not a JSON body, so attaching is not one of the generated actions.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.utils.translation import override
from ninja import File, Form, Router, Schema, Status, UploadedFile

from tousu.api.auth import ActionAuth, Authorised, authorised
from tousu.api.parsing import FormBool
from tousu.api.schemas import ERRORS, ErrorOut
from tousu.cases.access import (
    get_case,
    identity_visible,
)
from tousu.evidence import services as evidence
from tousu.i18n import ENGLISH, SOURCE

router = Router()


class AttachAuth(ActionAuth):
    """The right to attach is checked before the body is read; a body larger than one file
    and a form's fields is refused unread."""

    def __init__(self) -> None:
        super().__init__("attach")

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        result = super().authenticate(request, token)
        if isinstance(result, Authorised):
            try:
                length = int(request.META.get("CONTENT_LENGTH") or 0)
            except ValueError:
                length = 0
            if length > evidence.max_bytes() + settings.DATA_UPLOAD_MAX_MEMORY_SIZE:
                raise evidence.request_too_large(evidence.max_bytes())
        return result


class FileOut(Schema):
    sha256: str
    size: int
    content_type: str
    uploaded_at: datetime
    # The file may show who brought the case: it opens only with the identity.
    identifying: bool
    # True: the case already had this very file; nothing new was stored (200, not 201).
    already_attached: bool
    # What a download serves: the rendition the upload pipeline made (images re-encoded
    # from their pixels, PDFs without scripts or actions); ``sha256`` is the original's.
    served_sha256: str
    served_size: int
    message: dict[str, str]


@router.post(
    "/orgs/{org}/cases/{number}/files",
    response={200: FileOut, 201: FileOut, 410: ErrorOut, 413: ErrorOut, 415: ErrorOut, **ERRORS},
    auth=AttachAuth(),
    operation_id="attach",
    summary="上传附件 Attach a file (multipart/form-data, field `file`; PDF, JPEG or PNG)",
    tags=["files"],
)
def attach_file(
    request: HttpRequest,
    org: str,
    number: str,
    file: File[UploadedFile],
    identifying: Annotated[FormBool, Form(False)] = False,
) -> Status[dict[str, Any]]:
    """``identifying``: the file may show who brought the case (a scanned original letter);
    only those who may see the identity can download it."""
    auth = authorised(request)
    assert auth.case is not None
    with evidence.discard_on_error(), transaction.atomic():
        stored = evidence.store(
            auth.case.pk, actor=auth.actor, upload=file, identifying=identifying
        )
    said = []
    for language in (SOURCE, ENGLISH):
        with override(language):
            done, same = evidence.outcome([stored])
            said.append(done or same)
    zh, en = said
    a = stored.attachment
    body = {
        "sha256": a.sha256,
        "size": a.size,
        "content_type": a.content_type,
        "uploaded_at": a.uploaded_at,
        "identifying": a.identifying,
        "already_attached": not stored.created,
        "served_sha256": evidence.served(a)[0],
        "served_size": evidence.served(a)[1],
        "message": {"zh": zh, "en": en},
    }
    return Status(201 if stored.created else 200, body)


@router.get(
    "/orgs/{org}/cases/{number}/files/{sha256}",
    response={410: ErrorOut, 500: ErrorOut, **ERRORS},
    operation_id="download_file",
    summary="下载附件 Download an attachment (its name only to those who may see the identity)",
    tags=["files"],
    openapi_extra={
        "responses": {
            200: {
                "description": "the file",
                "content": {
                    media: {"schema": {"type": "string", "format": "binary"}}
                    for media in sorted({f.content_type for f in evidence.ALLOWED})
                },
            }
        }
    },
)
def download_file(request: HttpRequest, org: str, number: str, sha256: str) -> HttpResponse:
    actor = authorised(request).actor
    case = get_case(actor, number)
    attachment, data = evidence.open_file(case, sha256, actor=actor, surface="api")
    return evidence.file_response(attachment, data, show_name=identity_visible(actor, case))


@router.get(
    "/orgs/{org}/cases/{number}/files/{sha256}/original",
    response={410: ErrorOut, 500: ErrorOut, **ERRORS},
    operation_id="download_original_file",
    summary="下载原始文件 Download a staff upload byte-exact as received (supervisor, leader, "
    "auditor; logged on the case)",
    tags=["files"],
    openapi_extra={
        "responses": {
            200: {
                "description": "the original file, as opaque bytes",
                "content": {
                    "application/octet-stream": {"schema": {"type": "string", "format": "binary"}}
                },
            }
        }
    },
)
def download_original_file(
    request: HttpRequest, org: str, number: str, sha256: str
) -> HttpResponse:
    actor = authorised(request).actor
    case = get_case(actor, number)
    attachment, data = evidence.open_original(case, sha256, actor=actor, surface="api")
    return evidence.file_response(
        attachment, data, show_name=identity_visible(actor, case), original=True
    )
