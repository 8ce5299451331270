"""Quick registration on the desk: the form, its checks, and the hint of open cases with the
same phone number or subject while the clerk types."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.contrib import messages
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods
from pydantic import ValidationError as PydanticError

from tousu.cases import actions, inputs, intake
from tousu.cases.access import identity_visibility, may_register, visible_cases
from tousu.cases.errors import TousuError
from tousu.cases.models import OPEN_STATUSES, Case, Subject
from tousu.cases.values import Channel
from tousu.evidence import services as evidence
from tousu.i18n import localized
from tousu.policy.schema import Policy
from tousu.privacy.crypto import blind_index
from tousu.web import labels, posted
from tousu.web.pages import DeskRequest, desk_view, page

COMPLAINANT_FIELDS = ("name", "phone", "email", "address", "employer", "id_number")
SUBJECT_FIELDS = ("name", "address", "url", "reference", "staff")


@require_http_methods(["GET", "POST"])
@desk_view
def register(request: DeskRequest, org: str) -> HttpResponse:
    desk = request.desk
    if not may_register(desk.actor):
        raise TousuError("action_forbidden", gettext_lazy("您无权登记案件"), status=403)
    channel = request.GET.get("channel", "phone")
    if channel not in Channel.__args__:  # type: ignore[attr-defined]
        channel = "phone"
    errors: dict[str, str] = {}
    values: dict[str, Any] = {"kind": "complaint", "channel": channel}
    if request.method == "POST":
        values = {k: v for k, v in request.POST.items() if k != "csrfmiddlewaretoken"}
        document = _registration(values, desk.tz)
        if "category" in document:
            document["category"] = category_code(desk.policy, document["category"])
        if any(k.startswith("f_") for k in values):
            # The policy's fields in their types (a quantity, 客户加工中未确定, a yes/no).
            document["fields"] = registration_fields(desk.policy, values)
        # Scanned originals: every refusal is shown with the other errors; the files are
        # stored in the registration's transaction, so all of it happens or none of it.
        uploads = request.FILES.getlist("attachments")
        refused = evidence.refusals(uploads)
        if refused:
            errors["attachments"] = " ".join(e.text for e in refused)
        stored: list[evidence.Stored] = []
        try:
            data = inputs.RegisterIn.model_validate(document)
            spot = None
            if values.get("on_the_spot"):
                spot = inputs.ResolveOnTheSpotIn.model_validate(
                    {
                        "findings": values.get("spot_findings", ""),
                        "satisfied": {"true": True, "false": False}.get(
                            values.get("spot_satisfied", "")
                        ),
                    }
                )
            if not refused:
                with evidence.discard_on_error(), transaction.atomic():
                    case = intake.register(desk.actor, data)
                    # Scanned originals of what the person brought: they may show who it is.
                    stored = [
                        evidence.store(case.pk, actor=desk.actor, upload=u, identifying=True)
                        for u in uploads
                    ]
                    if spot is not None:
                        case = actions.resolve_on_the_spot(case.pk, actor=desk.actor, data=spot)
        except PydanticError as exc:
            errors.update(_field_errors(exc))
        except TousuError as exc:
            errors["attachments" if exc.code.startswith("file_") else "form"] = exc.text
        if not errors:
            messages.success(request, gettext("已登记：{number}").format(number=case.number))
            done, same = evidence.outcome(stored)
            if done:
                messages.success(request, done)
            if same:
                messages.info(request, same)
            return redirect("desk:case", org=org, number=case.number)
    context = {
        "values": values,
        "errors": errors,
        "kinds": [(k, labels.kind(k)) for k in desk.policy.kinds],
        "channels": [(c, labels.channel(c)) for c in desk.policy.channels],
        "categories": [
            (c.code, localized(c.name_zh, c.name_en), " ".join(c.examples))
            for c in desk.policy.open_categories
        ],
        "complexities": [("", "—")]
        + [(c, labels.choice(c)) for c in ("general", "complex", "major")],
        "policy_fields": [
            f
            for f in desk.policy.fields
            if (not f.kinds or values.get("kind", "complaint") in f.kinds) and f.group == "intake"
        ],
        "subject_types": [
            (s, labels.choice(s))
            for s in ("staff", "department", "merchant", "product", "content", "other")
        ],
        "letter": channel in {"letter", "visit", "fax", "box"},
        "now_local": timezone.localtime(timezone.now(), desk.tz).strftime("%Y-%m-%dT%H:%M"),
    }
    return page(request, "desk/register.html", context, status=422 if errors else 200)


def category_code(policy: Policy, typed: str) -> str:
    """The category the clerk typed, by its code or its name (收费问题, fees, FEES), as its
    code; anything else as typed, for the registration to refuse with its message."""
    wanted = typed.strip().casefold()
    if not wanted:
        return ""
    for c in policy.categories:
        if wanted in {
            c.code.casefold(),
            c.name_zh.strip().casefold(),
            c.name_en.strip().casefold(),
        }:
            return c.code
    return typed.strip()


def registration_fields(policy: Policy, values: dict[str, Any]) -> dict[str, Any]:
    """The registration form's ``f_<code>`` inputs in their types; ``f_<code>__undetermined``
    says 客户加工中未确定 for a quantity that allows it."""
    specs = {f.code: f for f in policy.fields}
    out: dict[str, Any] = {}
    for key, raw in values.items():
        if not key.startswith("f_") or key.endswith("__undetermined"):
            continue
        spec = specs.get(key[2:])
        flag = values.get(f"{key}__undetermined") in {"on", "true", "1"}
        value = raw if spec is None else posted.policy_field_value(spec, raw, flag)
        if value not in (None, ""):
            out[key[2:]] = value
    for key, raw in values.items():
        code = key[2 : -len("__undetermined")]
        spec = specs.get(code) if key.startswith("f_") and key.endswith("__undetermined") else None
        if spec is not None and spec.undetermined_allowed and raw in {"on", "true", "1"}:
            out[code] = "undetermined"
    return out


def _registration(values: dict[str, Any], tz: Any) -> dict[str, Any]:
    """The posted registration form as a RegisterIn document."""
    anonymous = values.get("anonymous") == "on"
    complainant: dict[str, Any] = {"anonymous": anonymous}
    if not anonymous:
        for name in COMPLAINANT_FIELDS:
            if values.get(f"c_{name}"):
                complainant[name] = values[f"c_{name}"]
        complainant["consent_share_identity"] = values.get("c_consent") == "on"
    document: dict[str, Any] = {
        "kind": values.get("kind", ""),
        "channel": values.get("channel", ""),
        "content": values.get("content", ""),
        "demands": values.get("demands", ""),
        "complainant": complainant,
    }
    for name in ("category", "complexity"):
        if values.get(name):
            document[name] = values[name]
    if values.get("received_at"):
        try:
            document["received_at"] = datetime.fromisoformat(values["received_at"]).replace(
                tzinfo=tz
            )
        except ValueError:
            document["received_at"] = values["received_at"]
    subject = {n: values[f"s_{n}"] for n in SUBJECT_FIELDS if values.get(f"s_{n}")}
    if subject:
        subject["type"] = values.get("s_type") or "other"
        document["subject"] = subject
    fields = {k[2:]: v for k, v in values.items() if k.startswith("f_") and v != ""}
    if fields:
        document["fields"] = fields
    return document


def _field_errors(exc: PydanticError) -> dict[str, str]:
    errors: dict[str, str] = {}
    prefixes = {"complainant": "c_", "subject": "s_", "fields": "f_"}
    for err in exc.errors():
        loc = [str(p) for p in err.get("loc", ())]
        if not loc:
            key = "form"
        elif loc[0] in prefixes and len(loc) > 1:
            key = prefixes[loc[0]] + loc[1]
        else:
            key = loc[0]
        errors[key] = posted.error_message(err)
    return errors


@require_GET
@desk_view
def lookup(request: DeskRequest, org: str) -> HttpResponse:
    """htmx hint while registering: open cases with the same phone number or subject."""
    actor = request.desk.actor
    phone = request.GET.get("c_phone", "").strip()[:50]
    subject = request.GET.get("s_name", "").strip()[:200]
    found: list[Case] = []
    open_cases = visible_cases(actor).filter(status__in=OPEN_STATUSES)
    if phone:
        index = blind_index("phone", phone)
        if index:
            by_phone = list(
                open_cases.filter(
                    parties__phone_index=index, parties__superseded_at__isnull=True
                ).distinct()[:10]
            )
            # Listed by number only. A complaint is found whoever may see its identity (the
            # clerk typed the number in front of them); a sealed report only by those who
            # may see its reporter, or the match would tie the report to the caller.
            visible = identity_visibility(actor, [c for c in by_phone if c.kind == "report"])
            found += [c for c in by_phone if c.kind != "report" or visible[c.pk]]
    if len(subject) >= 2:
        by_subject = open_cases.filter(
            pk__in=Subject.objects.filter(name=subject, superseded_at__isnull=True).values(
                "case_id"
            )
        ).order_by("-received_at")[:10]
        found += [c for c in by_subject if c not in found]
    return page(request, "desk/_lookup.html", {"found": found})
