"""Organisation checkpoints: a hash chain over the heads of every case's event chain.

Each case's events are chained (see ``tousu.cases.models.Event``), but the case row
that holds the chain's head can itself be edited: delete a case's last events, point
the case back at the event before them, and the shorter chain verifies. A checkpoint
records every case head of one organisation at one moment, and checkpoints are
chained per organisation, so ``tousu audit verify`` can tell that a case once had
events it no longer has, or had them with other content.
"""

from __future__ import annotations

from typing import Any

from django.db import models

from tousu.orgs.models import Organisation


class Checkpoint(models.Model):
    """One link of an organisation's checkpoint chain. Append-only.

    ``heads`` is ``[[case_id, last_seq, last_hash], ...]`` sorted by case id;
    ``heads_digest`` is the SHA-256 of its canonical JSON and ``hash`` is
    SHA-256(``prev_hash`` + canonical JSON of the other fields), see
    :mod:`tousu.audit.checkpoints`.
    """

    org = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="checkpoints", db_index=False
    )  # covered by checkpoint_seq_unique (org, seq)
    seq = models.PositiveIntegerField()
    at = models.DateTimeField()
    heads_digest = models.CharField(max_length=64)
    heads = models.JSONField(default=list)
    case_count = models.PositiveIntegerField()
    event_count = models.PositiveBigIntegerField()
    prev_hash = models.CharField(max_length=64, blank=True)
    hash = models.CharField(max_length=64)
    # Keyed checkpoints (every one taken since row seals exist): the head of every seal
    # chain of the organisation and of the installation, ``[[scope, seq, mac], ...]``
    # sorted by scope, and HMAC-SHA-256 under the audit key over the checkpoint, its
    # hash and the previous keyed checkpoint's mac. Empty in the checkpoints taken before.
    scopes = models.JSONField(default=list)
    scopes_digest = models.CharField(max_length=64, blank=True)
    mac = models.CharField(max_length=64, blank=True)

    class Meta:
        verbose_name = "检查点 checkpoint"
        verbose_name_plural = "检查点 checkpoints"
        constraints = [models.UniqueConstraint(fields=["org", "seq"], name="checkpoint_seq_unique")]

    def __str__(self) -> str:
        return f"checkpoint {self.seq} of org {self.org_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise RuntimeError("checkpoints are append-only")
        super().save(*args, **kwargs)

    @property
    def keyed(self) -> bool:
        return bool(self.mac)


class Seal(models.Model):
    """One state of one covered row, chained per scope and keyed. Append-only.

    See :mod:`tousu.audit.seals`. ``org`` is the organisation the scope belongs to
    (null for the installation's scope), kept as a plain id so that verifying one
    organisation reads only its seals.
    """

    scope = models.CharField(max_length=40)
    seq = models.PositiveIntegerField()
    org_id = models.BigIntegerField(null=True, blank=True)
    table = models.CharField(max_length=60)
    row = models.BigIntegerField()
    digest = models.CharField(max_length=64)
    prev = models.CharField(max_length=64, blank=True)
    mac = models.CharField(max_length=64)
    at = models.DateTimeField()

    class Meta:
        verbose_name = "封印 row seal"
        verbose_name_plural = "封印 row seals"
        constraints = [models.UniqueConstraint(fields=["scope", "seq"], name="seal_seq_unique")]
        indexes = [
            models.Index(fields=["table", "row"], name="seal_table_row"),
            models.Index(fields=["org_id", "scope", "seq"], name="seal_org_scope"),
        ]

    def __str__(self) -> str:
        return f"seal {self.scope}#{self.seq} of {self.table} {self.row}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise RuntimeError("seals are append-only")
        super().save(*args, **kwargs)
