"""What the administration pages change, each change one transaction with its audit record.

The pages call these; these call the project's own services where one exists
(``activate_policy``, ``create_user``, ``add_override``, ``withdraw``,
``recompute_after_calendar_change``) and write the audit records the same way
the Django admin does (``<model>.created`` / ``<model>.changed`` with the changed
fields), marked ``via="desk"``. One module per page: :mod:`.policy`, :mod:`.departments`,
:mod:`.staff`, :mod:`.holidays`; here what they share (the refusal, the organisation's lock).
"""

from __future__ import annotations

from tousu.orgs.models import Department, Organisation
from tousu.web.i18n import t

VIA = "desk"


class Refused(Exception):
    """A change the rules do not allow; nothing was written. ``field`` names the input."""

    def __init__(self, zh: str, en: str, *, field: str = "__all__", status: int = 422) -> None:
        super().__init__(en)
        self.zh, self.en, self.field, self.status = zh, en, field, status

    @property
    def message(self) -> str:
        return t(self.zh, self.en)


def lock_org(org_id: int) -> Organisation:
    """Serialise changes to an organisation's tree and administrators."""
    return Organisation.objects.select_for_update().get(pk=org_id)


def plain(dept: Department | None) -> str:
    return dept.code if dept is not None else ""
