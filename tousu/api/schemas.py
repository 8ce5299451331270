"""The shapes the API answers with that several of its routers share: a case, its deadlines,
and the error every route may answer (:data:`ERRORS`, with the registry of error codes)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ninja import Schema
from pydantic import Field

from tousu.errors import CODES, described


class DeadlineOut(Schema):
    stage: str
    due_at: datetime
    counts_from: str
    started_at: datetime
    # The rule in words, generated from the numbers the clock was made from.
    rule: str
    rule_en: str
    rule_with_date: str
    # The clause's own wording kept with the rule (may be empty).
    note: str = ""
    note_en: str = ""
    remaining_working_days: int | None
    paused_days: int
    target: bool
    org_default: bool
    provisional: bool
    hard: bool
    state: str
    overdue: bool
    extended: int
    # 0 for the first handling; n for the clocks of the n-th reopening (重新办理).
    round: int = 0
    # A clock of a handling before the case was reopened, not run again yet.
    earlier_round: bool = False


class CaseOut(Schema):
    number: str
    org: str
    kind: str
    channel: str
    category: str
    complexity: str
    status: str
    status_label: dict[str, str]
    received_at: datetime
    registered_at: datetime
    policy_version: int
    first_contact_owner: str
    proposed_department: str | None
    proposed_co_departments: list[str]
    proposed_referral: str | None
    involved_departments: int
    refusal_reasons_offered: list[str]
    lead_department: str | None
    pending_department: str | None
    assignments: list[dict[str, Any]]
    handler: str | None
    content: str
    demands: str
    fields: dict[str, Any]
    missing_fields: list[str]
    validity: str
    responsibility: str
    satisfaction: str
    reply_channel: str
    reopen_count: int
    parties: list[dict[str, Any]]
    subjects: list[dict[str, Any]]
    # One per stage (a limit and a target apart): the latest round's.
    deadlines: list[DeadlineOut]
    # Clocks of earlier rounds, before the case was reopened (their history).
    earlier_deadlines: list[DeadlineOut] = []
    links: list[dict[str, Any]]
    same_contact: list[str]
    decision: dict[str, Any] | None
    # What came of the case in its current round: findings, mediation, follow-ups, rating.
    outcomes: dict[str, Any] = {}
    timeline: list[dict[str, Any]]
    # Only in the answer to issue_receipt: the receipt's digits, shown this once.
    receipt: str | None = None
    # Only in the answer to an action: things the writer should know (e.g. their text
    # names the complainant, so restricted viewers will read it masked).
    warnings: list[dict[str, str]] = []


class ErrorOut(Schema):
    code: str = Field(
        description="Stable error code (status, meaning):\n\n" + described(),
        json_schema_extra={"enum": list(CODES)},
    )
    message: dict[str, str]
    details: Any = None


ERRORS: dict[int, type[Schema]] = {c: ErrorOut for c in (400, 401, 403, 404, 409, 422)}
