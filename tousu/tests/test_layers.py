"""The import contracts of docs/architecture.md hold, and a wrong import breaks them.

Each check copies the Python sources and pyproject.toml into a temporary directory, adds or
changes one module there, and runs ``lint-imports`` on the copy (never on the work tree).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"

LAYERS = "Layers: entry points over surfaces over the web layer over features over core"
PURE = "The pure calendar and the pure policy import nothing of the project"
CRYPTO = "Security in one place: only the crypto module imports cryptography"
ROLES = "Views and URL tables do not read the roles"


def lint(root: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(root), "COLUMNS": "200"}
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.fixture
def copy(tmp_path: Path) -> Path:
    shutil.copytree(
        ROOT / "tousu",
        tmp_path / "tousu",
        ignore=lambda directory, names: (
            [n for n in names if not n.endswith(".py") and not (Path(directory) / n).is_dir()]
            + [n for n in names if n in ("__pycache__", "static", "templates", "data")]
        ),
    )
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def broken(result: subprocess.CompletedProcess[str]) -> str:
    """The report of a failed check, on one line per contract."""
    assert result.returncode == 1, result.stdout + result.stderr
    return " ".join(result.stdout.split())


def test_the_contracts_hold_on_the_code_as_it_is(copy: Path) -> None:
    result = lint(copy)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "4 kept, 0 broken" in result.stdout


def test_the_clock_importing_the_desk_breaks_the_layers(copy: Path) -> None:
    (copy / "tousu/clock/shortcut.py").write_text("from tousu.desk import queues\n")
    report = broken(lint(copy))
    assert f"{LAYERS} over conf BROKEN" in report
    assert "tousu.clock.shortcut -> tousu.desk.queues" in report


def test_an_import_hidden_inside_a_function_still_breaks_the_layers(copy: Path) -> None:
    (copy / "tousu/cases/shortcut.py").write_text(
        "def reach_up():\n    from tousu.reports import ledger\n\n    return ledger\n"
    )
    report = broken(lint(copy))
    assert f"{LAYERS} over conf BROKEN" in report
    assert "tousu.cases.shortcut -> tousu.reports.ledger" in report


def test_a_surface_importing_another_surface_breaks_the_layers(copy: Path) -> None:
    (copy / "tousu/reports/shortcut.py").write_text("from tousu.portal import public\n")
    report = broken(lint(copy))
    assert "tousu.reports is not allowed to import tousu.portal" in report


def test_the_pure_calendar_importing_the_project_breaks_its_contract(copy: Path) -> None:
    calendar = copy / "tousu/clock/calendar.py"
    calendar.write_text(calendar.read_text() + "\nfrom tousu.clock import models  # noqa\n")
    report = broken(lint(copy))
    assert f"{PURE} BROKEN" in report
    assert "tousu.clock.calendar -> tousu.clock.models" in report


def test_a_new_module_using_hmac_breaks_the_crypto_contract(copy: Path) -> None:
    (copy / "tousu/reports/signing.py").write_text("import hmac\n")
    report = broken(lint(copy))
    assert f"{CRYPTO}" in report
    assert "tousu.reports.signing -> hmac" in report


def test_a_view_importing_the_roles_breaks_its_contract(copy: Path) -> None:
    (copy / "tousu/orgadmin/views/shortcut.py").write_text(
        "from tousu.orgs.roles import Role\n\nADMIN = Role.ADMINISTRATOR\n"
    )
    report = broken(lint(copy))
    assert f"{ROLES}" in report
    assert "tousu.orgadmin.views.shortcut -> tousu.orgs.roles" in report
    assert f"{LAYERS} over conf KEPT" in report  # orgadmin may import orgs: only roles is barred


def test_an_app_outside_every_layer_breaks_the_layers(copy: Path) -> None:
    (copy / "tousu/search").mkdir()
    (copy / "tousu/search/__init__.py").write_text("")
    report = broken(lint(copy))
    assert f"{LAYERS} over conf" in report
    assert "tousu.search" in report


def test_a_violation_removed_from_the_code_must_leave_the_ratchet(copy: Path) -> None:
    """An ignore line that matches no import (the violation it excused was moved away) fails
    the check: the ratchet can only shrink, and stale lines cannot stay behind."""
    pyproject = copy / "pyproject.toml"
    marker = "  # --- The ratchet: today's violations, to be deleted as code moves ---"
    source = pyproject.read_text()
    assert marker in source
    stale = '  "tousu.cases.actions -> tousu.accountability.services",'
    pyproject.write_text(source.replace(marker, marker + "\n" + stale, 1))
    result = lint(copy)
    assert result.returncode == 1, result.stdout
    assert "tousu.cases.actions -> tousu.accountability.services" in " ".join(
        (result.stdout + result.stderr).split()
    )
