"""Registration from any channel, and completing what intake left missing."""

from __future__ import annotations

from datetime import date, datetime
from functools import cache
from typing import Any

from django.db import connection, transaction
from django.db.models import CharField, F, Q, QuerySet, Value
from django.db.models.functions import Coalesce, Concat, Length, StrIndex
from django.utils import timezone
from django.utils.translation import gettext_lazy

from tousu.cases import deadlines, events, inputs, values
from tousu.cases.access import Actor, may_register
from tousu.cases.errors import (
    TousuError,
    action_forbidden,
    invalid,
)
from tousu.cases.models import (
    Case,
    Party,
    Status,
    Subject,
)
from tousu.cases.numbering import take_number
from tousu.cases.registry import batched_writes, run_hooks
from tousu.cases.steps import check_category, step
from tousu.i18n import CODES, either
from tousu.orgs.models import Membership, department_id
from tousu.orgs.roles import Role
from tousu.policy.models import policy_for
from tousu.policy.schema import Policy

# A received_at this far ahead of the server clock is treated as clock skew, not the future.
CLOCK_SKEW = values.CLOCK_SKEW


UNDETERMINED = "undetermined"  # 待定: a quantity the customer is still working out


def validate_fields(policy: Policy, kind: str, values: dict[str, Any]) -> dict[str, Any]:
    """The policy's own fields, type-checked; unknown fields are refused."""
    specs = {f.code: f for f in policy.fields}
    clean: dict[str, Any] = {}
    for code, value in values.items():
        spec = specs.get(code)
        if spec is None or (spec.kinds and kind not in spec.kinds):
            raise invalid(f"fields.{code}", gettext_lazy("制度未定义字段：{code}"), {"code": code})
        if value is None or value == "":
            continue
        if spec.undetermined_allowed and value == UNDETERMINED:
            clean[code] = value
            continue
        ok = {
            "string": isinstance(value, str) and len(value) <= spec.max_length,
            "integer": isinstance(value, int) and not isinstance(value, bool),
            "decimal": isinstance(value, (int, float, str)) and not isinstance(value, bool)
            and _is_number(value),
            "boolean": isinstance(value, bool),
            "date": isinstance(value, str) and _is_date(value),
            "choice": value in spec.choices,
        }[spec.type]  # fmt: skip
        if not ok:
            raise invalid(
                f"fields.{code}",
                gettext_lazy("字段 {label} 的值无效（应为 {type}）"),
                {"label": either(spec.label_zh, spec.label_en or code), "type": spec.type},
            )
        clean[code] = value
    return clean


def _is_number(value: object) -> bool:
    try:
        float(str(value))
    except ValueError:
        return False
    return True


def _is_date(value: str) -> bool:
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return True


def missing_details(
    policy: Policy,
    *,
    kind: str,
    channel: str,
    category: str,
    demands: str,
    fields: dict[str, Any],
    complainant: inputs.ComplainantIn,
    subject: inputs.SubjectIn | None,
) -> list[str]:
    """What the policy needs before acceptance and the case does not have yet.

    Missing details never block registration (a caller may not know the merchant's
    address yet); acceptance waits for them.
    """
    person = complainant
    have: dict[str, bool] = {
        "complainant.name": bool(person.name),
        "complainant.phone": bool(person.phone),
        "complainant.email": bool(person.email),
        "complainant.address": bool(person.address),
        "complainant.employer": bool(person.employer),
        "complainant.id_number": bool(person.id_number),
        "complainant.contact": bool(person.phone or person.email or person.address),
        "subject": subject is not None and bool(subject.name or subject.reference or subject.url),
        "subject.name": subject is not None and bool(subject.name),
        "subject.address": subject is not None and bool(subject.address),
        "subject.reference": subject is not None and bool(subject.reference),
        "subject.url": subject is not None and bool(subject.url),
        "demands": bool(demands),
        "category": bool(category),
    }
    missing: set[str] = set()
    for spec in policy.fields:
        if spec.required and (not spec.kinds or kind in spec.kinds) and not fields.get(spec.code):
            missing.add(f"fields.{spec.code}")
    line = set(policy.category_line(category)) if category else set()
    for rule in policy.required:
        if (
            (not rule.kinds or kind in rule.kinds)
            and (not rule.channels or channel in rule.channels)
            and not line & set(rule.exclude_categories)
        ):
            for path in rule.fields:
                present = bool(fields.get(path[7:])) if path.startswith("fields.") else have[path]
                if not present:
                    missing.add(path)
    # A named complainant needs a name; anonymity the policy does not allow needs one too.
    if not person.name and (not person.anonymous or not policy.anonymous_allowed):
        missing.add("complainant.name")
    return sorted(missing)


def refusal_reasons_for(policy: Policy, kind: str, channel: str, missing: list[str]) -> list[str]:
    """Non-acceptance reasons the policy offers while these details are missing."""
    codes: list[str] = []
    for rule in policy.required:
        if (
            rule.refusal_reason
            and (not rule.kinds or kind in rule.kinds)
            and (not rule.channels or channel in rule.channels)
            and set(rule.fields) & set(missing)
            and rule.refusal_reason not in codes
        ):
            codes.append(rule.refusal_reason)
    return codes


def proposal(
    policy: Policy, org_id: int, *, category: str, subject_type: str, channel: str, kind: str
) -> tuple[int | None, list[str], str]:
    """(lead department id, co-handling codes, referral target) proposed at intake."""
    lead, co = policy.route(
        category=category, subject_type=subject_type, channel=channel, kind=kind
    )
    cat = policy.category(category)
    referral = cat.refer_to if cat is not None else ""
    return (department_id(org_id, lead) if lead else None), list(co), referral


def register(
    actor: Actor,
    data: inputs.RegisterIn,
    *,
    now: datetime | None = None,
    first_contact_owner_id: int | None = None,
    reporter_language: str = "",
) -> Case:
    """Register a case from any channel.

    The actor becomes its first-contact owner unless one is carried over (a case
    split off keeps the owner of the case it came from). ``reporter_language`` is the
    language the reporter wrote in (the portal's page), when known.
    """
    now = now or timezone.now()
    # Staff register from every channel; a reporter only submits through the portal.
    if not may_register(actor, data.channel):
        raise action_forbidden("register")
    org = actor.org
    if org.active_policy_id is None:
        raise TousuError("no_policy", gettext_lazy("本单位尚未启用制度"), status=409)
    version_number, policy = policy_for(org.active_policy_id)
    if data.kind not in policy.kinds:
        raise invalid("kind", gettext_lazy("本单位不受理此类案件：{kind}"), {"kind": data.kind})
    if data.channel not in policy.channels:
        raise invalid(
            "channel", gettext_lazy("本单位未开通该渠道：{channel}"), {"channel": data.channel}
        )
    check_category(policy, data.category)
    received_at = data.received_at or now
    if received_at > now + values.CLOCK_SKEW:
        raise invalid("received_at", gettext_lazy("收到时间不能晚于当前时间"))
    fields = validate_fields(policy, data.kind, data.fields)
    person = data.complainant
    missing = missing_details(
        policy, kind=data.kind, channel=data.channel, category=data.category,
        demands=data.demands, fields=fields, complainant=person, subject=data.subject,
    )  # fmt: skip
    proposed_id, proposed_co, referral = proposal(
        policy, org.pk, category=data.category, channel=data.channel, kind=data.kind,
        subject_type=data.subject.type if data.subject else "",
    )  # fmt: skip

    with transaction.atomic(), batched_writes() as flush_batches:
        case = Case.objects.create(
            org=org,
            policy_version_id=org.active_policy_id,
            kind=data.kind,
            channel=data.channel,
            category=data.category,
            complexity=data.complexity or policy.default_complexity,
            status=Status.REGISTERED,
            received_at=received_at,
            registered_at=now,
            registered_by_id=actor.user_id,
            first_contact_owner_id=first_contact_owner_id or actor.user_id,
            proposed_department_id=proposed_id,
            proposed_co_departments=proposed_co,
            proposed_referral=referral,
            content=data.content,
            demands=data.demands,
            fields=fields,
            missing_fields=missing,
            customer_deadline=data.customer_deadline,
            reporter_language=reporter_language if reporter_language in CODES else "",
            updated_at=now,
        )
        _save_parties(case, person)
        if data.subject is not None and save_subject(case, data.subject).staff_id is not None:
            _hand_over_if_subject(case, actor.user_id)
        running = deadlines.start_clocks(case, policy, "received", received_at, new_case=True)
        events.append(
            case,
            "registered",
            actor_id=actor.user_id,
            at=now,
            to_status=case.status,
            data={
                "kind": case.kind,
                "channel": case.channel,
                "category": case.category,
                "complexity": case.complexity,
                "received_at": received_at.isoformat(),
                "policy_version": version_number,
                "proposed_department": proposed_id,
                "proposed_referral": referral,
                "missing_fields": case.missing_fields,
                "deadlines": [{"stage": d.stage, "due_at": d.due_at.isoformat()} for d in running],
            },
        )
        # What features add to a registration (after hours: the duty officer on shift).
        run_hooks("registered", case, policy, actor=actor, now=now)
        # The new case's rows so far, sealed in one go before the counter is locked.
        flush_batches()
        # Last step: the counter row stays locked only from here to commit (the case row
        # updated and its numbered state sealed: one read and one insert).
        case.number = take_number(org, policy.numbering, now)
        deadlines.summarise(case, running)  # a new case: its only clocks are these
        case.save(update_fields=["number", "last_seq", "last_hash", *deadlines.SUMMARY_FIELDS])
    case.started_deadlines = running  # type: ignore[attr-defined]  # spares the caller a query
    return case


def intake_of(case: Case) -> tuple[inputs.ComplainantIn, inputs.SubjectIn | None]:
    """The complainant (with agent) and subject of a case, as inputs for a linked case."""
    parties = list(case.parties.filter(superseded_at__isnull=True).order_by("pk"))
    person = next((p for p in parties if p.role != Party.Role.AGENT), None)
    agent = next((p for p in parties if p.role == Party.Role.AGENT), None)
    complainant = inputs.ComplainantIn(anonymous=True)
    if person is not None:
        complainant = inputs.ComplainantIn(
            anonymous=person.anonymous,
            name=person.name,
            phone=person.phone,
            email=person.email,
            address=person.address,
            employer=person.employer,
            id_number=person.id_number,
            agent=inputs.AgentIn(name=agent.name, relation=agent.relation, phone=agent.phone)
            if agent
            else None,
        )
    first = case.subjects.filter(superseded_at__isnull=True).order_by("pk").first()
    subject = None
    if first is not None:
        subject = inputs.SubjectIn(
            type=first.type,
            name=first.name,
            address=first.address,
            url=first.url,
            reference=first.reference,
            staff=first.staff.get_username() if first.staff else "",
        )
    return complainant, subject


def _supersede(rows: QuerySet[Any], at: datetime) -> None:
    """Mark rows superseded one by one: each save is a change the record's seals see."""
    for row in rows:
        row.superseded_at = at
        row.save(update_fields=["superseded_at"])


def staff_member(org_id: int, username: str, field_name: str) -> int:
    """The id of an active staff member of the organisation, by username."""
    user_id = (
        Membership.objects.filter(org_id=org_id, user__username=username, active=True)
        .values_list("user_id", flat=True)
        .first()
    )
    if user_id is None:
        raise invalid(
            field_name, gettext_lazy("本单位没有工作人员 {username}"), {"username": username}
        )
    return int(user_id)


# Stand-ins for the values of named_staff's query: compiled once, run with the real ones.
_TEXT, _USERNAME, _ORG = "\x00named-staff-text", "\x00named-staff-username", -7_304_211


@cache
def _named_staff_sql(vendor: str) -> tuple[str, tuple[Any, ...]]:
    """named_staff's query as SQL, with the stand-ins among its parameters (the ORM takes
    longer to build it than the database to answer it)."""
    text_value = Value(_TEXT, output_field=CharField())
    members = (
        Membership.objects.filter(org_id=_ORG, active=True)
        .annotate(
            last_first=Concat("user__last_name", "user__first_name", output_field=CharField()),
            first_last=Concat("user__first_name", "user__last_name", output_field=CharField()),
            # The name pages and documents show (tousu.orgs.people.display_name).
            profile_name=Coalesce("user__staff_profile__name", Value(""), output_field=CharField()),
        )
        .annotate(
            name_length=Length("last_first"),
            at_last_first=StrIndex(text_value, F("last_first")),
            at_first_last=StrIndex(text_value, F("first_last")),
            profile_length=Length("profile_name"),
            at_profile=StrIndex(text_value, F("profile_name")),
        )
    )
    found = members.filter(
        Q(user__username=_USERNAME)
        | Q(name_length__gte=2, at_last_first__gt=0)
        | Q(name_length__gte=2, at_first_last__gt=0)
        | Q(profile_length__gte=2, at_profile__gt=0)
    ).values_list("user_id", flat=True)
    sql, params = found.query.sql_with_params()
    # Every stand-in must be a parameter (not written into the SQL) to be replaced.
    assert [params.count(v) for v in (_TEXT, _USERNAME, _ORG)] == [3, 1, 1], params
    return sql, tuple(params)


def named_staff(org_id: int, text: str) -> int | None:
    """The one active staff member a free-text subject names (their full name, either
    order, inside the text, or exactly their username), or None when it names nobody or
    several.

    A complaint about "财务科张三" is about 张三 even when the clerk did not pick him from
    the list: he must not see it, nor be told of it.
    """
    if len(text) < 2:
        return None
    # Asked of the database: one query, whatever the size of the staff.
    sql, stand_ins = _named_staff_sql(connection.vendor)
    real = {_TEXT: text, _USERNAME: text.strip(), _ORG: org_id}
    params: list[Any] = [real.get(p, p) if isinstance(p, str | int) else p for p in stand_ins]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        found = {int(row[0]) for row in cursor.fetchall()}
    return found.pop() if len(found) == 1 else None


def save_subject(case: Case, subject: inputs.SubjectIn) -> Subject:
    if subject.staff:
        staff_id: int | None = staff_member(case.org_id, subject.staff, "subject.staff")
    elif subject.type in ("staff", "other"):
        staff_id = named_staff(case.org_id, subject.name)
    else:
        staff_id = None
    walled = None
    if (
        staff_id is not None
        and policy_for(case.policy_version_id)[1].recusal.subject_department_excluded
    ):
        walled = (
            Membership.objects.filter(
                org_id=case.org_id, user_id=staff_id, active=True, department__isnull=False
            )
            .values_list("department_id", flat=True)
            .first()
        )
    return Subject.objects.create(
        case=case, staff_id=staff_id, excluded_department_id=walled,
        **subject.model_dump(exclude={"staff"}),
    )  # fmt: skip


def _hand_over_if_subject(case: Case, user_id: int) -> None:
    """Exclusion wins: when the one who took the case is the person it is about, the
    first-contact role passes to their head (recorded by the caller's event)."""
    if case.subjects.filter(staff_id=user_id).exists():
        case.first_contact_owner_id = successor(case, user_id)
        case.save(update_fields=["first_contact_owner"])


def successor(case: Case, user_id: int) -> int:
    """Who takes over a case's first contact from this person: the head of their
    department, or else a dispatcher or supervisor of the organisation."""
    departments = Membership.objects.filter(
        org_id=case.org_id, user_id=user_id, active=True, department__isnull=False
    ).values_list("department_id", flat=True)
    candidates = Membership.objects.filter(org_id=case.org_id, active=True).exclude(user_id=user_id)
    head = (
        candidates.filter(role=Role.DEPARTMENT_HEAD, department_id__in=list(departments))
        .values_list("user_id", flat=True)
        .first()
    )
    if head is None:
        head = (
            candidates.filter(role__in=[Role.DISPATCHER, Role.SUPERVISOR])
            .order_by("role", "pk")
            .values_list("user_id", flat=True)
            .first()
        )
    if head is None:
        raise TousuError(
            "no_successor", gettext_lazy("没有可接替首问责任的人员"),
            status=409,
        )  # fmt: skip
    return int(head)


def amend(case_id: int, *, actor: Actor, data: inputs.AmendIn, now: datetime | None = None) -> Case:
    """补充材料: complete or correct intake details; the earlier rows are kept, superseded.

    The event names what changed, never the values (they may be personal).
    """
    with step("amend", case_id, actor, now) as s:
        case = s.case
        complainant, subject = intake_of(case)
        changed: list[str] = []
        if data.complainant is not None:
            _supersede(case.parties.filter(superseded_at__isnull=True), s.now)
            _save_parties(case, data.complainant)
            complainant = data.complainant
            changed.append("complainant")
        if data.subject is not None:
            _supersede(case.subjects.filter(superseded_at__isnull=True), s.now)
            save_subject(case, data.subject)
            subject = data.subject
            changed.append("subject")
        if data.demands is not None:
            case.demands = data.demands
            changed.append("demands")
        if data.fields:
            merged = {**case.fields, **validate_fields(s.policy, case.kind, data.fields)}
            case.fields = {k: v for k, v in merged.items() if v not in (None, "")}
            changed += [f"fields.{code}" for code in sorted(data.fields)]
        if data.customer_deadline is not None:
            case.customer_deadline = data.customer_deadline
            changed.append("customer_deadline")
        if not changed:
            raise invalid("(body)", gettext_lazy("没有需要补充的内容"))
        before = case.missing_fields
        case.missing_fields = missing_details(
            s.policy, kind=case.kind, channel=case.channel, category=case.category,
            demands=case.demands, fields=case.fields, complainant=complainant, subject=subject,
        )  # fmt: skip
        s.data.update(changed=changed, missing_before=before, missing_after=case.missing_fields)
        if data.note:
            s.data["_record"] = s.record("amendment_note", data.note)
    return s.case


def _save_parties(case: Case, person: inputs.ComplainantIn) -> None:
    role = Party.Role.REPORTER if case.kind == "report" else Party.Role.COMPLAINANT
    party = Party.objects.create(
        case=case,
        role=role,
        anonymous=person.anonymous,
        **person.model_dump(exclude={"anonymous", "agent"}),
    )
    if person.agent is not None and person.agent.name:
        Party.objects.create(
            case=case, role=Party.Role.AGENT, represents=party, **person.agent.model_dump()
        )
