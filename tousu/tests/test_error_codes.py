"""One registry of error codes (tousu.errors), and the API document and sources agree with it.

Clients switch on ``code``: a code the OpenAPI document does not list, or one written in a
module but never registered, is a contract broken without anyone noticing.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.test import Client
from django.utils.translation import gettext_lazy

from tousu.cases.errors import TousuError, conflict
from tousu.errors import CODES, UnregisteredErrorCode

SOURCES = Path(__file__).resolve().parents[1]

# The calls that carry an error code, and which positional argument holds it.
CODE_ARGUMENT = {"TousuError": 0, "conflict": 0, "unavailable": 1}
# Keyword arguments holding (code, zh, en) for an error answered later (documents' ``missing``).
CODE_TRIPLE_KEYWORD = {"missing"}
# The status each call answers with when it is not written at the call.
IMPLIED_STATUS = {"conflict": 409}


def _name(call: ast.Call) -> str | None:
    if isinstance(call.func, ast.Name):
        return call.func.id
    if isinstance(call.func, ast.Attribute):
        return call.func.attr
    return None


def written_codes(source: str, where: str) -> Iterator[tuple[str, str, int | None]]:
    """(where, code, status) for each literal code passed to an error-raising call."""
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        name = _name(node)
        for keyword in node.keywords:
            triple = keyword.value
            if keyword.arg in CODE_TRIPLE_KEYWORD and isinstance(triple, ast.Tuple) and triple.elts:
                first = triple.elts[0]
                if isinstance(first, ast.Constant) and isinstance(first.value, str) and first.value:
                    yield f"{where}:{node.lineno}", first.value, None
        if name not in CODE_ARGUMENT or len(node.args) <= CODE_ARGUMENT[name]:
            continue
        arg = node.args[CODE_ARGUMENT[name]]
        if not (isinstance(arg, ast.Constant) and isinstance(arg.value, str)):
            continue
        status = IMPLIED_STATUS.get(name)
        for keyword in node.keywords:
            value = keyword.value
            if keyword.arg == "status" and isinstance(value, ast.Constant):
                assert isinstance(value.value, int), f"{where}:{node.lineno}"
                status = value.value
        yield f"{where}:{node.lineno}", arg.value, status


def unregistered(source: str, where: str) -> list[str]:
    """Each literal code not in the registry, or answered with another status than it says."""
    found = []
    for at, code, status in written_codes(source, where):
        if code not in CODES:
            found.append(f"{at}: {code!r} is not registered")
        elif status is not None and status != CODES[code].status:
            found.append(f"{at}: {code!r} answers {status}, the registry says {CODES[code].status}")
    return found


def _modules() -> Iterator[Path]:
    for path in sorted(SOURCES.rglob("*.py")):
        parts = path.relative_to(SOURCES).parts
        if "tests" in parts or "migrations" in parts:
            continue
        yield path


def test_every_error_code_written_in_the_sources_is_registered() -> None:
    found: list[str] = []
    for path in _modules():
        found += unregistered(path.read_text(encoding="utf-8"), str(path.relative_to(SOURCES)))
    assert not found, "\n".join(found)


def test_the_source_scan_names_a_code_that_is_not_registered() -> None:
    source = (
        "def f():\n"
        "    raise TousuError('already_recused', '已回避', 'Already recused', status=409)\n"
        "def g():\n"
        "    raise errors.TousuError('made_up_code', '中', 'en', status=409)\n"
        "def h():\n"
        "    raise conflict('no_such_conflict', '中', 'en')\n"
        "def i():\n"
        "    raise TousuError('already_recused', '已回避', 'Already recused', status=418)\n"
        "def j(request):\n"
        "    return unavailable(request, 'nothing_to_print', '中', 'en')\n"
        "def k(request):\n"
        "    return _render(request, 'x', missing=('no_such_document', '中', 'en'))\n"
    )
    assert unregistered(source, "m.py") == [
        "m.py:4: 'made_up_code' is not registered",
        "m.py:6: 'no_such_conflict' is not registered",
        "m.py:8: 'already_recused' answers 418, the registry says 409",
        "m.py:10: 'nothing_to_print' is not registered",
        "m.py:12: 'no_such_document' is not registered",
    ]


def test_an_unregistered_code_fails_where_the_error_is_made() -> None:
    with pytest.raises(UnregisteredErrorCode, match="made_up_code"):
        TousuError("made_up_code", "中文", status=409)
    with pytest.raises(UnregisteredErrorCode, match="made_up_conflict"):
        conflict("made_up_conflict", "中文")


def test_a_registered_error_keeps_its_message_and_status() -> None:
    body = TousuError("already_recused", gettext_lazy("已回避"), status=409)
    assert body.status == 409
    assert body.as_json() == {
        "code": "already_recused",
        "message": {"zh": "已回避", "en": "Already recused"},
    }


def test_every_registered_code_has_a_status_and_both_languages() -> None:
    for code, entry in CODES.items():
        assert entry.code == code
        assert 400 <= entry.status <= 599, code
        assert entry.zh.strip() and entry.en.strip(), code
        assert "\n" not in entry.zh + entry.en, code


def test_the_openapi_document_lists_every_registered_error_code() -> None:
    schema = Client().get("/api/v1/openapi.json").json()
    code = schema["components"]["schemas"]["ErrorOut"]["properties"]["code"]
    assert code["type"] == "string"
    assert code["enum"] == list(CODES)
    for entry in CODES.values():
        assert f"`{entry.code}` ({entry.status})" in code["description"]


def test_every_error_response_in_the_openapi_document_is_an_error_out() -> None:
    schema = Client().get("/api/v1/openapi.json").json()
    statuses = set()
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            for status, response in operation["responses"].items():
                if int(status) < 400:
                    continue
                statuses.add(int(status))
                content = response["content"]["application/json"]["schema"]
                assert content == {"$ref": "#/components/schemas/ErrorOut"}, (path, method)
    assert statuses <= {entry.status for entry in CODES.values()}


def test_the_api_answers_a_missing_token_with_a_registered_code() -> None:
    response = Client().get("/api/v1/orgs/demo/cases")
    assert response.status_code == 401
    assert response.json()["code"] == "unauthenticated"
    assert CODES["unauthenticated"].status == 401


def test_the_api_answers_impossible_text_with_a_registered_code() -> None:
    response = Client().get("/api/v1/orgs/demo/cases?q=%00")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid_characters"
    assert CODES[body["code"]].status == 400
