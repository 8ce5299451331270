"""Access: the one module answering who is acting, what they reach, what they may do and
whose identity they may see.

- :mod:`~tousu.cases.access.actors`: who is acting (staff in one organisation, the job
  worker, a reporter holding a receipt);
- :mod:`~tousu.cases.access.scope`: which cases, notices and decisions they reach, and
  fetch-and-authorise (:func:`get_case`), answering "missing" and "forbidden" with the same
  :func:`~tousu.cases.errors.not_found`, so that a case's existence is itself need-to-know;
- :mod:`~tousu.cases.access.actions`: whether they may take an action (or register);
- :mod:`~tousu.cases.access.identity`: whether they may see who brought a case, for one
  case or a page of them.

Every view, endpoint, export, notification and job asks these, through this package.
"""

from tousu.cases.access.actions import (
    may_register,
    permitted,
    roles_for,
)
from tousu.cases.access.actors import (
    REPORTER_USERNAME,
    SYSTEM_USERNAME,
    Actor,
    actor_for,
    actor_for_token,
    actor_from,
    reporter_actor,
    system_actor,
)
from tousu.cases.access.identity import (
    TELLING_STATUSES,
    Facts,
    identity_visibility,
    identity_visible,
    sees_identity,
)
from tousu.cases.access.scope import (
    DECIDED_STATUSES,
    PERSONAL_NOTICES,
    case_scope,
    decided_cases_about,
    excluded,
    get_case,
    is_excluded,
    personal_notice,
    reaches,
    visible_cases,
    visible_notifications,
)

__all__ = [
    "Actor",
    "DECIDED_STATUSES",
    "Facts",
    "PERSONAL_NOTICES",
    "REPORTER_USERNAME",
    "SYSTEM_USERNAME",
    "TELLING_STATUSES",
    "actor_for",
    "actor_for_token",
    "actor_from",
    "case_scope",
    "decided_cases_about",
    "excluded",
    "get_case",
    "identity_visibility",
    "identity_visible",
    "is_excluded",
    "may_register",
    "permitted",
    "personal_notice",
    "reaches",
    "reporter_actor",
    "roles_for",
    "sees_identity",
    "system_actor",
    "visible_cases",
    "visible_notifications",
]
