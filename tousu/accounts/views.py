"""Staff sign-in: password, then a TOTP code when the second factor is on; sign-out;
the account page (second factor, recovery codes, password change).

An unknown username and a wrong password get the same answer, after the same work
(Django's backend runs the password hasher for unknown users too). While a back-off
wait runs (:mod:`tousu.accounts.throttle`) the answer is 429 and nothing is checked.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import (
    authenticate,
    get_user_model,
    login,
    logout,
    update_session_auth_hash,
)
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordChangeForm
from django.contrib.auth.views import PasswordResetConfirmView
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tousu.accounts import audit, clock, throttle, totp
from tousu.accounts.throttle import Counter

LOGIN = "desk:accounts:login"
ACCOUNT = "desk:accounts:account"
PENDING = "accounts.pending"  # session: password accepted, second factor still due
PENDING_SECONDS = 300
MAX_FIELD = 200


def _next(request: HttpRequest) -> str:
    """Where to go after signing in: ``next`` when it stays on this site."""
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return resolve_url(settings.LOGIN_REDIRECT_URL)


def _throttled(request: HttpRequest, wait: int) -> HttpResponse:
    response = render(request, "accounts/throttled.html", {"wait": wait}, status=429)
    response["Retry-After"] = str(wait)
    return response


def _sign_in(
    request: HttpRequest,
    user: Any,
    *,
    backend: str,
    factor: str,
    counters: list[Counter],
    by_address: Counter,
) -> None:
    login(request, user, backend=backend)
    throttle.reset([*counters, by_address])
    throttle.purge()
    audit.record(
        "signin.succeeded",
        user_id=int(user.pk),
        factor=factor,
        client=throttle.pseudonym(by_address),
    )


@sensitive_post_parameters("password")
@csrf_protect
@never_cache
@require_http_methods(["GET", "POST"])
def login_view(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect(_next(request))
    context: dict[str, Any] = {
        "next": _next(request) if "next" in request.GET else "",
        "username": "",
    }
    if request.method != "POST":
        return render(request, "accounts/login.html", context)
    username = request.POST.get("username", "")[:MAX_FIELD]
    password = request.POST.get("password", "")[: MAX_FIELD * 5]
    context.update(next=request.POST.get("next", ""), username=username)
    if not username.strip() or not password:
        context["error"] = gettext("请输入用户名和密码")
        return render(request, "accounts/login.html", context, status=400)
    by_name = throttle.for_username(username)
    by_address = throttle.for_address(throttle.client_address(request))
    counters = [by_name, by_address]
    wait = throttle.gate(counters)
    if wait:
        return _throttled(request, wait)
    user = authenticate(request, username=username, password=password)
    if user is None:
        wait = throttle.fail(counters)
        known = get_user_model().objects.filter(username=username).values_list("pk", flat=True)
        user_id = known.first()
        extra = {} if user_id is not None else {"who": throttle.pseudonym(by_name)}
        audit.record(
            "signin.failed",
            user_id=user_id,
            actor=False,
            step="password",
            client=throttle.pseudonym(by_address),
            failures=throttle.failures(by_name),
            wait_seconds=wait,
            **extra,
        )
        context["error"] = gettext("用户名或密码不正确")
        return render(request, "accounts/login.html", context, status=200)
    backend = str(getattr(user, "backend", settings.AUTHENTICATION_BACKENDS[0]))
    if totp.enabled(user):
        # Only "password accepted for this user" until the code is right.
        request.session.cycle_key()
        request.session[PENDING] = {
            "user": int(user.pk),
            "backend": backend,
            "since": int(clock.now().timestamp()),
            "next": _next(request),
        }
        return redirect("desk:accounts:verify")
    _sign_in(
        request, user, backend=backend, factor="password", counters=[by_name], by_address=by_address
    )
    return redirect(_next(request))


def _pending_user(request: HttpRequest) -> tuple[Any, dict[str, Any]] | None:
    pending = request.session.get(PENDING)
    if not isinstance(pending, dict):
        return None
    if int(clock.now().timestamp()) - int(pending.get("since", 0)) > PENDING_SECONDS:
        request.session.pop(PENDING, None)
        return None
    user = get_user_model().objects.filter(pk=int(pending["user"]), is_active=True).first()
    if user is None:
        return None
    return user, pending


@sensitive_post_parameters("code")
@csrf_protect
@never_cache
@require_http_methods(["GET", "POST"])
def verify_view(request: HttpRequest) -> HttpResponse:
    """The second step: a TOTP code or a recovery code."""
    found = _pending_user(request)
    if found is None:
        messages.info(request, gettext("请重新登录"))
        return redirect(LOGIN)
    user, pending = found
    if request.method != "POST":
        return render(request, "accounts/verify.html", {})
    code = request.POST.get("code", "")[:MAX_FIELD]
    by_user = throttle.for_second_factor(int(user.pk))
    by_address = throttle.for_address(throttle.client_address(request))
    counters = [by_user, by_address]
    wait = throttle.gate(counters)
    if wait:
        return _throttled(request, wait)
    factor = totp.check(user, code)
    if factor is None:
        wait = throttle.fail(counters)
        audit.record(
            "signin.failed",
            user_id=int(user.pk),
            actor=False,
            step="second_factor",
            client=throttle.pseudonym(by_address),
            failures=throttle.failures(by_user),
            wait_seconds=wait,
        )
        error = gettext("验证码不正确或已使用")
        return render(request, "accounts/verify.html", {"error": error})
    request.session.pop(PENDING, None)
    _sign_in(
        request,
        user,
        backend=str(pending["backend"]),
        factor=factor,
        counters=[by_user, throttle.for_username(user.get_username())],
        by_address=by_address,
    )
    if factor == "recovery":
        left = totp.recovery_codes_left(user)
        messages.warning(
            request,
            gettext("已使用一个恢复码，还剩 {left} 个。").format(left=left),
        )
    return redirect(str(pending.get("next") or resolve_url(settings.LOGIN_REDIRECT_URL)))


@require_POST
@csrf_protect
def logout_view(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        audit.record("signout", user_id=int(request.user.pk))
    logout(request)
    return redirect(LOGIN)


# -- the account page -----------------------------------------------------------------


@require_GET
@never_cache
@login_required
def account_view(request: HttpRequest) -> HttpResponse:
    user = request.user
    factor = totp.confirmed(user)  # type: ignore[arg-type]
    context = {
        "factor": factor,
        "codes_left": totp.recovery_codes_left(user) if factor else 0,  # type: ignore[arg-type]
    }
    return render(request, "accounts/account.html", context)


@require_http_methods(["GET", "POST"])
@sensitive_post_parameters("code")
@never_cache
@login_required
def totp_setup_view(request: HttpRequest) -> HttpResponse:
    """Turning the second factor on: start, scan, then confirm with a code."""
    user: Any = request.user
    if totp.enabled(user):
        return redirect(ACCOUNT)
    if request.method == "POST" and request.POST.get("start"):
        totp.start(user)
        return redirect("desk:accounts:totp_setup")
    factor = totp.pending(user)
    if factor is None:
        return redirect(ACCOUNT)
    error = ""
    if request.method == "POST":
        counter = throttle.for_second_factor(int(user.pk))
        wait = throttle.gate([counter])
        if wait:
            return _throttled(request, wait)
        codes = totp.confirm(user, request.POST.get("code", "")[:MAX_FIELD])
        if codes is not None:
            throttle.reset([counter])
            audit.record("second_factor.enabled", user_id=int(user.pk))
            return render(request, "accounts/recovery_codes.html", {"codes": codes, "new": True})
        throttle.fail([counter])
        error = gettext("验证码不正确，请输入应用中当前显示的六位数字")
    return render(
        request, "accounts/totp_setup.html", {"setup": totp.setup_for(user, factor), "error": error}
    )


def _code_checked(request: HttpRequest) -> HttpResponse | None:
    """For changes to the second factor: a current code, throttled; None when accepted."""
    user: Any = request.user
    counter = throttle.for_second_factor(int(user.pk))
    wait = throttle.gate([counter])
    if wait:
        return _throttled(request, wait)
    if totp.check(user, request.POST.get("code", "")[:MAX_FIELD]) is None:
        throttle.fail([counter])
        audit.record("second_factor.code_refused", user_id=int(user.pk))
        messages.error(request, gettext("验证码不正确或已使用"))
        return redirect(ACCOUNT)
    throttle.reset([counter])
    return None


@require_POST
@sensitive_post_parameters("code")
@login_required
def totp_disable_view(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    if not totp.enabled(user):
        return redirect(ACCOUNT)
    refused = _code_checked(request)
    if refused is not None:
        return refused
    totp.turn_off(user)
    audit.record("second_factor.disabled", user_id=int(user.pk))
    messages.success(request, gettext("已关闭双因素认证"))
    return redirect(ACCOUNT)


@require_POST
@sensitive_post_parameters("code")
@never_cache
@login_required
def recovery_codes_view(request: HttpRequest) -> HttpResponse:
    """New recovery codes (the old ones stop working), shown once."""
    user: Any = request.user
    if not totp.enabled(user):
        return redirect(ACCOUNT)
    refused = _code_checked(request)
    if refused is not None:
        return refused
    codes = totp.regenerate_recovery_codes(user)
    audit.record("second_factor.recovery_codes_replaced", user_id=int(user.pk))
    return render(request, "accounts/recovery_codes.html", {"codes": codes, "new": False})


@require_http_methods(["GET", "POST"])
@sensitive_post_parameters("old_password", "new_password1", "new_password2")
@csrf_protect
@never_cache
@login_required
def password_view(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    counter = throttle.for_username(user.get_username())
    if request.method == "POST":
        wait = throttle.gate([counter])
        if wait:
            return _throttled(request, wait)
        form = PasswordChangeForm(user, request.POST)
        if form.is_valid():
            form.save()
            update_session_auth_hash(request, form.user)
            throttle.reset([counter])
            audit.record("password.changed", user_id=int(user.pk))
            messages.success(request, gettext("密码已修改"))
            return redirect(ACCOUNT)
        if "old_password" in form.errors:
            throttle.fail([counter])
            audit.record("password.change_refused", user_id=int(user.pk))
    else:
        form = PasswordChangeForm(user)
    return render(request, "accounts/password.html", {"form": form})


# -- the one-time set-password link ------------------------------------------------------


class SetPasswordView(PasswordResetConfirmView):
    """Opening a set-password link (:mod:`tousu.accounts.setpassword`): choose a password
    the validators accept, then sign in with it. The token leaves the address at once
    (Django keeps it in the session), so it never reaches a Referer header."""

    template_name = "accounts/set_password.html"
    post_reset_login = False
    success_url = reverse_lazy(LOGIN)

    def get_user(self, uidb64: str) -> Any:
        user = super().get_user(uidb64)
        return user if user is not None and user.is_active else None

    def render_to_response(self, context: dict[str, Any], **kwargs: Any) -> HttpResponse:
        if not context.get("validlink"):
            kwargs["status"] = 404  # used, expired, or never issued: all look the same
        return super().render_to_response(context, **kwargs)

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        throttle.reset([throttle.for_username(form.user.get_username())])
        audit.record("password.set_by_link", user_id=int(form.user.pk))
        messages.success(request=self.request, message=gettext("密码已设置，请登录"))
        return response


set_password_view = never_cache(SetPasswordView.as_view())
