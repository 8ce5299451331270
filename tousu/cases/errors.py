"""Errors with a stable code, a Chinese and an English message.

Codes are part of the API contract: clients switch on ``code``, people read the
messages. Every code is listed in :mod:`tousu.errors`; an error with any other code cannot
be made. Add codes; never rename one.
"""

from __future__ import annotations

from typing import Any

from tousu.errors import registered


class TousuError(Exception):
    status = 400

    def __init__(
        self, code: str, zh: str, en: str, *, status: int | None = None, details: Any = None
    ) -> None:
        super().__init__(f"{code}: {en}")
        self.code = registered(code)
        self.zh = zh
        self.en = en
        if status is not None:
            self.status = status
        self.details = details

    def as_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {"code": self.code, "message": {"zh": self.zh, "en": self.en}}
        if self.details is not None:
            body["details"] = self.details
        return body


def not_found() -> TousuError:
    """The same answer for "missing" and "not yours": existence is need-to-know too."""
    return TousuError("not_found", "未找到该对象", "Not found", status=404)


def action_forbidden(action: str) -> TousuError:
    return TousuError(
        "action_forbidden",
        f"您无权对该案件执行“{action}”操作",
        f"You may not perform '{action}' on this case",
        status=403,
        details={"action": action},
    )


def transition_forbidden(action: str, status: str) -> TousuError:
    return TousuError(
        "transition_forbidden",
        f"案件当前状态（{status}）不允许执行“{action}”操作",
        f"Action '{action}' is not allowed while the case is {status}",
        status=409,
        details={"action": action, "status": status},
    )


def invalid(field: str, zh: str, en: str) -> TousuError:
    return TousuError(
        "invalid_value", zh, en, status=422, details=[{"field": field, "zh": zh, "en": en}]
    )


def conflict(code: str, zh: str, en: str, details: Any = None) -> TousuError:
    return TousuError(code, zh, en, status=409, details=details)
