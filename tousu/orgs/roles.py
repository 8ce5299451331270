"""The fixed role codes. Policies map local titles and permissions onto them."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy


class Role(models.TextChoices):
    INTAKE_CLERK = "intake_clerk", gettext_lazy("受理员")
    DISPATCHER = "dispatcher", gettext_lazy("分办员")
    HANDLER = "handler", gettext_lazy("承办人")
    DEPARTMENT_HEAD = "department_head", gettext_lazy("部门负责人")
    SUPERVISOR = "supervisor", gettext_lazy("督办员")
    LEADER = "leader", gettext_lazy("分管领导")
    AUDITOR = "auditor", gettext_lazy("审计员")
    ADMINISTRATOR = "administrator", gettext_lazy("管理员")


# Roles that see every case of the organisation (within need-to-know rules that
# later issues add: recusal, sealed identity). Everyone else is scoped to their
# department or to the cases they first received.
ORG_WIDE_ROLES = frozenset({Role.DISPATCHER, Role.SUPERVISOR, Role.LEADER, Role.AUDITOR})
# Roles bound to a department: a membership with one of these must name it.
DEPARTMENT_ROLES = frozenset({Role.HANDLER, Role.DEPARTMENT_HEAD})
