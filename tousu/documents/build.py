"""What each printed document says, from the case as the viewer may see it.

Every builder starts from :func:`tousu.web.caseview.case_json` — the one place that
decides what a viewer is shown: identity only where ``identity_visible``, free text
masked otherwise, and an ``IdentityAccess`` row (surface "document") whenever an
identity is shown. A document is written in one language, its recipient's
(:func:`document_language`): callers build and render it under
``translation.override(document_language(...))``, so every label, date and fixed sentence is
in that language; the policy's own texts are as the organisation wrote them (``localized``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.utils import dateformat
from django.utils.translation import gettext, gettext_lazy, pgettext

from tousu.cases.access import Actor
from tousu.cases.models import Case, CaseRecord, Event, Kind
from tousu.cases.redaction import REDACTED
from tousu.i18n import Text, localized, recipient_language
from tousu.notify.models import StaffContact
from tousu.orgs.people import display_name, first_contact_name
from tousu.policy.models import policy_for
from tousu.policy.schema import Policy
from tousu.web import labels
from tousu.web.caseview import show_case

SURFACE = "document"

# What the person who brought the case is called, by kind of case.
PERSON: dict[str, Text] = {
    "complaint": gettext_lazy("投诉人"),
    "report": gettext_lazy("举报人"),
    "consultation": gettext_lazy("咨询人"),
    "suggestion": gettext_lazy("建议人"),
}

PARTY_FIELDS: tuple[tuple[str, Text], ...] = (
    ("name", gettext_lazy("姓名")),
    ("phone", gettext_lazy("联系电话")),
    ("email", gettext_lazy("电子邮箱")),
    ("address", gettext_lazy("联系地址")),
    ("employer", gettext_lazy("工作单位")),
    ("id_number", gettext_lazy("身份证号")),
)

REPLY_EVENT = "replied"

# The stages of a deadline rule (tousu.policy.schema.DeadlineRule), as a form names them.

# How a reply reaches the complainant (the reply's channel, seen from the sender's side).
DELIVERY_WAYS: dict[str, Text] = {
    "letter": gettext_lazy("邮寄或直接送达"),
    "email": gettext_lazy("电子邮件"),
    "fax": gettext_lazy("传真"),
    "web": gettext_lazy("网站"),
    "sms": gettext_lazy("短信"),
    "phone": gettext_lazy("电话告知"),
    "visit": gettext_lazy("当面送达"),
    "on_the_spot": gettext_lazy("当场送达"),
}

# Whom a document is for (:func:`document_language`): the person who brought the case.
REPORTER = "reporter"


# -- the language of a document --------------------------------------------------------------


def document_language(case: Case, recipient: Any = None) -> str:
    """The language a document of ``case`` is written in: its recipient's where it is known,
    else the organisation's.

    ``recipient`` is :data:`REPORTER` for the papers handed to the person who brought the case
    (registration form, mediation document, written reply, reward decision), a staff member
    (a user) for the papers handed to them (penalty notice, appeal decision: their
    ``StaffContact.language``), or None for the organisation's own records (procedure records,
    quality report, remedy approval form): the organisation's language.
    """
    organisation = case.org.language
    if recipient == REPORTER:
        return recipient_language(case.reporter_language, organisation)
    if recipient is not None:
        own = StaffContact.objects.filter(user=recipient).values_list("language", flat=True)
        return recipient_language(own.first(), organisation)
    return recipient_language(None, organisation)


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


def document_date(value: datetime | None, tz: ZoneInfo) -> str:
    """A day as a document in the active language writes it: 2026年11月5日 in Chinese (either
    script), 5 November 2026 in English."""
    if value is None:
        return ""
    # A date format (django.utils.dateformat) per language: "Y年n月j日", "j F Y".
    return str(dateformat.format(value.astimezone(tz), pgettext("document date", "Y年n月j日")))


def document_datetime(value: datetime | None, tz: ZoneInfo) -> str:
    """A moment: the day as :func:`document_date` writes it, then the time (14:30)."""
    if value is None:
        return ""
    local = value.astimezone(tz)
    return f"{document_date(local, tz)} {local:%H:%M}"


def joined(items: Any) -> str:
    """Names in a list, as the language separates them (、 in Chinese, a comma in English)."""
    return pgettext("list separator", "、").join(str(item) for item in items)


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


def staff_name(user: Any, *, title: bool = False) -> str:
    """A staff member as a document names them (:func:`tousu.orgs.people.display_name`)."""
    return display_name(user, title=title)


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
            "printed_at": document_datetime(self.now, self.tz),
            "received_at": document_datetime(self.data["received_at"], self.tz),
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
        person=str(PERSON.get(case.kind, PERSON["complaint"])),
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
        cells = [(str(label), party.get(key) or "") for key, label in PARTY_FIELDS]
        identity = {"state": "shown", "rows": list(zip(cells[::2], cells[1::2], strict=True))}
    agents = [
        {"name": a.get("name") or "", "relation": a.get("relation") or "", "phone": a.get("phone")}
        for a in doc.agents()
    ]
    categories = {c.code: localized(c.name_zh, c.name_en) for c in policy.categories}
    field_labels = {f.code: localized(f.label_zh, f.label_en) for f in policy.fields}
    deadlines = [
        {
            "stage": str(labels.STAGES.get(d["stage"], d["stage"])),
            "rule": localized(d["rule"], d.get("rule_en")),
            "due": document_datetime(d["due_at"], tz),
            "target": d["target"],
            "provisional": d["provisional"],
        }
        for d in data["deadlines"]
        if d["state"] != "cancelled"
    ]
    return {
        **doc.context(),
        "title": gettext("{kind}登记表").format(kind=doc.kind_label),
        "registered_at": document_datetime(data["registered_at"], tz),
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
                "detail": pgettext("list of clauses", "；").join(
                    x for x in (s["address"], s["reference"], s["url"]) if x
                ),
            }
            for s in data["subjects"]
        ],
        "content": data["content"],
        "demands": data["demands"],
        "fields": [(field_labels.get(k, k), v) for k, v in data["fields"].items()],
        "deadlines": deadlines,
        "first_contact": first_contact_name(doc.case.first_contact_owner, title=True),
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
                "at": document_datetime(moment(details.get("occurred_at")) or e["at"], tz),
                "location": details.get("location") or "",
                "participants": joined(details.get("participants") or []),
                "outcome": labels.choice(outcome) if outcome else "",
                "body": e["record"]["body"],
                "recorder": e["actor"] or "",
            }
        )
    agreement = _outcome(events[-1]) == "agreement"
    party = doc.party()
    if party is None or party["anonymous"]:
        person_shown = gettext("匿名")
    elif party["masked"]:
        person_shown = gettext("（身份信息依规保密）")
    else:
        person_shown = doc.shown_name() or gettext("未留姓名")
    subjects = joined(s["name"] for s in doc.data["subjects"] if s["name"]) or "—"
    return {
        **doc.context(),
        "title": pgettext("document title", "调解书")
        if agreement
        else pgettext("document title", "调解记录"),
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
            if level == 0:
                ask = gettext("如对本答复意见不服，可以自收到本答复之日起{days}日内请求复查。")
            else:
                ask = gettext("如对本答复意见不服，可以自收到本答复之日起{days}日内请求复核。")
            lines.append(ask.format(days=reviews.request_window_days))
        elif reviews.no_reacceptance_after_final:
            lines.append(gettext("本意见为复核意见。对同一事实和理由提出的请求，不再重复受理。"))
        else:
            lines.append(gettext("本意见为复核意见。"))
    else:
        then = {
            "reverify": gettext("本单位将重新核实，并提出进一步处理意见"),
            "appeal": gettext("本单位将按规定另行审查"),
            "record_only": gettext("本单位将记录您的意见"),
        }[follow_up.dissatisfied]
        window = follow_up.disagreement_window_days
        if window:
            line = gettext("如对本答复有异议，请自收到本答复之日起{days}日内向{org}提出，{then}。")
        else:
            line = gettext("如对本答复有异议，可向{org}提出，{then}。")
        lines.append(line.format(days=window, org=org, then=then))
    notice = policy.public_notice
    contact = []
    if notice.phones:
        contact.append(gettext("联系电话：{phones}").format(phones=joined(notice.phones)))
    if notice.emails:
        contact.append(gettext("电子邮箱：{emails}").format(emails=joined(notice.emails)))
    if notice.address and notice.postcode:
        contact.append(
            gettext("地址：{address}（邮编 {postcode}）").format(
                address=notice.address, postcode=notice.postcode
            )
        )
    elif notice.address:
        contact.append(gettext("地址：{address}").format(address=notice.address))
    if contact:
        lines.append(
            pgettext("list of clauses", "；").join(contact) + pgettext("end of a sentence", "。")
        )
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
        latest["record"]["body"] if latest["record"] else "",
        (name, doc.person, "投诉人", "举报人"),
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
        recipients = joined(details.get("participants") or [])
        delivered = {
            "to": recipients if name and REDACTED not in recipients else "",
            "how": details.get("location") or "",
            "at": document_datetime(moment(details.get("occurred_at")) or last["at"], tz),
            "what": last["record"]["body"],
            "by": last["actor"] or "",
        }
    channel = str(latest["data"].get("channel", ""))
    level = doc.case.review_level
    return {
        **doc.context(),
        "title": pgettext("document title", "书面答复"),
        "subtitle": {1: gettext("复查意见"), 2: gettext("复核意见")}.get(level, ""),
        "addressee": name or doc.person,
        "named": bool(name),
        "paragraphs": [line.strip() for line in body.splitlines() if line.strip()],
        "date": document_date(latest["at"], tz),
        "replied_by": latest["actor"] or "",
        "way": str(DELIVERY_WAYS.get(channel) or labels.channel(channel)),
        "received_date": document_date(doc.data["received_at"], tz),
        "disagreement": disagreement(doc),
        "delivered": delivered,
    }
