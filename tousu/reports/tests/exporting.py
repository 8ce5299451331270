"""Exports as a test asks for them: the desk's button, the job (run inline), the download."""

from __future__ import annotations

import io
import re
from typing import Any

from django.test import Client, TestCase
from openpyxl import Workbook, load_workbook

from tousu.reports.models import Export

_EXPORT = re.compile(r"#export-(\d+)$")


def ask(client: Client, path: str, data: Any = None) -> tuple[Any, Export | None]:
    """POST ``path`` (an export button or a bulk bar), running what waits for the commit
    (the job, inline); the response and the export it started, if any."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(path, data or {})
    found = _EXPORT.search(response.get("Location", "")) if response.status_code == 302 else None
    return response, Export.objects.get(pk=int(found.group(1))) if found else None


def download(client: Client, org: str, export: Export) -> Any:
    return client.get(f"/desk/{org}/ledger/exports/{export.pk}/download")


def ledger(client: Client, org: str = "acme", **params: Any) -> Any:
    """The ledger's export with these filters, downloaded (or the refusal to start it)."""
    response, export = ask(client, f"/desk/{org}/ledger/export.xlsx", params)
    if export is None:
        return response
    return download(client, org, export)


def workbook(response: Any) -> Workbook:
    assert response.status_code == 200, response.content[:500]
    return load_workbook(io.BytesIO(b"".join(response.streaming_content)))
