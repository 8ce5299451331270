"""Versioned policy documents per organisation."""

from __future__ import annotations

import json

from django.conf import settings
from django.db import models

from tousu.policy.loader import from_json
from tousu.policy.schema import Policy


class PolicyVersion(models.Model):
    """One immutable version of an organisation's policy.

    A case keeps the version it was registered under, so a later edit never moves
    its deadlines.
    """

    org = models.ForeignKey("orgs.Organisation", on_delete=models.PROTECT, related_name="policies")
    number = models.PositiveIntegerField()
    preset = models.CharField(max_length=60, blank=True)
    source = models.TextField(help_text="TOML as written")
    document = models.TextField(help_text="validated document, JSON")
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["org", "number"], name="policy_version_unique")
        ]

    def __str__(self) -> str:
        return f"{self.org_id} v{self.number}"

    @property
    def policy(self) -> Policy:
        return from_json(self.document)

    @staticmethod
    def dump(policy: Policy) -> str:
        return json.dumps(policy.model_dump(mode="json"), ensure_ascii=False, sort_keys=True)


_LOADED: dict[int, tuple[int, Policy]] = {}


def policy_for(version_id: int) -> tuple[int, Policy]:
    """(version number, parsed policy) of a version, parsed once per process.

    Versions are immutable, so caching by primary key is always right; this keeps
    the large document column off every request.
    """
    loaded = _LOADED.get(version_id)
    if loaded is None:
        number, document = PolicyVersion.objects.values_list("number", "document").get(
            pk=version_id
        )
        loaded = _LOADED[version_id] = (number, from_json(document))
    return loaded
