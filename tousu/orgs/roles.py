"""The fixed role codes. Policies map local titles and permissions onto them."""

from __future__ import annotations

from django.db import models


class Role(models.TextChoices):
    INTAKE_CLERK = "intake_clerk", "受理员 Intake clerk"
    DISPATCHER = "dispatcher", "分办员 Dispatcher"
    HANDLER = "handler", "承办人 Handler"
    DEPARTMENT_HEAD = "department_head", "部门负责人 Department head"
    SUPERVISOR = "supervisor", "督办员 Supervisor"
    LEADER = "leader", "分管领导 Leader"
    AUDITOR = "auditor", "审计员 Auditor"
    ADMINISTRATOR = "administrator", "管理员 Administrator"


# Roles that see every case of the organisation (within need-to-know rules that
# later issues add: recusal, sealed identity). Everyone else is scoped to their
# department or to the cases they first received.
ORG_WIDE_ROLES = frozenset({Role.DISPATCHER, Role.SUPERVISOR, Role.LEADER, Role.AUDITOR})
# Roles bound to a department: a membership with one of these must name it.
DEPARTMENT_ROLES = frozenset({Role.HANDLER, Role.DEPARTMENT_HEAD})
