"""How the API reads a request: JSON without impossible text, and bodies validated strictly.

* :class:`Parser` reads JSON bodies and refuses any string (key or value, at any depth)
  holding NUL or a lone surrogate (``"\\ud800"``): no database column can store them.
  ``NaN`` and ``Infinity`` are not JSON and are refused too. Form fields of multipart
  bodies get the same check.
* :class:`StrictBody` validates a JSON body in pydantic's strict mode: a boolean is
  ``true`` or ``false`` (not ``0`` or ``"yes"``), a number is a number, a string a string.
  Date-times and amounts keep their own parsers (:mod:`tousu.cases.inputs`).
"""

from __future__ import annotations

import json
from typing import Annotated, Any, cast

from django.http import HttpRequest
from django.utils.translation import gettext_lazy
from ninja.params.models import Body as BodyParam
from ninja.params.models import BodyModel
from ninja.parser import Parser as NinjaParser
from pydantic import BeforeValidator

from tousu.cases.errors import TousuError
from tousu.cases.values import impossible_text

ZH = "含有无法保存的字符（NUL 或孤立代理项）"
EN = "Contains characters that cannot be stored (NUL or a lone surrogate)"


class ImpossibleText(ValueError):
    """A string of the body that no database can store; ``field`` says where."""

    def __init__(self, field: str) -> None:
        super().__init__(f"{EN}: {field or '(body)'}")
        self.field = field


def find_impossible(value: Any, path: tuple[str, ...] = ()) -> str | None:
    """The dotted path of the first key or string holding NUL or a lone surrogate."""
    if isinstance(value, str):
        return ".".join(path) if impossible_text(value) else None
    if isinstance(value, dict):
        for key, item in value.items():
            where = path + (str(key),)
            if impossible_text(str(key)):
                return ".".join(where)
            found = find_impossible(item, where)
            if found is not None:
                return found
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found = find_impossible(item, path + (str(index),))
            if found is not None:
                return found
    return None


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def error_for(exc: ImpossibleText) -> TousuError:
    detail = {"field": exc.field, "type": "impossible_text", "zh": ZH, "en": EN}
    return TousuError(
        "invalid_request",
        gettext_lazy("请求内容有误，请检查所列字段"),
        status=422,
        details=[detail],
    )


class Parser(NinjaParser):
    def parse_body(self, request: HttpRequest) -> dict[str, Any]:
        data = json.loads(request.body, parse_constant=_no_constant)
        field = find_impossible(data)
        if field is not None:
            raise ImpossibleText(field)
        return cast(dict[str, Any], data)

    def parse_querydict(
        self, data: Any, list_fields: list[str], request: HttpRequest
    ) -> dict[str, Any]:
        # Multipart fields are decoded with errors="replace": U+FFFD marks bytes that were
        # not UTF-8. (The query string was checked at the edge, byte by byte.)
        form = data is not request.GET
        for key, values in data.lists():
            for value in (key, *values):
                if isinstance(value, str) and (
                    impossible_text(value) or (form and "\ufffd" in value)
                ):
                    raise error_for(ImpossibleText(str(key)))
        return super().parse_querydict(data, list_fields, request)


class StrictBodyModel(BodyModel):
    @classmethod
    def resolve(cls, request: HttpRequest, api: Any, path_params: dict[str, Any]) -> Any:
        data = cls.get_request_data(request, api, path_params)
        if data is None:
            return cls()
        return cls.model_validate(data, strict=True, context={"request": request})


class StrictBody(BodyParam):  # type: ignore[misc]
    """A JSON body validated in strict mode (see the module's docstring)."""

    _model = StrictBodyModel

    @classmethod
    def _param_source(cls) -> str:
        return "body"


def _form_bool(value: Any) -> Any:
    if isinstance(value, bool):
        return value
    if value in ("true", "false"):
        return value == "true"
    raise ValueError("须为 true 或 false / must be true or false")


# A boolean form field (multipart): "true" or "false", as the schema's boolean is written;
# not "0", "1", "yes" or "on".
FormBool = Annotated[bool, BeforeValidator(_form_bool)]
