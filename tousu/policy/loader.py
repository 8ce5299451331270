"""Parse, validate and look up policy documents."""

from __future__ import annotations

import json
import tomllib
from functools import lru_cache
from importlib import resources

from pydantic import ValidationError

from tousu.policy.schema import Policy

PRESET_PACKAGE = "tousu.policy.presets"


class PolicyError(ValueError):
    """A policy document is invalid. ``problems`` lists (key path, message) pairs."""

    def __init__(self, problems: list[tuple[str, str]]) -> None:
        self.problems = problems
        super().__init__("; ".join(f"{path}: {message}" for path, message in problems))


def parse_toml(text: str) -> Policy:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise PolicyError([("(document)", f"not valid TOML: {exc}")]) from None
    return validate(data)


def validate(data: object) -> Policy:
    try:
        return Policy.model_validate(data)
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            path = ".".join(str(part) for part in error["loc"]) or "(document)"
            problems.append((path, error["msg"]))
        raise PolicyError(problems) from None


def preset_names() -> list[str]:
    root = resources.files(PRESET_PACKAGE)
    return sorted(p.name.removesuffix(".toml") for p in root.iterdir() if p.name.endswith(".toml"))


def preset_source(name: str) -> str:
    if name not in preset_names():
        raise PolicyError(
            [("preset", f"unknown preset {name!r}; known: {', '.join(preset_names())}")]
        )
    return resources.files(PRESET_PACKAGE).joinpath(f"{name}.toml").read_text(encoding="utf-8")


@lru_cache(maxsize=256)
def from_json(document: str) -> Policy:
    """Rebuild a stored (already validated) document; versions are immutable, so cache."""
    return Policy.model_validate(json.loads(document))
