"""Printed documents survive any text the intake accepted, and print it as typed."""

from __future__ import annotations

import io
import re
from typing import Any

from pypdf import PdfReader

from tousu.documents.render import render_pdf

CONTROLS = "ctrl \x1b[31m \x07"


def _text(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    return re.sub(r"\s+", "", "".join(page.extract_text() for page in reader.pages))


def test_a_lone_surrogate_or_control_in_a_document_prints_as_a_replacement_mark():
    html = f"<html><body><p>甲{CONTROLS}乙\ud800丙\ufffe丁\x00戊</p></body></html>"
    text = _text(render_pdf(html))
    assert "甲ctrl\ufffd[31m\ufffd乙\ufffd丙\ufffd丁\ufffd戊" in text


def test_a_registration_form_with_control_characters_prints(world: Any, desk: Any) -> None:
    r = world.api("clerk").register(
        content=f"重复收费 {CONTROLS} 请退费",
        complainant={"anonymous": False, "name": "王\x08建国", "phone": "13912345678"},
        subject={"type": "department", "name": "=1+2 \x1f收费处"},
    )
    assert r.status_code == 201, r.content
    number = r.json()["number"]
    response = desk("clerk").get(f"cases/{number}/documents/registration.pdf")
    assert response.status_code == 200, response.content[:500]
    text = _text(response.content)
    assert "重复收费ctrl\ufffd[31m\ufffd请退费" in text
    assert "王\ufffd建国" in text and "=1+2\ufffd收费处" in text
