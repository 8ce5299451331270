"""No N+1 in the API: the list endpoints answer with 7 cases (one in each state) in as many
queries as with 21, and a case with much on it (files, notes, messages, remedies,
sub-tasks, extensions, pauses) in as many as with little."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tousu.desk.tests.crowd import Page, check_page, crowd_measured
from tousu.tests.queries import Counted

V = "/api/v1/orgs/acme/"
PAGES: dict[str, Page] = {
    "cases": Page("supervisor", V + "cases?limit=50", 7, api=True),
    "cases filtered": Page("supervisor", V + "cases?kind=complaint&limit=50", 7, api=True),
    "cases of a department": Page("head", V + "cases?limit=50", 10, api=True),
    "notifications": Page("handler", V + "notifications?limit=200", 6, api=True),
    "notifications (owner)": Page("clerk", V + "notifications?limit=200", 6, api=True),
    # Decisions about the person: the restricted view of each decided case.
    "about me": Page("handler2", V + "about-me", 8, api=True),
    "staff record": Page("leader", V + "people/handler2/record", 11, api=True),
}


@pytest.fixture(scope="module")
def counts(
    django_db_setup: None, django_db_blocker: Any, tmp_path_factory: Any
) -> Iterator[dict[str, tuple[Counted, Counted]]]:
    with crowd_measured(django_db_blocker, tmp_path_factory.mktemp("files"), PAGES) as measured:
        yield measured


@pytest.mark.parametrize("name", list(PAGES))
def test_an_api_list_reads_its_rows_in_a_fixed_number_of_queries(
    counts: dict[str, tuple[Counted, Counted]], db: None, name: str
) -> None:
    few, many = counts[name]
    check_page(PAGES[name], few, many)
