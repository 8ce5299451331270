"""Who may use the organisation's administration pages: its administrators only.

Every page goes through :func:`admin_view`, which stacks on the desk's own
:func:`~tousu.web.pages.desk_view`: anonymous visitors are sent to the login page,
people outside the organisation get the desk's 404, and members without the
``administrator`` role there get a 403 page.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Concatenate, ParamSpec

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy

from tousu.cases.errors import TousuError
from tousu.orgs.roles import Role
from tousu.web.pages import DeskRequest, desk_view

P = ParamSpec("P")


def admin_only() -> TousuError:
    return TousuError(
        "admin_only",
        gettext_lazy("仅本单位的管理员可以使用单位管理"),
        status=403,
    )


def admin_view(
    view: Callable[Concatenate[DeskRequest, P], HttpResponse],
) -> Callable[Concatenate[HttpRequest, P], HttpResponse]:
    """A desk view for the organisation's administrators; everyone else in it gets 403."""

    def checked(request: DeskRequest, /, *args: P.args, **kwargs: P.kwargs) -> HttpResponse:
        if Role.ADMINISTRATOR not in request.desk.roles:
            raise admin_only()
        return view(request, *args, **kwargs)

    functools.update_wrapper(checked, view)
    return desk_view(checked)
