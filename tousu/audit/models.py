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
