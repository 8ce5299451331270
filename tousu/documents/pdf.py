"""HTML to PDF with WeasyPrint: A4, the organisation's letterhead, Chinese fonts embedded.

Imported on the first document rendered (through :func:`tousu.documents.render.render_pdf`):
WeasyPrint and its font tools take some 40 MiB a process needs only once it prints.

Nothing is fetched from the network while rendering. Fonts come from the system
(fontconfig: fonts-noto-cjk) and the only resources a document may load are
``data:`` URLs and files under this app's own static directory; every other URL
is refused by :class:`LocalFetcher` (WeasyPrint then renders without it).

Text that XML 1.0 cannot hold (control characters, lone surrogates) is kept as typed in
the record but printed as U+FFFD (:func:`tousu.web.cells.xml_text`, as in every
export): WeasyPrint cannot lay out a lone surrogate, and a control character would
otherwise land in the PDF's text layer, where copying and searching meet it.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from urllib.request import url2pathname

from weasyprint import CSS, HTML
from weasyprint.urls import URLFetcher

from tousu.documents.render import STATIC_DIR, STYLESHEET
from tousu.web.cells import xml_text


class LocalFetcher(URLFetcher):  # type: ignore[misc]
    """Fetches ``data:`` URLs and our own static files; refuses everything else."""

    def __init__(self, root: Path = STATIC_DIR) -> None:
        super().__init__(allowed_protocols=("data", "file"), allow_redirects=False)
        self.root = root.resolve()

    def allowed(self, url: str) -> bool:
        scheme = url.partition(":")[0].lower()
        if scheme == "data":
            return True
        if scheme != "file":
            return False
        parts = urlsplit(url)
        if parts.netloc not in ("", "localhost"):
            return False
        return Path(url2pathname(parts.path)).resolve().is_relative_to(self.root)

    def fetch(self, url: str, headers: Any = None) -> Any:
        if not self.allowed(url):
            raise ValueError(f"not fetched while rendering a document: {url[:100]}")
        return super().fetch(url, headers)


@functools.cache
def _stylesheet() -> Any:
    return CSS(filename=str(STYLESHEET), url_fetcher=LocalFetcher())


def render_pdf(html: str) -> bytes:
    """One document as PDF bytes (fonts subset and embedded)."""
    fetcher = LocalFetcher()
    document = HTML(string=xml_text(html), base_url=STATIC_DIR.as_uri() + "/", url_fetcher=fetcher)
    pdf: bytes = document.write_pdf(stylesheets=[_stylesheet()])
    return pdf
