"""The `tousu` command line: the forms administrators and scripts rely on."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tousu.orgs.models import ApiToken, AuditEvent, Membership, Organisation


def _run(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_org_create_without_a_preset_gets_the_general_policy_and_its_departments() -> None:
    out = _run("org_create", "market1", "--name", "中菜市场")
    org = Organisation.objects.get(slug="market1")
    assert org.name == "中菜市场"
    assert org.active_policy is not None and org.active_policy.preset == "general"
    assert "market1" in out
    assert set(org.departments.values_list("code", flat=True)) >= {"office", "finance"}
    assert AuditEvent.objects.filter(org=org, type="organisation.created").exists()


@pytest.mark.django_db
def test_org_create_refuses_a_duplicate_a_bad_slug_and_an_unknown_preset() -> None:
    _run("org_create", "dup")
    with pytest.raises(CommandError, match="already exists"):
        _run("org_create", "dup")
    with pytest.raises(CommandError):
        _run("org_create", "Bad Slug!")
    with pytest.raises(CommandError, match="unknown preset"):
        _run("org_create", "x1", "--preset", "no-such-preset")
    assert not Organisation.objects.filter(slug__in=["Bad Slug!", "x1"]).exists()


@pytest.mark.django_db
def test_user_create_grants_the_role_in_the_department() -> None:
    _run("org_create", "hosp")
    _run("user_create", "nurse", "--org", "hosp", "--role", "handler", "--department", "service")
    m = Membership.objects.get(user__username="nurse")
    assert (m.org.slug, m.role, m.department.code if m.department else None) == (
        "hosp", "handler", "service",
    )  # fmt: skip
    with pytest.raises(CommandError, match="needs --department"):
        _run("user_create", "x", "--org", "hosp", "--role", "handler")
    with pytest.raises(CommandError, match="no department"):
        _run("user_create", "x", "--org", "hosp", "--role", "handler", "--department", "nope")
    with pytest.raises(CommandError):
        _run("user_create", "x", "--org", "hosp", "--role", "emperor")


@pytest.mark.django_db
def test_token_create_prints_only_the_token_and_stores_only_its_sha256() -> None:
    _run("org_create", "t1")
    _run("user_create", "api", "--org", "t1", "--role", "intake_clerk")
    token = _run("token_create", "api").strip()
    assert token.startswith("tsu_") and len(token) >= 40 and " " not in token
    row = ApiToken.objects.get(user__username="api")
    assert row.digest == hashlib.sha256(token.encode()).hexdigest()
    assert token not in (row.prefix + row.label + row.digest)


def test_the_tousu_entry_point_runs_two_word_commands(tmp_path: Path) -> None:
    env = {**os.environ, "TOUSU_VAR_DIR": str(tmp_path)}
    env.pop("DATABASE_URL", None)
    tousu = [sys.executable, "-m", "tousu.cli"]
    subprocess.run([*tousu, "migrate", "-v0"], env=env, check=True, timeout=120)
    out = subprocess.run(
        [*tousu, "org", "create", "cli-org", "--name", "命令行单位"],
        env=env, check=True, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert "cli-org" in out.stdout
    assert (tmp_path / "secret_key").exists()
    assert oct((tmp_path / "secret_key").stat().st_mode & 0o777) == "0o600"
    bad = subprocess.run(
        [*tousu, "org", "create", "cli-org"], env=env, capture_output=True, text=True, timeout=60
    )
    assert bad.returncode != 0
    assert "already exists" in bad.stderr
