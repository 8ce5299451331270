"""A broken record is refused, clearly, wherever a case is shown.

Every view of one case (the desk case page, the API's case, its documents) first checks
the case's record (:func:`tousu.audit.verify.case_breaks`). A broken record, or sealed
data that no longer opens under the case key, answers 409 "记录完整性受损 / Record
integrity broken" instead of showing altered content or failing with a server error,
and the detection is logged and recorded as an organisation audit event.
"""

from __future__ import annotations

import logging
from typing import Any

from django.utils.translation import gettext_lazy

from tousu.audit.verify import case_breaks
from tousu.cases.errors import TousuError
from tousu.cases.models import Case
from tousu.orgs.models import AuditEvent

log = logging.getLogger("tousu.audit")


def integrity_broken(case_number: str | None = None) -> TousuError:
    return TousuError(
        "record_integrity_broken",
        gettext_lazy(
            "记录完整性受损：该案件的记录在系统之外被改动，已记录此次发现，请联系管理员运行完整性核查（tousu audit verify）"
        ),
        status=409,
        details={"case": case_number} if case_number else None,
    )


def detected(case: Case | None, surface: str, problems: list[dict[str, Any]]) -> None:
    """Log a detection and record it as an audit event of the case's organisation."""
    log.error(
        "record integrity broken: case %s (org %s) on %s: %s",
        None if case is None else case.number,
        None if case is None else case.org_id,
        surface,
        problems,
    )
    if case is None:
        return
    AuditEvent.objects.create(
        org_id=case.org_id,
        type="record.integrity_broken",
        object_type="case",
        object_id=str(case.pk),
        data={"surface": surface, "problems": problems[:20]},
    )


def ensure_intact(case: Case, surface: str) -> None:
    """Raise :func:`integrity_broken` (after recording the detection) if the case's record
    does not verify."""
    breaks = case_breaks(case)
    if not breaks:
        return
    named = {"problem", "event", "table", "row", "seal"}
    problems = [
        {k: v for k, v in b.as_dict().items() if k in named and v is not None} for b in breaks
    ]
    detected(case, surface, problems)
    raise integrity_broken(case.number)
