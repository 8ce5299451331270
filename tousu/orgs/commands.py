"""The two-word forms of the ``tousu`` commands (``tousu user create``), as help shows them.

The command line maps ``tousu org create`` onto the management command ``org_create``
(:mod:`tousu.cli`); a command whose name has such a group says so in its usage line.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandParser

# group -> {verb: management command}; `tousu GROUP VERB` runs the command.
GROUPS: dict[str, dict[str, str]] = {
    "org": {"create": "org_create"},
    "user": {"create": "user_create", "totp_off": "user_totp_off"},
    "token": {"create": "token_create"},
}
COMMANDS = {
    command: f"{group} {verb}" for group, verbs in GROUPS.items() for verb, command in verbs.items()
}


def spoken(command: str) -> str:
    """``user_create`` → ``user create``; any other name as it is."""
    return COMMANDS.get(command, command)


class SpacedName:
    """Mixed into a management command: its usage reads ``tousu user create``, not
    ``tousu user_create``."""

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> CommandParser:
        parser = super().create_parser(prog_name, spoken(subcommand), **kwargs)  # type: ignore[misc]
        assert isinstance(parser, CommandParser)
        return parser
