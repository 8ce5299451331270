"""No N+1 in the administration: each page that lists staff, departments, holidays, policy
versions or the audit trail reads them in a fixed number of queries, the same with 7 of
each as with 21, under a ceiling that catches a regression."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tousu.desk.tests.crowd import Page, check_page, crowd_measured
from tousu.tests.queries import Counted

M = "/desk/acme/manage/"
PAGES: dict[str, Page] = {
    # The overview: counts, the next five holidays and the latest twenty audit records.
    "overview": Page("admin", M, 27, rows=r"停工\d+|staff\d+", capped=True),
    "staff": Page("admin", M + "staff/", 9, rows=r"staff\d+"),
    # One person with a role in each new department.
    "member": Page("admin", M + "staff/{multi}/", 14, rows=r"第\d+小组"),
    "departments": Page("admin", M + "departments/", 11, rows=r"第\d+小组"),
    # A department with its sub-departments and their people.
    "department": Page("admin", M + "departments/finance/", 14, rows=r"第\d+小组"),
    "holidays": Page("admin", M + "holidays/", 10, rows=r"停工\d+"),
    "policy versions": Page("admin", M + "policy/versions/", 12, rows=r"versions/(\d+)/"),
}


@pytest.fixture(scope="module")
def counts(
    django_db_setup: None, django_db_blocker: Any, tmp_path_factory: Any
) -> Iterator[dict[str, tuple[Counted, Counted]]]:
    with crowd_measured(
        django_db_blocker, tmp_path_factory.mktemp("files"), PAGES, cases=False
    ) as measured:
        yield measured


@pytest.mark.parametrize("name", list(PAGES))
def test_an_administration_list_reads_its_rows_in_a_fixed_number_of_queries(
    counts: dict[str, tuple[Counted, Counted]], db: None, name: str
) -> None:
    few, many = counts[name]
    check_page(PAGES[name], few, many)
