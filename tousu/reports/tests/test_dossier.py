"""The yearly dossier (案宗): one year's totals and its cases in order."""

from __future__ import annotations

import re
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from tousu.cases.models import Case
from tousu.reports.tests.conftest import numbers


def _totals(html: str, table: str) -> dict[str, int]:
    start = html.index(f'id="{table}"')
    body = html[start : html.index("</table>", start)]
    return {code: int(n) for code, n in re.findall(r'data-code="([^"]*)">(\d+)<', body)}


def _fresh_year(number: str) -> int:
    received = Case.objects.get(number=number).received_at
    return timezone.localtime(received, ZoneInfo("Asia/Shanghai")).year


def test_the_dossier_counts_the_years_cases(world, desk, cases):
    fresh_in_2026 = _fresh_year(cases.fresh) == 2026
    r = desk("supervisor").get("ledger/dossier/2026/")
    assert r.status_code == 200
    html = r.content.decode()
    expected = [cases.fees, cases.service, cases.report] + ([cases.fresh] if fresh_in_2026 else [])
    assert numbers(r) == expected  # in the order received, each linking to its case page
    assert f'<td>{len(expected)}</td><th scope="row"><a href="/desk/acme/cases/' in html
    extra = 1 if fresh_in_2026 else 0
    assert _totals(html, "by-status") == {
        "in_progress": 2,
        "followed_up": 1,
        **({"registered": 1} if fresh_in_2026 else {}),
    }
    assert _totals(html, "by-category") == {
        "fees": 1,
        "service_attitude": 1,
        "misconduct": 1,
        **({"other": 1} if fresh_in_2026 else {}),
    }
    assert _totals(html, "by-channel") == {"phone": 1 + extra, "visit": 1, "letter": 1}
    months = _totals(html, "by-month")
    assert len(months) == 12 and sum(months.values()) == len(expected)
    assert months["3"] == 1 and months["7"] == 1 and months["9"] == 1 and months["1"] == 0
    assert f"共 {len(expected)} 件" in html


def test_the_year_is_the_organisations_local_year(world, desk, cases):
    # Received 2025-12-15 16:00 in Shanghai: filed under 2025, not 2026.
    r = desk("supervisor").get("ledger/dossier/2025/")
    assert numbers(r) == [cases.rejected]
    assert _totals(r.content.decode(), "by-status") == {"rejected": 1}
    assert _totals(r.content.decode(), "by-month")["12"] == 1


def test_the_dossier_holds_only_what_the_viewer_may_see(world, desk, cases):
    r = desk("handler2").get("ledger/dossier/2026/")
    assert numbers(r) == [cases.service]
    assert _totals(r.content.decode(), "by-status") == {"in_progress": 1}
    assert cases.fees not in r.content.decode()


@pytest.mark.parametrize("year", ["1989", "2200", "99999"])
def test_a_year_out_of_range_is_not_found(world, desk, year):
    assert desk("supervisor").get(f"ledger/dossier/{year}/").status_code == 404


def test_the_dossier_is_printable(world, desk, cases):
    html = desk("supervisor").get("ledger/dossier/2026/").content.decode()
    assert 'class="no-print"' in html and "data-print" in html
    assert "<caption>" in html and 'scope="col"' in html
    assert "/desk/acme/ledger/dossier/2025/" in html  # the previous year, a click away
