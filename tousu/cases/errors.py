"""Errors with a stable code and a message people read, from the translation catalogues.

Codes are part of the API contract: clients switch on ``code``, people read the
messages. Every code is listed in :mod:`tousu.errors`; an error with any other code cannot
be made. Add codes; never rename one.

The message is a msgid (Simplified Chinese, marked with ``gettext_lazy``) whose values are named
``{name}`` and given in ``params``; the API answers it in Simplified Chinese and English
(``message.zh``/``message.en``), a page shows :attr:`TousuError.text` in the viewer's language.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext_lazy

from tousu.errors import registered
from tousu.i18n import Text, both, render


class TousuError(Exception):
    status = 400

    def __init__(
        self,
        code: str,
        message: Text,
        *,
        status: int | None = None,
        details: Any = None,
        params: Mapping[str, Any] | None = None,
    ) -> None:
        self.code = registered(code)
        self.message = message
        self.params = dict(params or {})
        self.zh, self.en = both(message, self.params)
        super().__init__(f"{code}: {self.en}")
        if status is not None:
            self.status = status
        self.details = details

    @property
    def text(self) -> str:
        """The message in the active language (a page's, or a recipient's under ``override``)."""
        return render(self.message, self.params)

    def as_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {"code": self.code, "message": {"zh": self.zh, "en": self.en}}
        if self.details is not None:
            body["details"] = self.details
        return body


def not_found() -> TousuError:
    """The same answer for "missing" and "not yours": existence is need-to-know too."""
    return TousuError("not_found", gettext_lazy("未找到该对象"), status=404)


def action_forbidden(action: str) -> TousuError:
    return TousuError(
        "action_forbidden",
        gettext_lazy("您无权对该案件执行“{action}”操作"),
        status=403,
        details={"action": action},
        params={"action": action},
    )


def transition_forbidden(action: str, status: str) -> TousuError:
    return TousuError(
        "transition_forbidden",
        gettext_lazy("案件当前状态（{status}）不允许执行“{action}”操作"),
        status=409,
        details={"action": action, "status": status},
        params={"action": action, "status": status},
    )


def invalid(field: str, message: Text, params: Mapping[str, Any] | None = None) -> TousuError:
    error = TousuError("invalid_value", message, status=422, params=params)
    error.details = [{"field": field, "zh": error.zh, "en": error.en}]
    return error


def conflict(
    code: str, message: Text, details: Any = None, params: Mapping[str, Any] | None = None
) -> TousuError:
    return TousuError(code, message, status=409, details=details, params=params)
