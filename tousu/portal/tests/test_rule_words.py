"""The public notice and the box forms say a rule's limit from its numbers, version by version."""

from __future__ import annotations

from django.test import Client

from tousu.orgs.models import Organisation
from tousu.policy.loader import parse_toml, preset_source
from tousu.policy.services import activate_policy
from tousu.portal.public import _box_forms_html

TWELVE = (
    preset_source("general")
    .replace("amount = 15\n", "amount = 12\n", 1)
    .replace("受理后15个工作日内答复", "受理后12个工作日内答复", 1)
    .replace("Reply within 15 working days", "Reply within 12 working days", 1)
)


def _notice(org: Organisation, language: str) -> str:
    response = Client(HTTP_ACCEPT_LANGUAGE=language).get(f"/o/{org.slug}/")
    assert response.status_code == 200
    return response.content.decode()


def test_the_notice_follows_the_active_versions_numbers_in_each_language(world) -> None:
    assert "答复：自受理起 15 个工作日" in _notice(world.org, "zh-hans")
    activate_policy(world.org, TWELVE)
    page = _notice(world.org, "zh-hans")
    assert "答复：自受理起 12 个工作日" in page and "受理后12个工作日内答复" in page
    assert "15 个工作日" not in page and "受理后15个工作日" not in page
    assert "自受理起 12 個工作日" in _notice(world.org, "zh-hant")
    english = _notice(world.org, "en")
    assert "12 working day(s) from acceptance" in english
    assert "Reply within 12 working days of acceptance" in english
    # A target is marked as one (the follow-up visit), whatever its wording says.
    assert "（尽力达到的目标）" in page


def test_the_box_forms_print_the_hard_limits_from_the_numbers(world) -> None:
    html = _box_forms_html(world.org, parse_toml(TWELVE), ["1" * 20], "https://example.org/f")
    assert "答复：自受理起 12 个工作日" in html and "15 个工作日" not in html
    assert "受理决定：自收到起 5 个工作日" in html
    assert '投诉 <span class="en">Complaint</span>' in html
    assert "回访" not in html  # a target, not printed as a limit
