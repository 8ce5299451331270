"""`tousu demo`: a demo hospital with one login per role and cases in every state."""

from __future__ import annotations

import re
from collections import defaultdict
from datetime import datetime, timedelta
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from tousu.cases.events import verify_case
from tousu.cases.models import Case, Deadline, Event, Party
from tousu.demo import organisation as demo
from tousu.orgs.models import Membership, Organisation

NUMBER = re.compile(r"^TS-(\d{4})-(\d{6})$")


def _run() -> str:
    out = StringIO()
    call_command("demo", stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_the_demo_loads_a_hospital_with_every_role_and_cases_in_many_states() -> None:
    before = timezone.now()
    out = _run()

    # The organisation, on the general policy, with one login per role
    org = Organisation.objects.get(slug="demo")
    assert org.active_policy is not None and org.active_policy.preset == "general"
    logins = {
        m.user.username: (m.role, m.department.code if m.department else None)
        for m in Membership.objects.filter(org=org).select_related("user", "department")
    }
    assert logins == {name: (role, dept) for name, role, dept in demo.PERSONAS}
    admin = get_user_model().objects.get(username="admin")
    assert admin.is_staff and admin.check_password(demo.PASSWORD)

    # Cases in many states, all walked through the actions
    cases = list(Case.objects.filter(org=org))
    statuses = {c.status for c in cases}
    assert len(cases) >= 25
    assert len(statuses) >= 10, statuses
    assert all(verify_case(c) == (True, None) for c in cases)
    assert any(c.reopen_count for c in cases)
    types = set(Event.objects.filter(case__org=org).values_list("type", flat=True))
    assert {"resolved_on_the_spot", "split", "merged", "referred", "received"} <= types
    assert Event.objects.filter(case__org=org, type="extension_decided", data__approved=True)
    assert Party.objects.filter(case__org=org, case__kind="report", anonymous=True).exists()

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
