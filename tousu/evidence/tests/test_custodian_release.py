"""A file that may identify the person who brought the case: the custodian opens it and
releases it to the case's handlers, or keeps it sealed; an approved reveal opens it too."""

from __future__ import annotations

import hashlib
import re
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from tousu.cases.models import Case, CaseRecord, Event
from tousu.conftest import World
from tousu.evidence.models import Attachment, Download, FileRelease
from tousu.evidence.tests.samples import PNG, upload
from tousu.reporter import receipts

REPORT = {
    "kind": "report",
    "category": "",
    "content": "超市电子秤缺斤短两，每次少计约两百克，附现场照片。",
    "demands": "依法查处",
    "subject_name": "某超市",
    "anonymous": "on",
}


@pytest.fixture
def filed(world: World) -> tuple[Case, str]:
    """An anonymous report from the portal with a photo, accepted and assigned to
    ``handler`` in finance: the case and the photo's SHA-256."""
    client = Client()
    page = client.post(
        "/o/acme/new/",
        {**REPORT, "attachments": SimpleUploadedFile("现场.png", PNG, "image/png")},
        follow=True,
    )
    found = re.search(r'id="receipt">([0-9 ]+)<', page.content.decode())
    assert found, page.content.decode()[:2000]
    case = receipts.find(world.org, found.group(1))
    assert case is not None and case.number
    dispatcher = world.api("dispatcher")
    assert dispatcher.act(case.number, "accept").status_code == 200
    r = dispatcher.act(case.number, "assign", {"lead_department": "finance", "handler": "handler"})
    assert r.status_code == 200, r.content
    attachment = Attachment.objects.get(case=case)
    assert attachment.identifying and attachment.source == "portal"
    return case, attachment.sha256


def _desk(world: World, persona: str) -> Client:
    client = Client()
    client.force_login(world.users[persona])
    return client


def _open(world: World, persona: str, case: Case, sha256: str, org: str = "acme") -> Any:
    return _desk(world, persona).get(f"/desk/{org}/cases/{case.number}/files/{sha256}/")


def _decide(world: World, persona: str, case: Case, sha256: str, **data: str) -> Any:
    return _desk(world, persona).post(
        f"/desk/acme/cases/{case.number}/files/{sha256}/release/", data
    )


def test_the_custodian_opens_a_sealed_file_and_the_opening_is_on_the_record(
    world: World, filed: tuple[Case, str]
) -> None:
    case, sha256 = filed
    r = _open(world, "leader", case, sha256)  # the leader is the policy's custodian
    assert r.status_code == 200, r.content.decode()[:500]
    assert r.content[:8] == b"\x89PNG\r\n\x1a\n"
    event = Event.objects.filter(case=case, type="sealed_file_opened").get()
    assert event.actor_id == world.users["leader"].pk
    assert event.data == {"sha256": sha256, "surface": "desk"}
    assert Download.objects.filter(user=world.users["leader"]).count() == 1
    # The case page offers the custodian the decision.
    page = _desk(world, "leader").get(f"/desk/acme/cases/{case.number}/").content.decode()
    assert f"/files/{sha256}/release/" in page and "向承办人员放行" in page


def test_released_to_the_handlers_and_to_no_one_else(world: World, filed: tuple[Case, str]) -> None:
    case, sha256 = filed
    # Before the release: the case's handler, the head of its department, a supervisor.
    for persona in ("handler", "head", "supervisor"):
        r = _open(world, persona, case, sha256)
        assert r.status_code == 403, persona
        assert "file_restricted" in r.content.decode()
    assert (
        "/release/"
        not in _desk(world, "handler").get(f"/desk/acme/cases/{case.number}/").content.decode()
    )

    r = _decide(
        world, "leader", case, sha256, decision="release", reason="照片仅为现场环境，无举报人影像"
    )
    assert r.status_code == 302 and r["Location"].endswith("#files")
    release = FileRelease.objects.get()
    assert release.decision == "released" and release.decided_by == world.users["leader"]
    assert release.event.type == "file_release_decided"
    assert release.event.data == {"sha256": sha256, "decision": "released"}
    assert CaseRecord.objects.get(pk=release.record_id).body.startswith("照片仅为现场环境")

    # After: the handler and the head of the handling department open it.
    for persona in ("handler", "head"):
        assert _open(world, persona, case, sha256).status_code == 200, persona
    # Not the handlers: an org-wide supervisor still sees it sealed.
    assert _open(world, "supervisor", case, sha256).status_code == 403
    # Another department and another organisation do not even reach the case.
    assert _open(world, "handler2", case, sha256).status_code == 404
    assert _open(world, "outsider", case, sha256).status_code == 404
    assert _open(world, "outsider", case, sha256, org="other").status_code == 404
    page = _desk(world, "handler").get(f"/desk/acme/cases/{case.number}/").content.decode()
    assert "已由保管人向承办人员放行" in page


def test_kept_sealed_closes_it_again(world: World, filed: tuple[Case, str]) -> None:
    case, sha256 = filed
    assert (
        _decide(world, "leader", case, sha256, decision="release", reason="核实现场").status_code
        == 302
    )
    assert _open(world, "handler", case, sha256).status_code == 200
    r = _decide(world, "leader", case, sha256, decision="keep", reason="照片角落可见举报人")
    assert r.status_code == 302
    assert _open(world, "handler", case, sha256).status_code == 403
    assert list(
        Event.objects.filter(case=case, type="file_release_decided")
        .order_by("seq")
        .values_list("data__decision", flat=True)
    ) == ["released", "kept_sealed"]
    assert FileRelease.objects.count() == 2  # both decisions kept


def test_only_a_custodian_decides_with_a_reason_on_an_identifying_file(
    world: World, filed: tuple[Case, str]
) -> None:
    case, sha256 = filed
    # Not a custodian: the handler, the dispatcher.
    for persona in ("handler", "dispatcher"):
        r = _decide(world, persona, case, sha256, decision="release", reason="需要看")
        assert r.status_code == 403, persona
    # No reason; no decision.
    r = _decide(world, "leader", case, sha256, decision="release", reason="  ")
    assert r.status_code == 422 and "理由" in r.content.decode()
    assert _decide(world, "leader", case, sha256, reason="x").status_code == 422
    # Another organisation's staff: the case does not exist for them.
    outsider = _desk(world, "outsider")
    r = outsider.post(
        f"/desk/acme/cases/{case.number}/files/{sha256}/release/",
        {"decision": "release", "reason": "x"},
    )
    assert r.status_code == 404
    # A file that identifies no one needs no release.
    handler = world.api("handler")
    r = handler.client.post(
        f"/api/v1/orgs/acme/cases/{case.number}/files",
        {"file": upload("单据.png", PNG, "image/png")},
        headers=handler._h(),
    )
    assert r.status_code == 201, r.content
    plain = Attachment.objects.get(case=case, identifying=False)
    r = _decide(world, "leader", case, plain.sha256, decision="release", reason="无")
    assert r.status_code == 409 and "file_not_identifying" in r.content.decode()
    assert Event.objects.filter(case=case, type="file_release_decided").count() == 0
    assert not FileRelease.objects.exists()


def test_an_approved_reveal_opens_the_file(world: World, filed: tuple[Case, str]) -> None:
    case, sha256 = filed
    assert case.number
    assert _open(world, "handler", case, sha256).status_code == 403
    r = world.api("handler").act(
        case.number, "request_reveal", {"reason": "需核对举报人提供的照片"}
    )
    assert r.status_code == 200, r.content
    r = world.api("leader").act(
        case.number, "approve_reveal", {"requested_by": "handler", "approved": True}
    )
    assert r.status_code == 200, r.content
    assert _open(world, "handler", case, sha256).status_code == 200
    # Through the API as well.
    api = world.api("handler")
    r = api.client.get(f"/api/v1/orgs/acme/cases/{case.number}/files/{sha256}", headers=api._h())
    assert r.status_code == 200
    assert hashlib.sha256(r.content).hexdigest() == sha256
