"""Password sign-in, sign-out, account pages, CSRF, audit."""

from __future__ import annotations

from django.test import Client

from tousu.accounts.tests.conftest import LOGIN, PASSWORD, client, sign_in
from tousu.orgs.models import AuditEvent


def test_good_login_goes_to_the_desk(staff, fake_clock):
    c = client()
    r = sign_in(c, "clerk")
    assert r.status_code == 302 and r["Location"] == "/"
    r = c.get("/")
    assert r.status_code == 302 and r["Location"] == "/desk/acme/"
    assert c.get("/desk/acme/inbox/").status_code == 200
    event = AuditEvent.objects.get(type="signin.succeeded")
    assert event.actor_id == staff.users["clerk"].pk and event.data["factor"] == "password"
    assert "203.0.113.7" not in str(event.data)


def test_next_is_followed_only_on_this_site(staff, fake_clock):
    r = sign_in(client(), "clerk", next="/desk/acme/new/")
    assert r["Location"] == "/desk/acme/new/"
    r = sign_in(client(), "clerk", next="https://evil.example/")
    assert r["Location"] == "/"


def test_login_page_is_accessible_and_redirects_back(staff):
    r = client().get("/desk/acme/new/")
    assert r.status_code == 302 and r["Location"].startswith(LOGIN + "?next=")
    page = client().get(r["Location"]).content.decode()
    assert 'autocomplete="username"' in page and 'autocomplete="current-password"' in page
    assert 'for="id_username"' in page and "autofocus" in page
    assert 'name="next" value="/desk/acme/new/"' in page
    assert "<script>" not in page  # no inline script


def test_wrong_password_and_unknown_user_answer_alike(staff, fake_clock):
    wrong = sign_in(client(), "clerk", "not the password")
    unknown = sign_in(client("203.0.113.8"), "nobody-here", "not the password")
    assert wrong.status_code == unknown.status_code == 200
    assert wrong.context["error"] == unknown.context["error"] == "用户名或密码不正确"
    assert "_auth_user_id" not in wrong.client.session
    failed = AuditEvent.objects.filter(type="signin.failed").order_by("pk")
    assert [e.actor_id for e in failed] == [None, None]
    known, stranger = failed
    assert known.object_id == str(staff.users["clerk"].pk) and "who" not in known.data
    assert stranger.object_id == "" and len(stranger.data["who"]) == 16
    assert "nobody-here" not in str(stranger.data) and "203.0.113" not in str(stranger.data)


def test_a_user_without_a_usable_password_cannot_sign_in(world, fake_clock):
    r = sign_in(client(), "clerk", "")
    assert r.status_code == 400
    r = sign_in(client(), "clerk", "anything at all")
    assert r.context["error"] == "用户名或密码不正确"


def test_english_page(staff, fake_clock):
    c = client(HTTP_ACCEPT_LANGUAGE="en")
    r = sign_in(c, "clerk", "nope")
    assert r.context["error"] == "Wrong username or password"


def test_logout_is_post_only_and_ends_the_session(staff, fake_clock):
    c = client()
    sign_in(c, "clerk")
    assert c.get("/accounts/logout/").status_code == 405
    assert c.get("/desk/acme/inbox/").status_code == 200
    r = c.post("/accounts/logout/")
    assert r.status_code == 302 and r["Location"] == LOGIN
    assert c.get("/desk/acme/inbox/").status_code == 302
    assert AuditEvent.objects.filter(type="signout", actor=staff.users["clerk"]).exists()


def test_account_pages_need_login(staff):
    c = client()
    for path in (
        "/accounts/",
        "/accounts/password/",
        "/accounts/two-factor/setup/",
    ):
        r = c.get(path)
        assert r.status_code == 302 and r["Location"].startswith(LOGIN + "?next="), path
    for path in ("/accounts/two-factor/off/", "/accounts/two-factor/recovery-codes/"):
        r = c.post(path, {"code": "123456"})
        assert r.status_code == 302 and r["Location"].startswith(LOGIN), path


def test_account_page_and_desk_link(staff, fake_clock):
    c = client()
    sign_in(c, "clerk")
    page = c.get("/accounts/").content.decode()
    assert "双因素认证" in page and "/accounts/password/" in page
    desk = c.get("/desk/acme/inbox/").content.decode()
    assert 'href="/accounts/"' in desk and 'action="/accounts/logout/"' in desk


def test_login_form_enforces_csrf(staff, fake_clock):
    c = Client(enforce_csrf_checks=True, REMOTE_ADDR="203.0.113.7")
    r = c.post(LOGIN, {"username": "clerk", "password": PASSWORD})
    assert r.status_code == 403
    page = c.get(LOGIN)
    token = page.cookies["csrftoken"].value
    r = c.post(LOGIN, {"username": "clerk", "password": PASSWORD, "csrfmiddlewaretoken": token})
    assert r.status_code == 302
    assert c.post("/accounts/logout/").status_code == 403  # sign-out is a form too


def test_password_change_keeps_the_session(staff, fake_clock):
    c = client()
    sign_in(c, "clerk")
    r = c.post(
        "/accounts/password/",
        {"old_password": "wrong", "new_password1": "x", "new_password2": "x"},
    )
    assert r.status_code == 200 and r.context["form"].errors["old_password"]
    r = c.post(
        "/accounts/password/",
        {"old_password": PASSWORD, "new_password1": "short", "new_password2": "short"},
    )
    assert r.status_code == 200 and r.context["form"].errors["new_password2"]  # validators
    new = "a much longer passphrase 42"
    r = c.post(
        "/accounts/password/",
        {"old_password": PASSWORD, "new_password1": new, "new_password2": new},
    )
    assert r.status_code == 302 and r["Location"] == "/accounts/"
    assert c.get("/desk/acme/inbox/").status_code == 200  # still signed in
    assert sign_in(client(), "clerk", new).status_code == 302
    assert sign_in(client(), "clerk", PASSWORD).status_code == 200
    assert AuditEvent.objects.filter(type="password.changed").count() == 1
    assert new not in str(list(AuditEvent.objects.values_list("data", flat=True)))


def test_demo_logins_work_without_second_factor(db, fake_clock):
    from tousu.demo import organisation as demo

    demo.load_demo()
    r = sign_in(client(), "clerk", demo.PASSWORD)
    assert r.status_code == 302
