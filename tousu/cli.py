"""The ``tousu`` command: product commands plus Django's own management commands.

Administrators and other programs script against these forms; keep them stable:
``tousu run``, ``tousu demo``, ``tousu org create``, ``tousu user create``,
``tousu token create``, and any Django command (``tousu migrate``, ...).
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tousu.settings")
    args = list(sys.argv if argv is None else argv)
    # Two-word commands map onto management commands: `org create` -> `org_create`.
    if len(args) >= 3 and args[1] in {"org", "user", "token"} and not args[2].startswith("-"):
        args = [args[0], f"{args[1]}_{args[2]}", *args[3:]]
    from django.core.management import execute_from_command_line

    execute_from_command_line(args)


if __name__ == "__main__":
    main()
