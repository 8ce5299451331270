"""`tousu demo`: the demo hospital (preset hospital) with one login per role and cases in
every state, following the hospital story; any other preset family on request."""

from __future__ import annotations

import re
from collections import defaultdict
from datetime import datetime, timedelta
from io import StringIO
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.utils import timezone

from tousu.cases.access import actor_for
from tousu.cases.actions import ACTION_FUNCTIONS
from tousu.cases.events import verify_case
from tousu.cases.inputs import RegisterIn
from tousu.cases.intake import register
from tousu.cases.models import Case, CaseLink, Deadline, Event, Party, Status
from tousu.clock.overrides import calendar_for
from tousu.demo import family, hospital
from tousu.demo import organisation as demo
from tousu.duty.models import DutyIntake
from tousu.orgs.models import Membership, Organisation
from tousu.orgs.people import display_name
from tousu.policy.loader import preset_names
from tousu.procedures.models import StepRecord

NUMBER = re.compile(r"^TS-(\d{4})-(\d{5})$")  # the hospital numbering


@pytest.fixture(autouse=True)
def _fast_hasher(settings: Any) -> None:
    """Hash strength is not under test here; argon2 would make each demo login slow."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _run(*args: str) -> str:
    out = StringIO()
    call_command("demo", *args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_the_demo_loads_the_hospital_with_every_role_and_cases_in_many_states() -> None:
    before = timezone.now()
    out = _run()

    # The organisation, on the hospital policy, with one login per role
    org = Organisation.objects.get(slug="demo")
    assert org.active_policy is not None and org.active_policy.preset == "hospital"
    logins = {
        m.user.username: (m.role, m.department.code if m.department else None)
        for m in Membership.objects.filter(org=org).select_related("user", "department")
    }
    assert logins == {name: (role, dept) for name, role, dept in demo.PERSONAS}
    admin = get_user_model().objects.get(username="admin")
    assert admin.is_staff and admin.check_password(demo.PASSWORD)
    # Every persona has a Chinese name and a post, shown instead of the login.
    for name, _, _ in demo.PERSONAS:
        person = get_user_model().objects.get(username=name)
        assert display_name(person, title=True) == "{}（{}）".format(*hospital.NAMES[name])
    assert re.search(r"^  clerk\s+\S+\s+.*陈晓燕", out, re.M)

    # Cases in many states, all walked through the actions
    cases = list(Case.objects.filter(org=org))
    statuses = {c.status for c in cases}
    assert len(cases) >= 25
    assert len(statuses) >= 10, statuses
    assert all(verify_case(c) == (True, None) for c in cases)
    assert any(c.reopen_count for c in cases)
    types = set(Event.objects.filter(case__org=org).values_list("type", flat=True))
    assert {"resolved_on_the_spot", "merged", "referred", "received", "rejected"} <= types
    assert Event.objects.filter(case__org=org, type="extension_decided", data__approved=True)
    assert Party.objects.filter(case__org=org, anonymous=True).exists()

    # Numbers: distinct and gap-free within each registration year
    serials: dict[str, list[int]] = defaultdict(list)
    for c in cases:
        match = NUMBER.match(c.number or "")
        assert match, c.number
        serials[match[1]].append(int(match[2]))
    for year, numbers in serials.items():
        assert sorted(numbers) == list(range(1, len(numbers) + 1)), year

    # Times lie in the past six weeks, in order; some deadlines are overdue, some still open
    events = Event.objects.filter(case__org=org).order_by("case_id", "seq")
    assert all(before - timedelta(days=45) < e.at <= before for e in events)
    last: dict[int, datetime] = {}
    for e in events:
        assert last.get(e.case_id, e.at) <= e.at
        last[e.case_id] = e.at
    assert all(c.received_at <= c.registered_at for c in cases)
    open_ = Deadline.objects.filter(case__org=org, state=Deadline.State.OPEN)
    assert open_.filter(due_at__lt=before).exists() and open_.filter(due_at__gt=before).exists()

    # The output shows the logins, where to go and the counts
    for name, _, _ in demo.PERSONAS:
        assert re.search(rf"^  {name}\s+{demo.PASSWORD}\s", out, re.M), name
    assert "http://127.0.0.1:8000/admin/" in out and "/api/v1/orgs/demo/" in out
    assert f"Cases: {len(cases)}" in out
    _the_hospital_story(org)
    _the_readme_walk(org)

    # A second run adds nothing and prints the logins again
    counts = (Case.objects.count(), Event.objects.count(), get_user_model().objects.count())
    again = _run()
    assert "already exists" in again and "handler2" in again and demo.PASSWORD in again
    assert (Case.objects.count(), Event.objects.count(), get_user_model().objects.count()) == (
        counts
    )


@pytest.mark.django_db
def test_the_demo_never_takes_over_an_existing_account() -> None:
    user = get_user_model().objects.create_user("admin", password="my-own-secret")
    with pytest.raises(CommandError, match="admin"):
        _run()
    assert not Organisation.objects.filter(slug="demo").exists()
    user.refresh_from_db()
    assert user.check_password("my-own-secret")


def _the_hospital_story(org: Organisation) -> None:
    tz = ZoneInfo(org.time_zone)

    # A Friday-evening call lands with the duty officer on shift; the general office passes
    # it on the next working day (Monday) to Finance, the fees department; 3 working days.
    merge = CaseLink.objects.get(from_case__org=org, type=CaseLink.Type.MERGED_INTO)
    ct, letter = merge.to_case, merge.from_case
    assert ct.status == Status.CLOSED and letter.status == Status.MERGED
    received = ct.received_at.astimezone(tz)
    assert (received.weekday(), received.hour) == (4, 19)
    assert DutyIntake.objects.get(case=ct).shift.user.username == "supervisor"
    routed = Event.objects.get(case=ct, type="assigned")
    monday = received.date() + timedelta(days=1)
    while not calendar_for(org.pk).is_working_day(monday):
        monday += timedelta(days=1)
    assert routed.at.astimezone(tz).date() == monday
    assert ct.category == "fees" and ct.lead_department is not None
    assert ct.lead_department.code == "finance"
    stages = dict(Deadline.objects.filter(case=ct).values_list("stage", "state"))
    assert stages["routing"] == stages["resolution"] == Deadline.State.MET
    # The son's letter is merged into it, and the reply goes out in writing
    assert (ct.channel, letter.channel, ct.reply_channel) == ("phone", "letter", "letter")

    # Three ward opinion-book entries in one week, logged by the head nurse
    book = Case.objects.filter(org=org, channel="opinion_book")
    assert book.count() == 3 and {c.registered_by.username for c in book} == {"headnurse"}
    days = sorted(c.received_at.date() for c in book)
    assert (days[-1] - days[0]).days < 7

    # The medical dispute: no general resolution clock; sealed with both parties, the health
    # authority told, the committee's decision told to both parties
    dispute = Case.objects.get(org=org, category="medical_dispute")
    assert not Deadline.objects.filter(case=dispute, stage="resolution").exists()
    steps = StepRecord.objects.filter(run__case=dispute)
    assert {s.step for s in steps} == {"seal_records", "authority", "committee", "decision"}
    sealing = Event.objects.get(
        case=dispute, type="procedure_step_recorded", data__step="seal_records"
    )
    assert sealing.data["form"] == "sealing"
    assert Event.objects.filter(case=dispute, type="escalated").exists()


@pytest.mark.django_db
@pytest.mark.one_database  # the same builder as the hospital's, which runs on both databases
@pytest.mark.parametrize("preset", [p for p in preset_names() if p != demo.DEFAULT_PRESET])
def test_every_preset_family_builds_its_own_demo(preset: str, client: Client) -> None:
    out = _run("--preset", preset)
    org = Organisation.objects.get(slug=f"demo-{preset}")
    assert org.active_policy is not None and org.active_policy.preset == preset
    logins = Membership.objects.filter(org=org).values_list("user__username", flat=True)
    assert sorted(logins) == sorted(f"{preset}-{p}" for p, _, _ in family.ROLES)
    for username in logins:
        assert re.search(rf"^  {username}\s+{demo.PASSWORD}\s", out, re.M), username
    # The cases are in its policy's words: categories and kinds it knows
    policy = org.active_policy.policy
    cases = Case.objects.filter(org=org)
    assert cases.count() == 3
    assert {c.category for c in cases} <= {c.code for c in policy.categories}
    assert {c.kind for c in cases} <= set(policy.kinds)
    assert cases.exclude(status=Status.REGISTERED).exists()
    # A login works: the clerk signs in and sees the desk of that organisation
    assert client.login(username=f"{preset}-clerk", password=demo.PASSWORD)
    assert client.get(f"/desk/{org.slug}/queue/mine/").status_code == 200
    # Idempotent
    counts = (Case.objects.count(), Event.objects.count(), get_user_model().objects.count())
    assert "already exists" in _run("--preset", preset)
    assert (Case.objects.count(), Event.objects.count(), get_user_model().objects.count()) == (
        counts
    )


@pytest.mark.django_db
def test_an_unknown_preset_is_refused_with_the_choices_and_nothing_written() -> None:
    with pytest.raises(CommandError) as refused:
        _run("--preset", "zoo")
    message = str(refused.value)
    assert "unknown preset 'zoo'" in message
    assert all(name in message for name in preset_names())
    assert not Organisation.objects.exists() and not get_user_model().objects.exists()


def _the_readme_walk(org: Organisation) -> None:
    """The README's walk on the demo hospital: clerk registers a phone complaint, dispatcher
    accepts and routes it, handler records the mediation, resolves and replies, clerk records
    the follow-up, supervisor closes it — each offered the action on the case page."""
    users = {u.username: u for u in get_user_model().objects.filter(memberships__org=org)}
    clerk = actor_for(users["clerk"], org.slug)
    case = register(clerk, RegisterIn.model_validate(WALK_CALL))
    assert case.missing_fields == []
    walk = [
        ("dispatcher", "accept", {"note": "收费问题，予以受理"}),
        ("dispatcher", "assign", {"lead_department": "finance", "handler": "handler"}),
        ("handler", "record", {"kind": "mediation", "body": "与患者家属沟通，核对收费明细。", "outcome": "agreement"}),
        ("handler", "resolve", {"findings": "重复计费属实，已退费。", "responsibility": "organisation", "valid": True}),
        ("handler", "reply", {"channel": "phone", "body": "您好，多收的费用已退还。"}),
        ("clerk", "follow_up", {"reached": True, "satisfaction": "satisfied", "note": "满意"}),
        ("supervisor", "close", {"note": "已答复并回访满意，予以结案"}),
    ]  # fmt: skip
    for persona, action, payload in walk:
        client = Client()
        client.force_login(users[persona])
        page = client.get(f"/desk/{org.slug}/cases/{case.number}/")
        assert page.status_code == 200
        assert f'id="act-{action}"' in page.content.decode(), (persona, action)
        function, model = ACTION_FUNCTIONS[action]
        function(
            case.pk, actor=actor_for(users[persona], org.slug), data=model.model_validate(payload)
        )
    case.refresh_from_db()
    assert case.status == Status.CLOSED
    assert Deadline.objects.get(case=case, stage="resolution").state == Deadline.State.MET


WALK_CALL: dict[str, Any] = {
    "kind": "complaint", "channel": "phone", "category": "fees",
    "content": "我父亲在放射科做了一次胸部CT平扫，费用清单上同一项检查收了两次。",
    "demands": "退还多收的费用",
    "complainant": {"name": "王建国", "phone": "13905712468", "address": "杭州市西湖区文一路115号"},
    "subject": {"type": "department", "name": "门诊收费处"},
}  # fmt: skip
