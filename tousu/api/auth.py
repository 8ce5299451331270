"""Bearer-token authentication, and authorisation that runs before body validation.

Ninja runs the auth callable before it parses the request body, so putting the
fetch-and-authorise step here means a caller without the right learns nothing
from validation errors — not even whether the case exists.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from ninja.security import HttpBearer

from tousu.cases.access import Actor, actor_for, actor_for_token, get_case, may_register, permitted
from tousu.cases.errors import action_forbidden
from tousu.cases.lifecycle import TABLE
from tousu.cases.models import Case
from tousu.orgs.models import ApiToken
from tousu.policy.models import policy_for

TOKEN_PREFIX = "tsu_"  # noqa: S105 — a public prefix that marks Tousu tokens, not a secret


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def user_for_token(token: str) -> Any:
    if not token.startswith(TOKEN_PREFIX) or len(token) > 100:
        return None
    row = (
        ApiToken.objects.select_related("user")
        .filter(digest=token_digest(token), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    return row.user if row else None


@dataclass(frozen=True)
class Authorised:
    actor: Actor
    case: Case | None = None
    # The bearer token's digest: the scope of the caller's idempotency keys.
    token_digest: str = ""


def _kwargs(request: HttpRequest) -> dict[str, Any]:
    match = request.resolver_match
    return dict(match.kwargs) if match else {}


class TokenAuth(HttpBearer):
    """Authenticates the token; with an ``{org}`` in the path, the user must belong to it."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        org = _kwargs(request).get("org")
        if org is not None and token.startswith(TOKEN_PREFIX) and len(token) <= 100:
            actor = actor_for_token(token_digest(token), str(org))
            if actor is not None:
                return Authorised(actor=actor, token_digest=token_digest(token))
        # Slow path: tell an unknown token (401) from a caller outside the organisation (404).
        user = user_for_token(token)
        if user is None:
            return None
        if org is None:
            return user
        return Authorised(actor=actor_for(user, str(org)), token_digest=token_digest(token))


class RegisterAuth(TokenAuth):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        result = super().authenticate(request, token)
        if isinstance(result, Authorised) and not may_register(result.actor):
            raise action_forbidden("register")
        return result


class ActionAuth(TokenAuth):
    """Fetches the case and checks the actor may take ``action`` on it (state comes later)."""

    def __init__(self, action: str) -> None:
        super().__init__()
        self.action = action

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        result = super().authenticate(request, token)
        if not isinstance(result, Authorised):
            return result
        case = get_case(result.actor, str(_kwargs(request).get("number", "")))
        if not permitted(
            result.actor, case, TABLE[self.action], policy_for(case.policy_version_id)[1]
        ):
            raise action_forbidden(self.action)
        return Authorised(actor=result.actor, case=case)


def authorised(request: HttpRequest) -> Authorised:
    """What the route's auth callable found: the actor (and the case, for a case's route)."""
    assert isinstance(request.auth, Authorised)  # type: ignore[attr-defined]
    return request.auth  # type: ignore[attr-defined]
