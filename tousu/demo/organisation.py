"""The demo organisations: the hospital by default, any preset family on request.

``tousu demo [--preset NAME]`` calls :func:`load_demo`. The default is the hospital
(organisation ``demo``, preset ``hospital``, logins ``clerk``, ``dispatcher`` …): medical
disputes, duty landing and reply templates are in it, and its cases follow a hospital's
day (:mod:`tousu.demo.hospital`). Any other preset gets an organisation
``demo-<preset>`` with logins ``<preset>-clerk`` … and a few cases (:mod:`tousu.demo.family`).

Every case is walked through the real actions (:mod:`tousu.cases.actions`) as the person
who would take each step, at past times spread over the last six weeks, so deadlines (some
overdue, some due soon), event chains and case numbers are exactly what real use would
produce. Steps after the registration wait for the office's working hours on working days.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from tousu.cases.access import Actor, actor_for
from tousu.cases.actions import ACTION_FUNCTIONS
from tousu.cases.errors import TousuError
from tousu.cases.inputs import RegisterIn
from tousu.cases.intake import register
from tousu.cases.models import Case, Status
from tousu.clock.overrides import calendar_for, clear_cache
from tousu.demo import family, hospital
from tousu.demo.roster import seed_roster
from tousu.demo.script import Script
from tousu.i18n import bilingual
from tousu.orgs import models as org_models
from tousu.orgs.models import Membership, Organisation
from tousu.orgs.people import display_name
from tousu.orgs.roles import Role
from tousu.orgs.services import create_user
from tousu.policy import models as policy_models
from tousu.policy.loader import parse_toml, preset_names, preset_source
from tousu.policy.schema import Policy, WorkingHours
from tousu.policy.services import create_org

DEFAULT_PRESET = "hospital"
SLUG = "demo"
NAME = "示范医院 Demo Hospital"
PASSWORD = "tousu-demo"  # noqa: S105 — the published password of the demo logins
API_BASE = f"/api/v1/orgs/{SLUG}/"
PERSONAS = hospital.PERSONAS
WALK = (
    "  A phone complaint from start to end: clerk registers it (登记), dispatcher accepts",
    "  and routes it (受理, 分办), handler records, resolves and replies (办结, 答复), clerk",
    "  records the follow-up (回访), supervisor closes it (结案).",
)


class DemoError(RuntimeError):
    """The demo cannot be loaded (nothing was created)."""


@dataclass(frozen=True)
class Family:
    """One demo organisation: which preset, where, who works there, what happened."""

    preset: str
    slug: str
    name: str
    personas: tuple[tuple[str, str, str | None], ...]
    scripts: list[Script]
    night: tuple[str, ...]
    hotline: tuple[str, ...]
    hours: WorkingHours
    # username -> (name, title) as pages and documents show them.
    names: dict[str, tuple[str, str]]
    # The roster reaches back over the cases' weeks and ahead by ``roster_days_ahead``.
    roster_days_back: int = 2
    roster_days_ahead: int = 7

    @property
    def usernames(self) -> list[str]:
        return [username for username, _, _ in self.personas]

    def login(self, persona: str) -> str:
        """The username of a persona (``clerk`` → ``clerk`` or ``tobacco-clerk``)."""
        return persona if self.preset == DEFAULT_PRESET else f"{self.preset}-{persona}"


def family_of(preset: str = DEFAULT_PRESET) -> Family:
    """The demo of a preset; an unknown name is a DemoError listing the choices."""
    if preset not in preset_names():
        raise DemoError(f"unknown preset {preset!r}; choose one of: {', '.join(preset_names())}")
    policy: Policy = parse_toml(preset_source(preset))
    if preset == DEFAULT_PRESET:
        return Family(
            preset, SLUG, NAME, hospital.PERSONAS, hospital.SCRIPTS,
            hospital.NIGHT, hospital.HOTLINE, policy.working_hours, hospital.NAMES,
            roster_days_back=45,
            roster_days_ahead=14,
        )  # fmt: skip
    name = f"示范单位（{policy.identity.name_zh}） Demo: {policy.identity.name_en}"
    p = f"{preset}-"
    return Family(
        preset, f"{SLUG}-{preset}", name, family.personas(preset, policy),
        family.scripts(preset, policy), tuple(p + n for n in family.NIGHT),
        tuple(p + n for n in family.HOTLINE), policy.working_hours,
        family.names(preset, policy),
    )  # fmt: skip


def _received_days(scripts: list[Script], today: date) -> dict[str, date]:
    """The day each script's case is received (``weekday`` and ``follows`` resolved)."""
    days: dict[str, date] = {}
    for script in sorted(scripts, key=lambda s: bool(s.follows)):
        if script.follows:
            day = days[script.follows] + timedelta(days=script.days_ago)
        else:
            day = today - timedelta(days=script.days_ago)
            if script.weekday is not None:
                day -= timedelta(days=(day.weekday() - script.weekday) % 7)
        days[script.key] = day
    return days


def _at(day: date, clock: str, tz: ZoneInfo) -> datetime:
    hour, minute = (int(p) for p in clock.split(":"))
    return datetime.combine(day, time(hour, minute), tzinfo=tz)


def plan(
    now: datetime, tz: ZoneInfo, scripts: list[Script] | None = None,
    hours: WorkingHours | None = None, working_day: Any = None,
) -> list[tuple[datetime, Script, int]]:  # fmt: skip
    """Every step of every script, in time order; step 0 is the registration.

    Registrations keep their hour (duty staff take calls at night); later steps wait for
    office hours on a working day (``working_day(date)``, default Monday to Friday).
    Times are never later than ``now``: a script that would run into the future is
    squeezed into the minutes before it.
    """
    scripts = hospital.SCRIPTS if scripts is None else scripts
    hours = hours or WorkingHours()
    is_open = working_day or (lambda d: d.weekday() < 5)

    def office(at: datetime) -> datetime:
        if at.timetz().replace(tzinfo=None) >= hours.end:
            at = datetime.combine(at.date() + timedelta(days=1), hours.start, tzinfo=tz)
        elif at.timetz().replace(tzinfo=None) < hours.start:
            at = datetime.combine(at.date(), hours.start, tzinfo=tz)
        while not is_open(at.date()):
            at = datetime.combine(at.date() + timedelta(days=1), hours.start, tzinfo=tz)
        return at

    today = now.astimezone(tz)
    days = _received_days(scripts, today.date())
    items: list[tuple[datetime, Script, int]] = []
    for script in scripts:
        times = [_at(days[script.key], script.at, tz) + timedelta(hours=script.after)]
        for step in script.steps:
            times.append(office(times[-1] + timedelta(hours=step[0])))
        n = len(times)
        for i, at in enumerate(times):
            items.append((min(at, now - timedelta(minutes=n - i)), script, i))
    return sorted(items, key=lambda item: item[0])


def _refs(payload: dict[str, Any], numbers: dict[str, str], at: datetime) -> dict[str, Any]:
    def value(v: Any) -> Any:
        if v == "@now":
            return at.isoformat()
        if isinstance(v, str) and v.startswith("@"):
            return numbers[v[1:]]
        return v

    return {k: value(v) for k, v in payload.items()}


def _play(org: Organisation, fam: Family, actors: dict[str, Actor], now: datetime) -> None:
    tz = ZoneInfo(org.time_zone)
    cal = calendar_for(org.pk)
    days = _received_days(fam.scripts, now.astimezone(tz).date())
    ids: dict[str, int] = {}
    numbers: dict[str, str] = {}
    for at, script, i in plan(now, tz, fam.scripts, fam.hours, cal.is_working_day):
        action = "register" if i == 0 else script.steps[i - 1][2]
        try:
            if i == 0:
                received = min(_at(days[script.key], script.at, tz), at)
                data = RegisterIn.model_validate({**script.case, "received_at": received})
                case = register(actors[script.by], data, now=at)
                ids[script.key], numbers[script.key] = case.pk, str(case.number)
                continue
            _, persona, action, payload = script.steps[i - 1]
            function, model = ACTION_FUNCTIONS[action]
            function(
                ids[script.key],
                actor=actors[persona],
                data=model.model_validate(_refs(payload, numbers, at)),
                now=at,
            )
        except (TousuError, ValueError) as exc:  # refused, or input the models reject
            raise DemoError(f"case {script.key!r}, step {i} ({action}): {exc}") from exc


def load_demo(now: datetime | None = None, preset: str = DEFAULT_PRESET) -> bool:
    """Create the demo organisation of a preset family, its logins and cases; False if it
    already exists. Nothing is written when it cannot be loaded (DemoError)."""
    fam = family_of(preset)
    if Organisation.objects.filter(slug=fam.slug).exists():
        return False
    taken = get_user_model().objects.filter(username__in=fam.usernames)
    if taken.exists():
        names = ", ".join(sorted(u.get_username() for u in taken))
        raise DemoError(
            f"users {names} already exist; the demo would reset their passwords, so it stops"
        )
    now = now or timezone.now()
    try:
        _load(fam, now)
    except BaseException:
        _forget_caches()  # ids rolled back may be reused (SQLite): no stale cached policy
        raise
    return True


def _forget_caches() -> None:
    org_models._DEPARTMENT_IDS.clear()
    policy_models._LOADED.clear()
    clear_cache()


def _load(fam: Family, now: datetime) -> None:
    with transaction.atomic():
        org = create_org(fam.slug, fam.name, fam.preset)
        actors: dict[str, Actor] = {}
        for username, role, department in fam.personas:
            name, title = fam.names.get(username, ("", ""))
            user = create_user(
                username, org=org, role=role, department=department, password=PASSWORD,
                name=name, title=title,
            )  # fmt: skip
            if role == Role.ADMINISTRATOR:
                user.is_staff = True
                user.save(update_fields=["is_staff"])
            actors[username] = actor_for(user, fam.slug)
        seed_roster(
            by=actors[fam.login("admin")], night=fam.night, hotline=fam.hotline, now=now,
            days_back=fam.roster_days_back, days_ahead=fam.roster_days_ahead,
        )  # fmt: skip
        _play(org, fam, actors, now)


def status_counts(org: Organisation) -> dict[str, int]:
    rows = Case.objects.filter(org=org).values_list("status").annotate(n=Count("pk"))
    found = dict(rows)
    return {s.value: found[s.value] for s in Status if found.get(s.value)}


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * max(width - _width(text), 0)


def summary(org: Organisation) -> str:
    """The logins, where to go, and how many cases are in which status."""
    memberships = (
        Membership.objects.filter(org=org, active=True)
        .select_related("user", "user__staff_profile", "department")
        .order_by("pk")
    )
    rows = [("username", "password", "role", "name", "department")]
    for m in memberships:
        dept = f"{m.department.name} ({m.department.code})" if m.department else "—"
        rows.append(
            (m.user.get_username(), PASSWORD, bilingual(Role(m.role).label),
             display_name(m.user), dept)
        )  # fmt: skip
    widths = [max(_width(row[c]) for row in rows) for c in range(4)]
    preset = org.active_policy.preset if org.active_policy else DEFAULT_PRESET
    fam = family_of(preset) if preset in preset_names() else family_of()
    admin, clerk = fam.login("admin"), fam.login("clerk")
    lines = [f"{org.name} — organisation '{org.slug}', preset '{preset}'", ""]
    for n, row in enumerate(rows):
        lines.append("  " + "  ".join(_pad(row[c], widths[c]) for c in range(4)) + "  " + row[4])
        if n == 0:
            lines.append("  " + "  ".join("-" * w for w in widths) + "  " + "-" * 10)
    counts = status_counts(org)
    labels = dict(Status.choices)
    base = settings.TOUSU_BASE_URL.rstrip("/")
    lines += [
        "",
        f"Staff desk:   {base}/  (工作台; sign in with a login above)",
        *(WALK if preset == DEFAULT_PRESET else ()),
        f"Public portal: {base}/o/{org.slug}/",
        f"Django admin: {base}/admin/  (log in as {admin} / {PASSWORD})",
        f"API base:     /api/v1/orgs/{org.slug}/  (a token: tousu token create {clerk})",
        "",
        f"Cases: {sum(counts.values())}",
    ]
    for status, n in counts.items():
        lines.append(f"  {_pad(status, 13)} {n:>3}  {labels[status]}")
    return "\n".join(lines)
