"""Attachments: scanned originals and evidence files of a case.

The file itself lives on disk, encrypted under the case's key (:mod:`tousu.evidence.storage`);
this row is its catalogue entry. ``sha256`` (of the plain file) is the content address: a case
holds a file once. The original filename may name people, so it is sealed under the case key
like the rest of the case's personal data. Rows are written once and never deleted.

What staff upload is kept twice, both sealed under the case key: the file byte-exact as
received (``blob``, ``sha256``, ``size``: the evidence) and its rendition from the upload
pipeline (:mod:`tousu.evidence.sanitize`: images re-encoded from their pixels, PDFs without
scripts, actions or embedded files) in ``rendition_blob``, ``rendition_sha256`` and
``rendition_size``: the only thing served by default. What the portal took is kept only as
its rendition (the reporter's original, with its metadata, never is), so there ``blob`` is
the rendition and the ``rendition_*`` fields are empty; so are they on staff files stored
before renditions existed, which are rendered again whenever they are served.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy

from tousu.cases.models import Case, Event
from tousu.privacy.fields import SealedTextField


class Attachment(models.Model):
    class Source(models.TextChoices):
        STAFF = "staff", gettext_lazy("工作人员上传")
        PORTAL = "portal", gettext_lazy("当事人网上提交")

    # Covered by attachment_unique_per_case (case, sha256).
    case = models.ForeignKey(
        Case, on_delete=models.PROTECT, related_name="attachments", db_index=False
    )
    # SHA-256 (hex) of the plain file: its content address.
    sha256 = models.CharField(max_length=64)
    size = models.PositiveBigIntegerField()
    # Detected from the file's first bytes, never taken from the client.
    content_type = models.CharField(max_length=100)
    filename = SealedTextField(context="attachment.filename")
    # The encrypted file's name on disk: SHA-256 (hex) of the ciphertext.
    blob = models.CharField(max_length=64, unique=True)
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.STAFF)
    # Empty for files the complainant or reporter submitted through the portal.
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        db_index=False,
    )  # fmt: skip
    uploaded_at = models.DateTimeField()
    # May identify the person who brought the case (a scanned letter with its signature, a
    # file they submitted): opened only by viewers who may see that identity.
    identifying = models.BooleanField(default=False)
    # The rendition served by default (see the module docstring); empty when ``blob`` is it.
    rendition_sha256 = models.CharField(max_length=64, blank=True, default="")
    rendition_size = models.PositiveBigIntegerField(null=True, blank=True)
    rendition_blob = models.CharField(max_length=64, blank=True, default="")
    # The case event that recorded it (its data: sha256, size, content_type, and the
    # rendition's sha256 and size when there is one).
    event = models.ForeignKey(Event, on_delete=models.PROTECT, related_name="+", db_index=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["case", "sha256"], name="attachment_unique_per_case")
        ]

    def __str__(self) -> str:
        return f"{self.sha256[:12]} ({self.content_type})"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise RuntimeError("attachments are written once")
        super().save(*args, **kwargs)

    @property
    def original_kept(self) -> bool:
        """Whether ``blob`` holds a file byte-exact as staff uploaded it (not a rendition)."""
        return self.source == self.Source.STAFF


class Download(models.Model):
    """Every download of an attachment: who, when, from which surface (append-only)."""

    attachment = models.ForeignKey(Attachment, on_delete=models.PROTECT, related_name="downloads")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()
    surface = models.CharField(max_length=20)
    # True: the original as uploaded, not the rendition served by default.
    original = models.BooleanField(default=False)

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise RuntimeError("download records are append-only")
        super().save(*args, **kwargs)


class FileRelease(models.Model):
    """A custodian's decision on a file that may identify the person who brought the case:
    released to the case's handlers, or kept sealed (append-only; the latest one holds).
    The reason is the case record ``record``; the decision is the case event ``event``."""

    class Decision(models.TextChoices):
        RELEASED = "released", gettext_lazy("已向承办人员放行")
        KEPT_SEALED = "kept_sealed", gettext_lazy("继续封存")

    attachment = models.ForeignKey(Attachment, on_delete=models.PROTECT, related_name="releases")
    decision = models.CharField(max_length=12, choices=Decision.choices)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    decided_at = models.DateTimeField()
    record = models.ForeignKey(
        "cases.CaseRecord", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    event = models.ForeignKey(Event, on_delete=models.PROTECT, related_name="+", db_index=False)

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise RuntimeError("release decisions are append-only")
        super().save(*args, **kwargs)
