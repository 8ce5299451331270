"""`tousu user create` with names and contacts, the help in the README's spaced forms, and
how a person made without a password signs in (a one-time set-password link)."""

from __future__ import annotations

import re
from datetime import timedelta
from io import StringIO
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import default_token_generator
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from tousu import cli
from tousu.orgs.models import AuditEvent, StaffProfile
from tousu.orgs.people import display_name

GOOD = "Lantern-Harbour-2719"


def _run(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def _main(capsys: Any, *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exited:
        cli.main(["tousu", *args])
    captured = capsys.readouterr()
    code = exited.value.code
    return (0 if code is None else int(code)), captured.out, captured.err


def test_help_shows_the_spaced_forms_the_readme_uses(capsys: Any) -> None:
    code, out, _ = _main(capsys, "--help")
    assert code == 0
    for form in ("org create", "user create", "user totp_off", "token create", "policy list"):
        assert form in out
    assert not re.search(r"\b(org_create|user_create|token_create|user_totp_off)\b", out)
    assert "migrate" in out  # Django's own commands are still listed
    assert _main(capsys, "help")[1] == out


def test_a_group_lists_its_commands(capsys: Any) -> None:
    code, out, _ = _main(capsys, "org", "--help")
    assert code == 0 and "tousu org commands" in out and "create" in out
    code, out, _ = _main(capsys, "user", "--help")
    assert code == 0 and "create" in out and "totp_off" in out
    code, _, err = _main(capsys, "user")
    assert code == 2 and "create" in err
    code, _, err = _main(capsys, "org", "frobnicate")
    assert code == 2 and "tousu org frobnicate" in err and "create" in err


def test_a_command_names_itself_in_the_spaced_form(capsys: Any) -> None:
    code, out, _ = _main(capsys, "user", "create", "--help")
    assert code == 0
    assert "usage: tousu user create" in out and "--name" in out and "--mobile" in out
    code, out, _ = _main(capsys, "help", "org", "create")
    assert code == 0 and "usage: tousu org create" in out


@pytest.mark.django_db
def test_user_create_sets_name_title_and_notice_contacts() -> None:
    _run("org_create", "hosp")
    _run(
        "user_create", "wang", "--org", "hosp", "--role", "handler", "--department", "finance",
        "--name", "王建国", "--title", "财务处科员", "--email", "wang@example.org",
        "--mobile", "139 1234-5678", "--password", GOOD,
    )  # fmt: skip
    user = get_user_model().objects.get(username="wang")
    p = StaffProfile.objects.get(user=user)
    assert (p.name, p.title, p.email, p.mobile) == (
        "王建国", "财务处科员", "wang@example.org", "13912345678",
    )  # fmt: skip
    assert display_name(user) == "王建国"
    assert display_name(user, title=True) == "王建国（财务处科员）"
    # A second role later, with a new title: the profile changes, audited by field name only.
    _run("user_create", "wang", "--org", "hosp", "--role", "intake_clerk", "--title", "收费员")
    event = AuditEvent.objects.get(type="user.profile_changed", object_id=str(user.pk))
    assert event.data["changed"] == ["title"] and "收费员" not in str(event.data)


@pytest.mark.django_db
def test_user_create_refuses_what_the_sign_in_pages_refuse_and_writes_nothing() -> None:
    _run("org_create", "hosp")
    with pytest.raises(CommandError) as refused:
        _run("user_create", "li", "--org", "hosp", "--role", "dispatcher", "--password", "123")
    message = str(refused.value)
    assert "密码太短，至少需要 8 个字符" in message and "too short" in message
    assert "太常见" in message and "too common" in message
    with pytest.raises(CommandError, match="--mobile"):
        _run("user_create", "li", "--org", "hosp", "--role", "dispatcher", "--mobile", "12345")
    with pytest.raises(CommandError, match="--email"):
        _run("user_create", "li", "--org", "hosp", "--role", "dispatcher", "--email", "li@")
    assert not get_user_model().objects.filter(username="li").exists()


def _link(out: str) -> str:
    found = re.search(r"https?://\S+(/accounts/set-password/\S+/)", out)
    assert found, out
    return found.group(1)


@pytest.mark.django_db
def test_without_a_password_a_one_time_link_lets_the_person_choose_one() -> None:
    _run("org_create", "hosp")
    out = _run("user_create", "zhao", "--org", "hosp", "--role", "dispatcher", "--name", "赵敏")
    assert "one-time link" in out and "72 hours" in out
    user = get_user_model().objects.get(username="zhao")
    assert not user.has_usable_password()
    path = _link(out)
    browser = Client()
    r = browser.get(path)
    assert r.status_code == 302  # the token leaves the address before the form is shown
    form = r["Location"]
    assert browser.get(form).status_code == 200
    r = browser.post(form, {"new_password1": "123", "new_password2": "123"})
    assert r.status_code == 200 and "密码太短" in r.content.decode()
    user.refresh_from_db()
    assert not user.has_usable_password()
    r = browser.post(form, {"new_password1": GOOD, "new_password2": GOOD})
    assert r.status_code == 302 and r["Location"] == "/accounts/login/"
    assert Client().login(username="zhao", password=GOOD)
    assert AuditEvent.objects.filter(type="password.set_by_link", object_id=str(user.pk)).exists()
    # Once used, the link is dead.
    assert Client().get(path).status_code == 404


@pytest.mark.django_db
def test_a_set_password_link_expires_and_dies_with_the_account(monkeypatch: Any) -> None:
    _run("org_create", "hosp")
    out = _run("user_create", "qian", "--org", "hosp", "--role", "dispatcher")
    assert "No name set" in out
    path = _link(out)
    later = default_token_generator._now() + timedelta(hours=73)
    monkeypatch.setattr(default_token_generator, "_now", lambda: later)
    r = Client().get(path, follow=True)
    assert r.status_code == 404 and "此链接已失效" in r.content.decode()
    monkeypatch.undo()
    get_user_model().objects.filter(username="qian").update(is_active=False)
    assert Client().get(path, follow=True).status_code == 404
