"""Opening a stored attachment: finding it for a viewer, reading its sealed bytes back, and
the reasons a stored file cannot be opened (stable codes, Chinese and English).

:func:`tousu.evidence.services.open_file` and :func:`~tousu.evidence.services.open_original`
(which log each download) are built on :func:`find` and :func:`read`.
"""

from __future__ import annotations

import hashlib
import logging
import re

from django.utils.translation import gettext_lazy

from tousu.cases.access import Actor
from tousu.cases.errors import TousuError, not_found
from tousu.cases.models import Case
from tousu.evidence import release, storage
from tousu.evidence.models import Attachment
from tousu.privacy.crypto import CryptoError
from tousu.privacy.fields import case_key

log = logging.getLogger(__name__)

SHA256_HEX = re.compile(r"^[0-9a-f]{64}$")


# -- why a stored file cannot be opened ------------------------------------------------------


def file_destroyed() -> TousuError:
    return TousuError(
        "file_destroyed",
        gettext_lazy("本案个人信息已按保存期限销毁，附件已无法打开"),
        status=410,
    )


def file_restricted() -> TousuError:
    return TousuError(
        "file_restricted",
        gettext_lazy(
            "该附件可能显示投诉举报人身份（如来信原件、签名），仅限可查看其身份的人员和身份保管人打开；如办案确需查看，请申请查看身份，或请保管人向承办人员放行"
        ),
        status=403,
    )


def original_forbidden() -> TousuError:
    return TousuError(
        "file_original_forbidden",
        gettext_lazy("原始文件仅限督办员、分管领导和审计员下载；请使用经过安全处理的版本"),
        status=403,
    )


def original_not_kept() -> TousuError:
    return TousuError(
        "file_original_not_kept",
        gettext_lazy("网上提交的文件只保存经过安全处理的版本（已去除元数据），没有原始文件"),
        status=404,
    )


def file_unavailable() -> TousuError:
    return TousuError(
        "file_unavailable",
        gettext_lazy("附件文件缺失或已损坏，请联系管理员运行 tousu audit verify"),
        status=500,
    )


def file_unsafe() -> TousuError:
    return TousuError(
        "file_unsafe",
        gettext_lazy(
            "该附件无法生成安全的版本，不能直接打开；督办员、分管领导或审计员可下载原始文件"
        ),
        status=409,
    )


# -- finding and reading ---------------------------------------------------------------------


def find(case: Case, sha256: str, actor: Actor, *, original: bool = False) -> Attachment:
    """The attachment, for a viewer who reaches the case and may open it; its
    ``opened_as`` says why (see :func:`tousu.evidence.release.opening_right`)."""
    if not SHA256_HEX.match(sha256):
        raise not_found()
    attachment = Attachment.objects.filter(case=case, sha256=sha256).first()
    if attachment is None:
        raise not_found()
    if original and not attachment.original_kept:
        raise original_not_kept()
    right = release.opening_right(actor, case, attachment)
    if right == "none":
        raise file_restricted()
    attachment.opened_as = right  # type: ignore[attr-defined]
    attachment.case = case  # the filename opens with the case's key
    if not case.sealed_key:
        raise file_destroyed()
    return attachment


def read(case: Case, blob_name: str, sha256: str) -> bytes:
    """One sealed file of the case, opened and checked against its SHA-256."""
    try:
        key = case_key(case)
        assert key is not None
        blob = storage.read(blob_name)
        if not storage.intact(blob_name, blob):
            raise CryptoError("blob changed on disk")
        data = storage.open_bytes(key, blob, case_id=case.pk, sha256=sha256)
    except (OSError, CryptoError) as exc:
        log.error("attachment %s of case %s cannot be opened: %s", sha256, case.pk, exc)
        raise file_unavailable() from None
    if hashlib.sha256(data).hexdigest() != sha256:
        log.error("attachment %s of case %s does not match its hash", sha256, case.pk)
        raise file_unavailable()
    return data
