"""``tousu policy list | show NAME | check FILE | diff A B | activate ORG FILE``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tousu.orgs.models import Organisation
from tousu.policy.loader import PolicyError, parse_toml, preset_names, preset_source
from tousu.policy.schema import Policy
from tousu.policy.services import activate_policy


def _source(ref: str) -> tuple[str, str]:
    """(label, TOML text) of a preset name, an organisation (org:SLUG) or a file path."""
    if ref.startswith("org:"):
        org = Organisation.objects.select_related("active_policy").filter(slug=ref[4:]).first()
        if org is None or org.active_policy is None:
            raise CommandError(f"no organisation with a policy: {ref[4:]!r}")
        return f"{ref} v{org.active_policy.number}", org.active_policy.source
    if ref in preset_names():
        return f"preset {ref}", preset_source(ref)
    path = Path(ref)
    if not path.is_file():
        raise CommandError(f"{ref!r} is neither a preset ({', '.join(preset_names())}) nor a file")
    try:
        return ref, path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise CommandError(f"{ref}: not UTF-8 text") from None


def _flatten(value: Any, prefix: str = "") -> dict[str, Any]:
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for key, item in value.items():
            out.update(_flatten(item, f"{prefix}.{key}" if prefix else str(key)))
        return out
    if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
        out = {}
        for i, item in enumerate(value):
            label = item.get("code") or item.get("stage") or item.get("role") or str(i)
            key = f"{prefix}[{label}]" if "stage" not in item else f"{prefix}[{i}:{label}]"
            out.update(_flatten(item, key))
        return out
    return {prefix: value}


class Command(BaseCommand):
    help = "Policy documents: list the presets, show, check, compare and activate them."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="verb", required=True)
        sub.add_parser("list", help="the presets shipped with Tousu")
        show = sub.add_parser("show", help="print a whole document (TOML)")
        show.add_argument("ref", help="preset name, org:SLUG or file")
        check = sub.add_parser("check", help="validate a document; names the key and the problem")
        check.add_argument("file")
        diff = sub.add_parser("diff", help="the rules that differ between two documents")
        diff.add_argument("a")
        diff.add_argument("b")
        activate = sub.add_parser("activate", help="validate FILE and make it ORG's new version")
        activate.add_argument("org")
        activate.add_argument("file")

    def handle(self, *args: Any, **options: Any) -> None:
        verb = options["verb"]
        if verb == "list":
            for name in preset_names():
                policy = parse_toml(preset_source(name))
                self.stdout.write(
                    f"{name:<18} {policy.identity.name_zh}  ({policy.identity.name_en})"
                )
        elif verb == "show":
            self.stdout.write(_source(options["ref"])[1])
        elif verb == "check":
            label, text = _source(options["file"])
            policy = self._parse(label, text)
            self.stdout.write(
                f"{label}: ok — {policy.identity.name_zh}; {len(policy.departments)} departments, "
                f"{len(policy.categories)} categories, {len(policy.deadlines)} deadline rules"
            )
        elif verb == "diff":
            self._diff(options["a"], options["b"])
        elif verb == "activate":
            org = Organisation.objects.filter(slug=options["org"]).first()
            if org is None:
                raise CommandError(f"no organisation {options['org']!r}")
            label, text = _source(options["file"])
            self._parse(label, text)
            version = activate_policy(org, text)
            self.stdout.write(f"{org.slug}: policy v{version.number} active")

    def _parse(self, label: str, text: str) -> Policy:
        try:
            return parse_toml(text)
        except PolicyError as exc:
            for path, message in exc.problems:
                self.stderr.write(f"{label}: {path}: {message}")
            raise CommandError(
                f"{label}: invalid policy ({len(exc.problems)} problem(s))"
            ) from None

    def _diff(self, a: str, b: str) -> None:
        (label_a, text_a), (label_b, text_b) = _source(a), _source(b)
        left = _flatten(json.loads(self._parse(label_a, text_a).model_dump_json()))
        right = _flatten(json.loads(self._parse(label_b, text_b).model_dump_json()))
        self.stdout.write(f"--- {label_a}\n+++ {label_b}")
        changes = 0
        for key in sorted(left.keys() | right.keys()):
            if left.get(key, ...) != right.get(key, ...):
                changes += 1
                if key in left:
                    self.stdout.write(f"- {key} = {json.dumps(left[key], ensure_ascii=False)}")
                if key in right:
                    self.stdout.write(f"+ {key} = {json.dumps(right[key], ensure_ascii=False)}")
        self.stdout.write(f"{changes} difference(s)")
