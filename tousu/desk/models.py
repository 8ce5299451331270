"""What the desk keeps for its users: the organisation's reply snippets and saved filters."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class ReplySnippet(models.Model):
    """A canned text the office keeps for replies and messages, beside the policy's templates.

    ``body`` may hold the same ``{placeholders}`` as the policy's reply templates; they are
    filled in for the case when the form is offered. Shared with one department, or with the
    whole organisation when ``department`` is empty. Retired, never deleted.
    """

    org = models.ForeignKey("orgs.Organisation", on_delete=models.PROTECT, related_name="+")
    department = models.ForeignKey(
        "orgs.Department", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    title = models.CharField(max_length=100)
    body = models.TextField()
    active = models.BooleanField(default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["org", "active"], name="snippet_org_active")]

    def __str__(self) -> str:
        return self.title


class SavedFilter(models.Model):
    """A named set of filters on the ledger or a queue, kept for one user or a department.

    ``view`` names the page (``ledger`` or ``queue:<code>``); ``query`` is the page's query
    string as the user left it. ``department`` set: shared with everyone of that department.
    """

    org = models.ForeignKey("orgs.Organisation", on_delete=models.PROTECT, related_name="+")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    department = models.ForeignKey(
        "orgs.Department", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    view = models.CharField(max_length=60)
    name = models.CharField(max_length=100)
    query = models.CharField(max_length=2000, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["org", "owner", "view"], name="savedfilter_owner_view")]

    def __str__(self) -> str:
        return self.name
