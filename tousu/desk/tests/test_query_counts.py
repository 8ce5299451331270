"""No N+1 on the desk: every page that lists cases or other rows reads them in a fixed
number of queries, the same with 7 cases (one in each state) as with 21 — each with its
complainant, subject, file, notes, clocks (overdue ones among them), requests waiting for a
decision and notices — and under a ceiling that catches a regression."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from tousu.tests.queries import Counted

from .crowd import PHONE, Page, check_page, crowd_measured

A = "/desk/acme/"
YEAR = timezone.localdate(timezone.now(), ZoneInfo("Asia/Shanghai")).year
# On a staff record: the complaints (by date) and the penalties (by their reason).
CASE_OR_PENALTY = r"TS-\d{4}-\d{6}|<td>\d{4}-\d{2}-\d{2}"
PAGES: dict[str, Page] = {
    # Queues: every queue, as the persona it belongs to.
    "queue mine (clerk)": Page("clerk", A + "queue/mine/", 13),
    "queue mine (handler)": Page("handler", A + "queue/mine/", 13),
    "queue department": Page("head", A + "queue/department/", 27),
    "queue dispatch": Page("dispatcher", A + "queue/dispatch/", 15),
    "queue dispatch filtered": Page("dispatcher", A + "queue/dispatch/?kind=complaint", 16),
    "queue close": Page("supervisor", A + "queue/close/", 24),
    "queue approvals (leader)": Page("leader", A + "queue/approvals/", 20),
    "queue approvals (supervisor)": Page("supervisor", A + "queue/approvals/", 23),
    "queue due soon": Page("supervisor", A + "queue/due_soon/", 23),
    "queue overdue": Page("auditor", A + "queue/overdue/", 12),
    "queue follow-up": Page("clerk", A + "queue/follow_up/", 13),
    "queue counts": Page(
        "supervisor", A + "queues/counts/", 16, rows=r'class="count">(\d+)', sums=True
    ),
    # The inbox, saved filters, snippets.
    "inbox": Page("handler", A + "inbox/", 14),
    "saved filters (ledger)": Page(
        "supervisor", A + "filters/?view=ledger", 8, rows=r"收费投诉\d+"
    ),
    "saved filters (queue)": Page(
        "handler", A + "filters/?view=queue:dispatch", 9, rows=r"举报\d+"
    ),
    "snippets": Page("supervisor", A + "snippets/", 10, rows=r"答复模板\d+"),
    # The ledger.
    "ledger": Page("supervisor", A + "ledger/", 34),
    # (The identity facts of the listed cases are asked only when some row needs them.)
    "ledger filtered": Page("supervisor", A + "ledger/?overdue=yes", 32, conditional=1),
    # The yearly dossier (案宗): every case of the year.
    "dossier": Page("supervisor", A + f"ledger/dossier/{YEAR}/", 13),
    # Duty: my duty page with the hand-over notes to the office.
    "my duty": Page("dispatcher", A + "duty/mine/", 13, rows=r"交接第\d+件事"),
    # Duty: the roster with its shifts and hand-over notes.
    "duty roster": Page("supervisor", A + "duty/", 11, rows=r"第\d+班|交接第\d+件事"),
    # A person's record: penalties proposed against them.
    "staff record": Page("handler2", A + "people/handler2/", 19, rows=CASE_OR_PENALTY),
    "staff record (reader)": Page("leader", A + "people/handler2/", 15, rows=CASE_OR_PENALTY),
    # Duplicate look-up of the registration form: the open cases of the same phone number
    # (at most ten).
    "lookup": Page("clerk", A + f"lookup/?c_phone={PHONE}", 11),
}


@pytest.fixture(scope="module")
def counts(
    django_db_setup: None, django_db_blocker: Any, tmp_path_factory: Any
) -> Iterator[dict[str, tuple[Counted, Counted]]]:
    with crowd_measured(django_db_blocker, tmp_path_factory.mktemp("files"), PAGES) as measured:
        yield measured


@pytest.mark.parametrize("name", list(PAGES))
def test_a_desk_list_reads_its_rows_in_a_fixed_number_of_queries(
    counts: dict[str, tuple[Counted, Counted]], db: None, name: str
) -> None:
    few, many = counts[name]
    check_page(PAGES[name], few, many)
