"""The case page's list of attachments."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse
from django.utils.translation import gettext

from tousu.cases.access import identity_visible, permitted
from tousu.cases.lifecycle import TABLE
from tousu.cases.models import Case
from tousu.evidence import release, services
from tousu.evidence.models import Attachment, FileRelease
from tousu.i18n import english
from tousu.orgs.people import display_name
from tousu.policy.models import policy_for
from tousu.web.pages import Desk

register = template.Library()


@register.simple_tag
def case_files(case: Case, desk: Desk) -> dict[str, Any]:
    """The case's attachments as this viewer may see them, and whether they may add one;
    for a custodian, the release of files that may identify the person."""
    actor = desk.actor
    kwargs = {"org": desk.org.slug, "number": case.number}
    rows = list(
        Attachment.objects.filter(case=case)
        .select_related("uploaded_by")
        .order_by("uploaded_at", "pk")
    )
    names = bool(rows) and identity_visible(actor, case)
    originals = bool(actor.roles & services.ORIGINAL_ROLES)
    policy = policy_for(case.policy_version_id)[1]
    to_release = TABLE[release.ACTION]
    decides = (
        any(a.identifying for a in rows)
        and case.status in to_release.sources
        and permitted(actor, case, to_release, policy)
    )
    shown = []
    for a in rows:
        a.case = case  # the filename opens with the case's key
        kind = services.BY_CONTENT_TYPE.get(a.content_type)
        right = release.opening_right(actor, case, a)
        decision = release.latest(a) if a.identifying else None
        shown.append(
            {
                "name": a.filename if names else "",
                "type": kind.label if kind else a.content_type,
                "size": services.human_size(a.size),
                "sha256": a.sha256,
                "short": a.sha256[:12],
                "who": display_name(a.uploaded_by) if a.uploaded_by else gettext("当事人网上提交"),
                "at": a.uploaded_at,
                "url": reverse("desk:evidence:download", kwargs={**kwargs, "sha256": a.sha256}),
                # The file byte-exact as uploaded, beside the safe rendition served above.
                "original_url": reverse(
                    "desk:evidence:original", kwargs={**kwargs, "sha256": a.sha256}
                )
                if originals and a.original_kept and right != "none"
                else "",
                # Files that may show who brought the case open only with the identity, to
                # the custodian, or to the handlers once released.
                "restricted": right == "none",
                "identifying": a.identifying,
                "released": decision is not None
                and decision.decision == FileRelease.Decision.RELEASED,
                "kept_sealed": decision is not None
                and decision.decision == FileRelease.Decision.KEPT_SEALED,
                "decided_at": decision.decided_at if decision else None,
                "release_url": reverse(
                    "desk:evidence:release", kwargs={**kwargs, "sha256": a.sha256}
                )
                if decides and a.identifying
                else "",
            }
        )
    transition = TABLE["attach"]
    can_upload = case.status in transition.sources and permitted(actor, case, transition, policy)
    return {
        "rows": shown,
        "names_hidden": bool(rows) and not names,
        "restricted": any(row["restricted"] for row in shown),
        "decides": decides,
        # Scanned originals of a report usually show the reporter: marked by default.
        "identifying_default": case.kind == "report",
        "destroyed": not case.sealed_key,
        "can_upload": can_upload,
        "upload_url": reverse("desk:evidence:upload", kwargs=kwargs),
        "accept": services.ACCEPT,
        "types": (", " if english() else "、").join(f.label for f in services.ALLOWED),
        "limit": services.human_size(services.max_bytes()),
    }
