"""Personal-information requests (PIPL, 个人信息保护法 第四十五条): what is held about a person.

The person is found by blind index (phone, ID number or e-mail), never by searching
plain text. The request itself is recorded, with the index rather than the value.
"""

from __future__ import annotations

from typing import Any

from tousu.cases.models import Party
from tousu.orgs.models import Organisation
from tousu.orgs.services import audit
from tousu.privacy.crypto import blind_index

INDEXES = {"phone": "phone_index", "id_number": "id_index", "email": "email_index"}


def export_person(org: Organisation, kind: str, value: str, *, requested_by: str) -> dict[str, Any]:
    """Everything this organisation holds about the person, case by case."""
    index = blind_index(kind, value)
    parties = (
        Party.objects.filter(case__org=org, **{INDEXES[kind]: index})
        .select_related("case")
        .order_by("case_id", "pk")
        if index
        else Party.objects.none()
    )
    cases: dict[str, dict[str, Any]] = {}
    for party in parties:
        case = party.case
        entry = cases.setdefault(
            str(case.number),
            {
                "number": case.number,
                "kind": case.kind,
                "status": case.status,
                "received_at": case.received_at.isoformat(),
                "content": case.content,
                "demands": case.demands,
                "records_of_you": [],
            },
        )
        entry["records_of_you"].append(
            {
                "role": party.role,
                "current": party.superseded_at is None,
                "name": party.name,
                "phone": party.phone,
                "email": party.email,
                "address": party.address,
                "employer": party.employer,
                "id_number": party.id_number,
                "consent_share_identity": party.consent_share_identity,
            }
        )
    audit("pipl.export", org, org=org, kind=kind, index=index, cases=len(cases),
          requested_by=requested_by)  # fmt: skip
    return {"organisation": org.slug, "found_by": kind, "cases": list(cases.values())}
