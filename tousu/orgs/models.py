"""Organisations, their department trees, staff memberships and API tokens."""

from __future__ import annotations

import re
import time
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models.signals import post_save
from django.dispatch import receiver

from tousu.i18n import LANGUAGES, SOURCE
from tousu.orgs.roles import Role

slug_validator = RegexValidator(
    r"^[a-z0-9](?:[a-z0-9-]{0,48}[a-z0-9])?$",
    "小写字母、数字和连字符 / lowercase letters, digits and hyphens",
)
# E.164 with its plus sign, or a mainland mobile number.
MOBILE_RE = re.compile(r"\+[1-9][0-9]{6,14}|1[3-9][0-9]{9}")
code_validator = RegexValidator(
    r"^[a-z0-9_]{1,40}$", "小写字母、数字和下划线 / lowercase letters, digits and underscores"
)


class Organisation(models.Model):
    slug = models.CharField(max_length=50, unique=True, validators=[slug_validator])
    name = models.CharField("名称 name", max_length=200)
    time_zone = models.CharField(max_length=64, default="Asia/Shanghai")
    # The language of what the organisation sends (e-mails, SMS, documents) to a recipient
    # whose own language is not known.
    language = models.CharField(max_length=10, choices=LANGUAGES, default=SOURCE)
    # The policy version new cases are registered under; set when a policy is activated.
    active_policy = models.ForeignKey(
        "policy.PolicyVersion", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "组织 organisation"
        verbose_name_plural = "组织 organisations"

    def __str__(self) -> str:
        return f"{self.name} ({self.slug})"


class Department(models.Model):
    org = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="departments")
    code = models.CharField(max_length=40, validators=[code_validator])
    name = models.CharField("名称 name", max_length=200)
    name_en = models.CharField(max_length=200, blank=True)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    active = models.BooleanField(default=True)

    class Meta:
        verbose_name = "部门 department"
        verbose_name_plural = "部门 departments"
        constraints = [
            models.UniqueConstraint(fields=["org", "code"], name="department_code_unique_per_org")
        ]

    def __str__(self) -> str:
        return self.name

    def subtree_ids(self) -> set[int]:
        """This department and every department below it (a head sees their subtree)."""
        ids = {self.pk}
        frontier = [self.pk]
        while frontier:
            children = list(
                Department.objects.filter(parent_id__in=frontier).values_list("pk", flat=True)
            )
            frontier = [c for c in children if c not in ids]
            ids.update(frontier)
        return ids


_DEPARTMENT_IDS: dict[tuple[int, str], tuple[float, int | None]] = {}
_DEPARTMENT_TTL = 30.0


def department_id(org_id: int, code: str) -> int | None:
    """The id of an active department by code, cached briefly (read on every intake).

    Departments are never deleted; a rename or deactivation shows within 30 s.
    """
    now = time.monotonic()
    hit = _DEPARTMENT_IDS.get((org_id, code))
    if hit is not None and now - hit[0] < _DEPARTMENT_TTL:
        return hit[1]
    found = (
        Department.objects.filter(org_id=org_id, code=code, active=True)
        .values_list("pk", flat=True)
        .first()
    )
    _DEPARTMENT_IDS[(org_id, code)] = (now, found)
    return found


@receiver(post_save, sender=Department)
def _forget_department_ids(**kwargs: Any) -> None:
    _DEPARTMENT_IDS.clear()


class Membership(models.Model):
    """A staff member's role in one organisation (a person may hold several)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="memberships"
    )
    org = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="memberships")
    role = models.CharField(max_length=20, choices=Role.choices)
    department = models.ForeignKey(
        Department, null=True, blank=True, on_delete=models.PROTECT, related_name="memberships"
    )
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "任职 membership"
        verbose_name_plural = "任职 memberships"
        constraints = [
            models.UniqueConstraint(
                fields=["user", "org", "role", "department"], name="membership_unique"
            )
        ]
        indexes = [
            # Authorising every request: a user's active memberships in one organisation.
            models.Index(fields=["user", "org"], name="membership_user_org"),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.org.slug} · {self.role}"


def validate_mobile(value: str) -> None:
    """A mobile number for text messages: 11 digits of a mainland number (13912345678), or
    an international one with its country code (+852 91234567); spaces and hyphens allowed."""
    if not MOBILE_RE.fullmatch(normalise_mobile(value)):
        raise ValidationError(
            "手机号码格式不正确（11 位数字，或 + 国家代码 + 号码） / "
            "not a mobile number (11 digits, or + country code and number)",
            code="mobile",
        )


def normalise_mobile(value: str) -> str:
    return re.sub(r"[\s-]", "", value or "")


def validate_plain_line(value: str) -> None:
    """One line of text: a name or a title printed on documents holds no control characters."""
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in value):
        raise ValidationError(
            "只能是一行文字 / one line of text, no control characters", code="line"
        )


class StaffProfile(models.Model):
    """What a staff member is called, and where their notices go; one per account.

    ``name`` is the full name as written (王建国) and ``title`` the post (财务处处长); pages
    and documents show them through :func:`tousu.orgs.people.display_name`, never the
    username. ``email`` and ``mobile`` are only for the person's own notices: never shown
    on the portal or printed on a document.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="staff_profile"
    )
    name = models.CharField(max_length=100, blank=True, validators=[validate_plain_line])
    title = models.CharField(max_length=100, blank=True, validators=[validate_plain_line])
    email = models.EmailField(blank=True)
    mobile = models.CharField(max_length=20, blank=True, validators=[validate_mobile])
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "人员资料 staff profile"
        verbose_name_plural = "人员资料 staff profiles"

    def __str__(self) -> str:
        return self.name or f"#{self.user_id}"


class ApiToken(models.Model):
    """A bearer token: only the SHA-256 of a 256-bit random secret is kept.

    A slow password hash would be wrong here: every API request checks the token,
    and the secret's entropy already makes offline guessing hopeless.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="api_tokens"
    )
    digest = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=12)
    label = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "接口令牌 API token"
        verbose_name_plural = "接口令牌 API tokens"

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"


class AuditEvent(models.Model):
    """Append-only record of changes outside cases: organisations, staff, tokens, policies.

    Like case events, it holds no personal data beyond internal user ids.
    """

    org = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="audit_events"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    type = models.CharField(max_length=60)
    object_type = models.CharField(max_length=60)
    object_id = models.CharField(max_length=60)
    data = models.JSONField(default=dict)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "审计记录 audit event"
        verbose_name_plural = "审计记录 audit events"
        indexes = [models.Index(fields=["org", "at"], name="auditevent_org_at")]

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise RuntimeError("audit events are append-only")
        super().save(*args, **kwargs)
