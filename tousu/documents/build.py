"""What each printed document says, from the case as the viewer may see it.

Every builder starts from :func:`tousu.web.caseview.case_json` — the one place that
decides what a viewer is shown: identity only where ``identity_visible``, free text
masked otherwise, and an ``IdentityAccess`` row (surface "document") whenever an
identity is shown. The documents are Chinese documents: callers build them under
``translation.override("zh-hans")`` so that every label is the Chinese one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from tousu.cases.access import Actor
from tousu.cases.models import Case, CaseRecord, Event, Kind
from tousu.cases.redaction import REDACTED
from tousu.policy.models import policy_for
from tousu.policy.schema import Policy
from tousu.web import labels
from tousu.web.caseview import show_case

SURFACE = "document"

# What the person who brought the case is called, by kind of case.
PERSON = {
    "complaint": "投诉人",
    "report": "举报人",
    "consultation": "咨询人",
    "suggestion": "建议人",
}

PARTY_FIELDS = (
    ("name", "姓名"),
    ("phone", "联系电话"),
    ("email", "电子邮箱"),
    ("address", "联系地址"),
    ("employer", "工作单位"),
    ("id_number", "身份证号"),
)

REPLY_EVENT = "replied"

# The stages of a deadline rule (tousu.policy.schema.DeadlineRule), as a form names them.

# How a reply reaches the complainant (the reply's channel, seen from the sender's side).
DELIVERY_WAYS = {
    "letter": "邮寄或直接送达",
    "email": "电子邮件",
    "fax": "传真",
    "web": "网站",
    "sms": "短信",
    "phone": "电话告知",
    "visit": "当面送达",
    "on_the_spot": "当场送达",
}


# -- what exists -----------------------------------------------------------------------------


def has_mediation(case: Case) -> bool:
    return CaseRecord.objects.filter(case=case, kind="mediation").exists()


def has_reply(case: Case) -> bool:
    return Event.objects.filter(case=case, type=REPLY_EVENT).exists()


def available(timeline: list[dict[str, Any]]) -> dict[str, Any]:
    """Which documents a case has, from its timeline (case_json): the registration form
    always; the mediation document after a mediation record (its title by the latest
    outcome); the written reply after a reply."""
    sessions = mediation_sessions(timeline)
    return {
        "mediation": bool(sessions),
        "agreement": bool(sessions) and _outcome(sessions[-1]) == "agreement",
        "reply": any(e["type"] == REPLY_EVENT for e in timeline),
    }


# -- formatting ------------------------------------------------------------------------------


def zh_date(value: datetime | None, tz: ZoneInfo) -> str:
    if value is None:
        return ""
    local = value.astimezone(tz)
    return f"{local.year}年{local.month}月{local.day}日"


def zh_datetime(value: datetime | None, tz: ZoneInfo) -> str:
    if value is None:
        return ""
    local = value.astimezone(tz)
    return f"{zh_date(local, tz)} {local:%H:%M}"


def moment(value: Any) -> datetime | None:
    """A datetime, or the ISO text an event keeps it as; None for anything else."""
    if isinstance(value, datetime):
        return value
    if isinstance(value, str) and value:
        try:
            return datetime.fromisoformat(value)
        except ValueError:
            return None
    return None


def staff_name(user: Any) -> str:
    if user is None:
        return ""
    full = str(user.get_full_name() or "").strip()
    return full or str(user.get_username())


# -- the shared head of every document -------------------------------------------------------


@dataclass
class Document:
    """The facts every document of a case carries, and the case as this viewer sees it."""

    case: Case
    data: dict[str, Any]
    policy: Policy
    tz: ZoneInfo
    now: datetime
    org_name: str
    person: str
    kind_label: str
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def number(self) -> str:
        return str(self.data["number"])

    def party(self) -> dict[str, Any] | None:
        """The person who brought the case (not an agent), as this viewer may see them."""
        return next((p for p in self.data["parties"] if p["role"] != "agent"), None)

    def agents(self) -> list[dict[str, Any]]:
        return [p for p in self.data["parties"] if p["role"] == "agent" and not p["masked"]]

    def shown_name(self) -> str:
        """The person's name when this viewer may see it; "" otherwise (anonymous, sealed)."""
        p = self.party()
        if p is None or p["anonymous"] or p["masked"]:
            return ""
        return str(p.get("name") or "")

    def context(self) -> dict[str, Any]:
        return {
            "org_name": self.org_name,
            "number": self.number,
            "person": self.person,
            "kind_label": self.kind_label,
            "printed_at": zh_datetime(self.now, self.tz),
            "received_at": zh_datetime(self.data["received_at"], self.tz),
            **self.extra,
        }


def load(case: Case, actor: Actor, now: datetime) -> Document:
    data = show_case(case, actor, now, surface=SURFACE)
    policy = policy_for(case.policy_version_id)[1]
    kind_label = str(dict(Kind.choices).get(case.kind, case.kind)).partition(" ")[0]
    return Document(
        case=case,
        data=data,
        policy=policy,
        tz=ZoneInfo(case.org.time_zone),
        now=now,
        org_name=case.org.name,
        person=PERSON.get(case.kind, "投诉人"),
        kind_label=kind_label,
    )


# -- 投诉登记表 -------------------------------------------------------------------------------


def registration(doc: Document) -> dict[str, Any]:
    data, policy, tz = doc.data, doc.policy, doc.tz
    party = doc.party()
    if party is None or party["anonymous"]:
        identity: dict[str, Any] = {"state": "anonymous"}
    elif party["masked"]:
        identity = {"state": "sealed"}
    else:
        cells = [(label, party.get(key) or "") for key, label in PARTY_FIELDS]
        identity = {"state": "shown", "rows": list(zip(cells[::2], cells[1::2], strict=True))}
    agents = [
        {"name": a.get("name") or "", "relation": a.get("relation") or "", "phone": a.get("phone")}
        for a in doc.agents()
    ]
    categories = {c.code: c.name_zh for c in policy.categories}
    field_labels = {f.code: f.label_zh for f in policy.fields}
    deadlines = [
        {
            # Documents are Chinese whatever the viewer's language.
            "stage": str(labels.STAGES.get(d["stage"], d["stage"])),
            "rule": d["rule"],
            "due": zh_datetime(d["due_at"], tz),
            "target": d["target"],
            "provisional": d["provisional"],
        }
        for d in data["deadlines"]
        if d["state"] != "cancelled"
    ]
    return {
        **doc.context(),
        "title": f"{doc.kind_label}登记表",
        "registered_at": zh_datetime(data["registered_at"], tz),
        "channel": labels.channel(data["channel"]),
        "kind": doc.kind_label,
        "category": categories.get(data["category"], data["category"]),
        "complexity": labels.choice(data["complexity"]),
        "identity": identity,
        "agents": agents,
        "subjects": [
            {
                "type": labels.choice(s["type"]),
                "name": s["name"],
                "detail": "；".join(x for x in (s["address"], s["reference"], s["url"]) if x),
            }
            for s in data["subjects"]
        ],
        "content": data["content"],
        "demands": data["demands"],
        "fields": [(field_labels.get(k, k), v) for k, v in data["fields"].items()],
        "deadlines": deadlines,
        "first_contact": data["first_contact_owner"],
        "registered_by": staff_name(doc.case.registered_by),
    }


# -- 调解书 / 调解记录 -------------------------------------------------------------------------


def mediation_sessions(timeline: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [e for e in timeline if e["record"] and e["record"]["kind"] == "mediation"]


def _outcome(event: dict[str, Any]) -> str:
    return str(event["record"]["data"].get("outcome") or event["data"].get("outcome") or "")


def mediation(doc: Document) -> dict[str, Any]:
    """调解书 when the latest session reached an agreement (its terms, both parties' signatures);
    otherwise 调解记录: the minutes of every session."""
    tz = doc.tz
    events = mediation_sessions(doc.data["timeline"])
    sessions = []
    for e in events:
        details = e["record"]["data"]
        outcome = _outcome(e)
        sessions.append(
            {
                "at": zh_datetime(moment(details.get("occurred_at")) or e["at"], tz),
                "location": details.get("location") or "",
                "participants": "、".join(details.get("participants") or []),
                "outcome": labels.choice(outcome) if outcome else "",
                "body": e["record"]["body"],
                "recorder": e["actor"] or "",
            }
        )
    agreement = _outcome(events[-1]) == "agreement"
    party = doc.party()
    if party is None or party["anonymous"]:
        person_shown = "匿名"
    elif party["masked"]:
        person_shown = "（身份信息依规保密）"
    else:
        person_shown = doc.shown_name() or "—"
    subjects = "、".join(s["name"] for s in doc.data["subjects"] if s["name"]) or "—"
    return {
        **doc.context(),
        "title": "调解书" if agreement else "调解记录",
        "agreement": agreement,
        "terms": sessions[-1] if agreement else None,
        "sessions": sessions,
        "person_shown": person_shown,
        "subjects": subjects,
        "content": doc.data["content"],
        "demands": doc.data["demands"],
    }


# -- 书面答复 ---------------------------------------------------------------------------------


def _strip_salutation(body: str, names: tuple[str, ...]) -> str:
    """The letter prints its own salutation: drop one the reply text starts with
    ("王建国：…", "■■■：…", "举报人：…")."""
    match = re.match(r"\s*([^\n：:，。,.]{1,30})[：:]\s*", body)
    if match:
        head = match.group(1).strip()
        if REDACTED in head or any(n and head.startswith(n) for n in names):
            return body[match.end() :]
    return body


def disagreement(doc: Document) -> list[str]:
    """How the complainant may disagree, in the words of the case's policy."""
    policy, org = doc.policy, doc.org_name
    reviews, follow_up = policy.reviews, policy.follow_up
    lines: list[str] = []
    if reviews.levels:
        level = doc.case.review_level
        if level < reviews.levels:
            ask = "复查" if level == 0 else "复核"
            lines.append(
                f"如对本答复意见不服，可以自收到本答复之日起{reviews.request_window_days}日内"
                f"请求{ask}。"
            )
        else:
            final = "本意见为复核意见。"
            if reviews.no_reacceptance_after_final:
                final += "对同一事实和理由提出的请求，不再重复受理。"
            lines.append(final)
    else:
        then = {
            "reverify": "本单位将重新核实，并提出进一步处理意见",
            "appeal": "本单位将按规定另行审查",
            "record_only": "本单位将记录您的意见",
        }[follow_up.dissatisfied]
        window = follow_up.disagreement_window_days
        when = f"请自收到本答复之日起{window}日内" if window else "可"
        lines.append(f"如对本答复有异议，{when}向{org}提出，{then}。")
    notice = policy.public_notice
    contact = []
    if notice.phones:
        contact.append("联系电话：" + "、".join(notice.phones))
    if notice.emails:
        contact.append("电子邮箱：" + "、".join(notice.emails))
    if notice.address:
        contact.append(
            "地址：" + notice.address + (f"（邮编 {notice.postcode}）" if notice.postcode else "")
        )
    if contact:
        lines.append("；".join(contact) + "。")
    return lines


def reply(doc: Document) -> dict[str, Any]:
    tz = doc.tz
    timeline = doc.data["timeline"]
    replies = [e for e in timeline if e["type"] == REPLY_EVENT]
    latest = replies[-1]
    # Whom the letter is addressed to. The name is printed only when this viewer may see
    # the identity (and the show_case call that built ``doc`` has logged that access).
    # For an anonymous case, or a sealed report (举报) printed by someone without an
    # approved reveal, the letter is addressed to "举报人" / "投诉人" without a name: the
    # paper then carries nothing the person printing it may not know, and the custodian
    # who holds the identity addresses the envelope and hands it over. The delivery
    # receipt's recipient line stays blank for the same reason, to be filled in on delivery.
    name = doc.shown_name()
    body = _strip_salutation(
        latest["record"]["body"] if latest["record"] else "", (name, doc.person, "投诉人")
    )
    deliveries = [
        e
        for e in timeline
        if e["seq"] > latest["seq"] and e["record"] and e["record"]["kind"] == "delivery"
    ]
    delivered: dict[str, str] = {}
    if deliveries:
        last = deliveries[-1]
        details = last["record"]["data"]
        recipients = "、".join(details.get("participants") or [])
        delivered = {
            "to": recipients if name and REDACTED not in recipients else "",
            "how": details.get("location") or "",
            "at": zh_datetime(moment(details.get("occurred_at")) or last["at"], tz),
            "what": last["record"]["body"],
            "by": last["actor"] or "",
        }
    channel = str(latest["data"].get("channel", ""))
    level = doc.case.review_level
    return {
        **doc.context(),
        "title": "书面答复",
        "subtitle": {1: "复查意见", 2: "复核意见"}.get(level, ""),
        "addressee": name or doc.person,
        "named": bool(name),
        "paragraphs": [line.strip() for line in body.splitlines() if line.strip()],
        "date": zh_date(latest["at"], tz),
        "replied_by": latest["actor"] or "",
        "way": DELIVERY_WAYS.get(channel) or labels.channel(channel),
        "received_date": zh_date(doc.data["received_at"], tz),
        "disagreement": disagreement(doc),
        "delivered": delivered,
    }
