"""The case read-model: how a case looks to a viewer, the one place that decides what a viewer
is shown (the API, the desk's case page, the printed documents and the portal use it)."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Q

from tousu.audit.integrity import ensure_intact
from tousu.cases.access import Actor, identity_visibility, identity_visible, visible_cases
from tousu.cases.deadlines import is_overdue, remaining_working_days
from tousu.cases.intake import refusal_reasons_for
from tousu.cases.models import Case, CaseLink, Deadline, Event, Party, Status
from tousu.cases.redaction import identity_masker
from tousu.clock.calendar import WorkCalendar
from tousu.clock.overrides import calendar_for
from tousu.i18n import both
from tousu.orgs.people import display_name, first_contact_name
from tousu.policy.models import policy_for
from tousu.policy.schema import Policy
from tousu.policy.words import in_languages, rule_in_words, stored_rule
from tousu.privacy.models import IdentityAccess

STATUS_LABELS = {s.value: s.label for s in Status}


def deadline_json(
    d: Deadline,
    now: datetime,
    tz: ZoneInfo,
    cal: WorkCalendar,
    round_: int = 0,
    current_round: int = 0,
) -> dict[str, Any]:
    # The words come from the rule the clock was made from (its case's policy version), not
    # from today's policy: a case keeps its version's words and dates.
    rule = stored_rule(d.stage, d.start, d.hard, d.rule)
    words = in_languages(rule)
    due_day = d.due_at.astimezone(tz)
    if d.rule.get("unit") not in ("hours", "customer_date") and due_day.time() == time(0):
        due_day -= timedelta(days=1)  # 24:00 of the last day
    return {
        "stage": d.stage,
        "due_at": d.due_at.astimezone(tz),
        # The event the period counts from, and when; the clock may have become known later.
        "counts_from": d.rule.get("counts_from") or d.start,
        "started_at": d.started_at.astimezone(tz),
        "counted_from_earlier": d.rule.get("counts_from") not in (None, d.start),
        "rule": words["zh"],
        "rule_en": words["en"],
        "rule_with_date": f"{words['zh']}（{due_day:%Y-%m-%d} 截止）",
        "words": rule_in_words(rule),  # in the viewer's language
        "note": d.text_zh,
        "note_en": d.text_en,
        "remaining_working_days": remaining_working_days(d, now, cal, tz),
        "paused_days": d.paused_days,
        "target": not d.hard,
        "org_default": bool(d.rule.get("org_default")),
        "provisional": d.provisional,
        "hard": d.hard,
        "state": d.state,
        "overdue": is_overdue(d, now),
        "extended": d.extended,
        # 0 for the first handling; n for the clocks of the n-th reopening (重新办理).
        "round": round_,
        # A clock of a handling before the case was reopened (前次办理), not run again yet.
        "earlier_round": round_ < current_round,
    }


def split_rounds(
    deadlines: list[Deadline], reopened_at: list[datetime]
) -> tuple[list[tuple[Deadline, int]], list[tuple[Deadline, int]]]:
    """The deadline table's rows, one per stage (a limit and a target apart), each with its
    round: the latest round's clock of each stage is current. An earlier round's clock of a
    stage restarted since, or one its reopening cancelled, is history (the timeline tells
    it), answered apart."""

    def round_of(d: Deadline) -> int:
        known = d.known_at or d.started_at
        return sum(1 for at in reopened_at if at <= known)

    rounds = [(d, round_of(d)) for d in deadlines]
    latest: dict[tuple[str, bool], tuple[int, int]] = {}
    for d, r in rounds:
        key = (d.stage, d.hard)
        latest[key] = max(latest.get(key, (-1, -1)), (r, d.pk))
    current, earlier = [], []
    for d, r in rounds:
        stale = d.state == Deadline.State.CANCELLED and r < len(reopened_at)
        if latest[(d.stage, d.hard)] == (r, d.pk) and not stale:
            current.append((d, r))
        else:
            earlier.append((d, r))
    return current, earlier


def _label(value: str) -> dict[str, str]:
    zh, en = both(STATUS_LABELS.get(value, value))
    return {"zh": zh, "en": en}


def party_json(p: Party, visible: bool) -> dict[str, Any]:
    if not visible:
        return {"role": p.role, "anonymous": p.anonymous, "masked": True}
    return {
        "role": p.role,
        "anonymous": p.anonymous,
        "masked": False,
        "name": p.name,
        "phone": p.phone,
        "email": p.email,
        "address": p.address,
        "employer": p.employer,
        "id_number": p.id_number,
        "relation": p.relation,
        "consent_share_identity": p.consent_share_identity,
    }


def _common(case: Case, tz: ZoneInfo) -> dict[str, Any]:
    """The fields a case shows in lists and in full."""
    return {
        "number": case.number,
        "kind": case.kind,
        "channel": case.channel,
        "category": case.category,
        "complexity": case.complexity,
        "status": case.status,
        "status_label": _label(case.status),
        "received_at": case.received_at.astimezone(tz),
        "lead_department": case.lead_department.code if case.lead_department else None,
    }


def summary_json(case: Case, now: datetime, tz: ZoneInfo) -> dict[str, Any]:
    running = [d for d in case.deadlines.all() if d.state == Deadline.State.OPEN]
    return {
        **_common(case, tz),
        "next_due_at": min((d.due_at.astimezone(tz) for d in running), default=None),
        "overdue": any(is_overdue(d, now) for d in running),
    }


def shows_identity(data: dict[str, Any]) -> bool:
    """Whether a case as :func:`case_json` built it names who brought the case: the page
    or endpoint that shows it then logs the view (``IdentityAccess.log``)."""
    return any(not p["masked"] for p in data["parties"])


def show_case(case: Case, actor: Actor, now: datetime, *, surface: str = "api") -> dict[str, Any]:
    """The case for a surface that shows it now, with the identity view logged when it
    names the person (their job, so no reason is asked — but every view is logged)."""
    data = case_json(case, actor, now, surface=surface)
    if shows_identity(data):
        IdentityAccess.log(case.pk, actor.user_id, surface)
    return data


def case_json(case: Case, actor: Actor, now: datetime, *, surface: str = "api") -> dict[str, Any]:
    """A case as this viewer may see it. Reading writes nothing: a caller that shows the
    result uses :func:`show_case` (or logs the view itself)."""
    # A record changed behind the product's back is refused, not shown (409).
    ensure_intact(case, surface)
    visible = identity_visible(actor, case)
    parties = list(case.parties.filter(superseded_at__isnull=True).order_by("pk"))
    # Free text may name the sealed reporter: those who may not see the identity get it
    # with the reporter's own details (and any marked phrases) hidden.
    mask: Callable[[str], str] = (lambda text: text) if visible else identity_masker(case)
    version, policy = policy_for(case.policy_version_id)
    calendar = calendar_for(case.org_id)
    tz = ZoneInfo(case.org.time_zone)
    deadlines = list(case.deadlines.order_by("due_at", "pk"))
    events = list(
        Event.objects.filter(case=case)
        .select_related("actor", "actor__staff_profile", "record")
        .order_by("seq")
    )
    for e in events:
        if e.record is not None:
            e.record.case = case  # the case's key opens the record (not read again per record)
    reopened_at = [e.at for e in events if "earlier_outcome" in (e.data or {})]
    current_deadlines, earlier_deadlines = split_rounds(deadlines, reopened_at)
    rounds = len(reopened_at)
    # A link could connect a sealed report to a case whose identity this viewer sees:
    # shown only when the viewer may see the identity on both sides.
    links = [
        {"type": link.type, "number": link.to_case.number}
        for link in CaseLink.objects.filter(from_case=case).select_related(
            "to_case", "to_case__org"
        )
        if link.to_case.org_id == case.org_id and _may_link(actor, case, link.to_case, visible)
    ] + [
        {"type": f"{link.type}:incoming", "number": link.from_case.number}
        for link in CaseLink.objects.filter(to_case=case).select_related(
            "from_case", "from_case__org"
        )
        if _may_link(actor, case, link.from_case, visible)
    ]
    assignments = [
        {"department": a.department.code, "role": a.role}
        for a in case.assignments.filter(active=True).select_related("department")
    ]
    # A writer reads their own words as written: masking them would confirm to one who
    # may not see the identity that a name they guessed is the sender's.
    timeline = [
        event_json(e, tz, (lambda text: text) if e.actor_id == actor.user_id else mask)
        for e in events
    ]
    return {
        **_common(case, tz),
        "org": case.org.slug,
        "registered_at": case.registered_at.astimezone(tz),
        "policy_version": version,
        "first_contact_owner": case.first_contact_owner.get_username(),
        "first_contact_owner_name": first_contact_name(case.first_contact_owner, title=True),
        "proposed_department": case.proposed_department.code if case.proposed_department else None,
        "proposed_co_departments": case.proposed_co_departments,
        "proposed_referral": case.proposed_referral or None,
        "involved_departments": case.involved_departments,
        "refusal_reasons_offered": refusal_reasons_for(
            policy, case.kind, case.channel, case.missing_fields
        ),
        "pending_department": case.pending_department.code if case.pending_department else None,
        "assignments": assignments,
        "handler": case.handler.get_username() if case.handler else None,
        "handler_name": display_name(case.handler, title=True) if case.handler else None,
        "content": mask(case.content),
        "demands": mask(case.demands),
        "fields": case.fields,
        "missing_fields": case.missing_fields,
        "validity": case.validity,
        "responsibility": case.responsibility,
        "satisfaction": case.satisfaction,
        "reply_channel": case.reply_channel,
        "reopen_count": case.reopen_count,
        "parties": [party_json(p, visible) for p in parties],
        "subjects": [
            {
                "type": s.type,
                "name": s.name,
                "address": s.address,
                "url": s.url,
                "reference": s.reference,
            }
            for s in case.subjects.filter(superseded_at__isnull=True).order_by("pk")
        ],  # fmt: skip
        "deadlines": [deadline_json(d, now, tz, calendar, r, rounds) for d, r in current_deadlines],
        # Clocks of earlier rounds (before a reopening) that a later one replaced or the
        # reopening cancelled: their history.
        "earlier_deadlines": [
            deadline_json(d, now, tz, calendar, r, rounds) for d, r in earlier_deadlines
        ],
        "links": links,
        "same_contact": same_contact(actor, case, parties) if visible else [],
        "decision": _decision(events, policy),
        "outcomes": outcomes(case, timeline),
        "timeline": timeline,
    }


def _reopens(e: dict[str, Any]) -> bool:
    """Whether an event reopened the case for re-verification (staff's 重新核实, or the
    reporter's disagreement where the policy reopens): it keeps the earlier outcome."""
    return "earlier_outcome" in (e["data"] or {})


def _round(timeline: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The events of the current round: after the last reopening, if any."""
    last = max((i for i, e in enumerate(timeline) if _reopens(e)), default=-1)
    return timeline[last + 1 :]


def outcomes(case: Case, timeline: list[dict[str, Any]]) -> dict[str, Any]:
    """What came of the case in its current round, from its timeline (already masked for
    the viewer): the findings (valid, responsibility, measures), the latest mediation, every
    follow-up call (reached or not, the satisfaction heard), the reporter's own rating;
    and what earlier rounds ended with before the case was reopened."""
    current = _round(timeline)
    findings = None
    resolved = next(
        (e for e in reversed(current) if e["type"] in ("resolved", "resolved_on_the_spot")), None
    )
    if resolved is not None:
        record = resolved["record"] or {}
        findings = {
            "at": resolved["at"],
            "by": resolved["actor"],
            "validity": case.validity,
            "responsibility": case.responsibility,
            "text": record.get("body", ""),
            "measures": (record.get("data") or {}).get("measures", ""),
        }
    sessions = [
        e
        for e in current
        if e["type"] == "recorded" and (e["record"] or {}).get("kind") == "mediation"
    ]
    mediation = None
    if sessions:
        last = sessions[-1]
        mediation = {
            "at": last["at"],
            "by": last["actor"],
            "outcome": last["data"].get("outcome", ""),
            "sessions": len(sessions),
        }
    follow_ups = [
        {
            "at": e["at"],
            "by": e["actor"],
            "reached": bool(e["data"].get("reached")),
            "satisfaction": e["data"].get("satisfaction", ""),
            "channel": e["data"].get("channel", ""),
            "note": (e["record"] or {}).get("body", ""),
        }
        for e in current
        if e["type"] == "followed_up"
    ]
    rated = next((e for e in reversed(current) if e["type"] == "reporter_rated"), None)
    earlier = [
        {"at": e["at"], "round": e["data"].get("round"), **e["data"]["earlier_outcome"]}
        for e in timeline
        if _reopens(e)
    ]
    return {
        "findings": findings,
        "mediation": mediation,
        "follow_ups": follow_ups,
        "rating": (
            {"at": rated["at"], "satisfaction": rated["data"].get("satisfaction", "")}
            if rated
            else None
        ),
        "satisfaction": case.satisfaction,
        "earlier": earlier,
    }


def event_json(e: Event, tz: ZoneInfo, mask: Callable[[str], str] = str) -> dict[str, Any]:
    return {
        "seq": e.seq,
        "type": e.type,
        "at": e.at.astimezone(tz),
        "actor": e.actor.get_username() if e.actor else None,
        "actor_name": display_name(e.actor) if e.actor else None,
        "from_status": e.from_status,
        "to_status": e.to_status,
        "reason_code": e.reason_code,
        "data": e.data,
        "record": (
            {
                "kind": e.record.kind,
                "body": mask(e.record.body),
                "data": json.loads(mask(json.dumps(e.record.data, ensure_ascii=False))),
            }
            if e.record
            else None
        ),
    }


def _may_link(actor: Actor, case: Case, other: Case, visible_here: bool) -> bool:
    if case.kind != "report" and other.kind != "report":
        return True
    return visible_here and identity_visible(actor, other)


def same_contact(actor: Actor, case: Case, parties: list[Party]) -> list[str]:
    """Other cases this viewer may see whose complainant shares a phone, ID number or
    e-mail with this one (by blind index) — only where the viewer may see both identities."""
    indexes = Q()
    for field in ("phone_index", "email_index", "id_index"):
        values = [getattr(p, field) for p in parties if getattr(p, field)]
        if values:
            indexes |= Q(**{f"parties__{field}__in": values})
    if not indexes:
        return []
    others = (
        visible_cases(actor)
        .filter(indexes, parties__superseded_at__isnull=True)
        .exclude(pk=case.pk)
        .distinct()
        .order_by("-received_at")[:20]
    )
    found = list(others)
    seen = identity_visibility(actor, found)  # one batch, not one check per case
    return [str(o.number) for o in found if seen.get(o.pk)]


def _decision(events: list[Event], policy: Policy) -> dict[str, Any] | None:
    """Why a case was not accepted, and where the complainant should go instead."""
    rejected = next((e for e in reversed(events) if e.type == "rejected"), None)
    if rejected is None:
        return None
    reason = policy.reason(rejected.reason_code)
    if reason is None:
        return {"reason_code": rejected.reason_code}
    return {
        "reason_code": reason.code,
        "reason": {"zh": reason.zh, "en": reason.en},
        "redirect": {"zh": reason.redirect_zh, "en": reason.redirect_en},
        "complainant_told": rejected.data.get("complainant_told", False),
    }
