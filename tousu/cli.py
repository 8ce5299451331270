"""The ``tousu`` command: product commands plus Django's own management commands.

Administrators and other programs script against these forms; keep them stable:
``tousu run``, ``tousu demo``, ``tousu org create``, ``tousu user create``,
``tousu token create``, and any Django command (``tousu migrate``, ...).

Two-word commands (``tousu org create``) run the management command ``org_create``; help
shows them in the spaced form (``tousu --help``, ``tousu org --help``,
``tousu user create --help``). The underscored names keep working for old scripts.
"""

from __future__ import annotations

import os
import sys
import textwrap

from tousu.orgs.commands import GROUPS, spoken

HELP = {"help", "--help", "-h"}


def _first_sentence(text: str) -> str:
    line = " ".join(str(text or "").split())
    for end in (". ", "; "):
        if end in line:
            line = line.split(end, 1)[0]
    return line.rstrip(".")


def _commands() -> dict[str, str]:
    """Every management command and the app that provides it (needs Django set up)."""
    import django
    from django.core.management import get_commands

    django.setup()
    return dict(get_commands())


def _described(name: str, app: str) -> tuple[str, str]:
    """(the command as typed, with its verbs when it has some; its first sentence of help)."""
    import argparse

    from django.core.management import load_command_class

    typed = spoken(name)
    try:
        command = load_command_class(app, name)
        parser = command.create_parser("tousu", name)
    except Exception:  # noqa: BLE001 — a command that cannot load still gets listed
        return typed, ""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            typed = f"{typed} {' | '.join(action.choices)}"
    return typed, _first_sentence(command.help)


def _table(rows: list[tuple[str, str]]) -> list[str]:
    """Two columns, the second wrapped under itself."""
    width = min(max(len(name) for name, _ in rows), 32) + 2
    lines = []
    for name, text in rows:
        if len(name) + 2 > width:
            lines.append(f"  {name}")
            name = ""
        wrapped = textwrap.wrap(text, width=max(100 - width - 2, 30)) or [""]
        lines.append(f"  {name:<{width}}{wrapped[0]}".rstrip())
        lines += [f"  {'':<{width}}{more}" for more in wrapped[1:]]
    return lines


def overview() -> str:
    """``tousu --help``: Tousu's commands in the forms the README uses, then Django's."""
    commands = _commands()
    ours = sorted(
        _described(name, app) for name, app in commands.items() if app.startswith("tousu.")
    )
    lines = ["Usage: tousu COMMAND [options]", "", "Tousu commands:", *_table(ours)]
    theirs = sorted(name for name, app in commands.items() if not app.startswith("tousu."))
    lines += ["", "Django's commands:"]
    lines += textwrap.wrap(", ".join(theirs), width=88, initial_indent="  ", subsequent_indent="  ")
    lines += [
        "",
        "'tousu COMMAND --help' shows a command's options (e.g. 'tousu user create --help');",
        "'tousu org --help' lists the commands of a group (org, user, token).",
    ]
    return "\n".join(lines)


def group_help(group: str) -> str:
    """``tousu org --help``: the commands of one group, with their one-line help."""
    commands = _commands()
    rows = [
        (verb, _described(name, commands.get(name, ""))[1]) for verb, name in GROUPS[group].items()
    ]
    lines = [f"Usage: tousu {group} COMMAND [options]", "", f"tousu {group} commands:"]
    lines += _table(rows)
    lines += ["", f"'tousu {group} COMMAND --help' shows a command's options."]
    return "\n".join(lines)


def translate(args: list[str]) -> list[str] | int:
    """The Django command line for ``args``, or an exit status once help or an error is
    printed here."""
    words = args[1:]
    if not words or (len(words) == 1 and words[0] in HELP):
        print(overview())
        return 0
    if words[0] == "help" and len(words) >= 2:
        # `tousu help org create` is `tousu org create --help`.
        return translate([args[0], *words[1:], "--help"])
    group = words[0]
    if group not in GROUPS:
        return args
    verbs = GROUPS[group]
    if len(words) == 1 or words[1] in HELP:
        if len(words) == 1:
            print(group_help(group), file=sys.stderr)
            return 2
        print(group_help(group))
        return 0
    verb = words[1]
    if verb not in verbs:
        print(
            f"Unknown command: 'tousu {group} {verb}'. tousu {group} commands: "
            f"{', '.join(verbs)}. See 'tousu {group} --help'.",
            file=sys.stderr,
        )
        return 2
    return [args[0], verbs[verb], *words[2:]]


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tousu.settings")
    line = translate(list(sys.argv if argv is None else argv))
    if isinstance(line, int):
        sys.exit(line)
    from django.core.management import execute_from_command_line

    execute_from_command_line(line)


if __name__ == "__main__":
    main()
