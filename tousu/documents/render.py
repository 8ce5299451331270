"""HTML to PDF: :func:`render_pdf`, with WeasyPrint (:mod:`tousu.documents.pdf`) loaded on
the first document, not with the pages that may print one."""

from __future__ import annotations

from pathlib import Path

STATIC_DIR = Path(__file__).resolve().parent / "static" / "documents"
STYLESHEET = STATIC_DIR / "print.css"


def render_pdf(html: str) -> bytes:
    """One document as PDF bytes (fonts subset and embedded)."""
    from tousu.documents import pdf  # WeasyPrint: only once a document is printed

    return pdf.render_pdf(html)
