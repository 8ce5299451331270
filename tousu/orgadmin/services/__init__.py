"""What the administration pages change, each change one transaction with its audit record.

The pages call these; these call the project's own services where one exists
(``activate_policy``, ``create_user``, ``add_override``, ``withdraw``,
``recompute_after_calendar_change``) and write the audit records the same way
the Django admin does (``<model>.created`` / ``<model>.changed`` with the changed
fields), marked ``via="desk"``. One module per page: :mod:`.policy`, :mod:`.departments`,
:mod:`.staff`, :mod:`.holidays`; here what they share (the refusal, the organisation's lock).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tousu.i18n import Text, both, render
from tousu.orgs.models import Department, Organisation

VIA = "desk"


class Refused(Exception):
    """A change the rules do not allow; nothing was written. ``field`` names the input."""

    def __init__(
        self,
        text: Text,
        params: Mapping[str, Any] | None = None,
        *,
        field: str = "__all__",
        status: int = 422,
    ) -> None:
        self.text, self.params, self.field, self.status = text, dict(params or {}), field, status
        self.zh, self.en = both(text, self.params)
        super().__init__(self.en)

    @property
    def message(self) -> str:
        return render(self.text, self.params)


def lock_org(org_id: int) -> Organisation:
    """Serialise changes to an organisation's tree and administrators."""
    return Organisation.objects.select_for_update().get(pk=org_id)


def plain(dept: Department | None) -> str:
    return dept.code if dept is not None else ""
