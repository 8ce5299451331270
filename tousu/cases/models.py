"""Cases and everything recorded about them.

The case row is a projection for fast queries; the event log is the record.
Events hold no personal data: identity, contact details and free text live in
``Party``, ``Subject``, ``Case.content``/``demands`` and ``CaseRecord``, which
events refer to by id, so that identity can later be encrypted and, at the end
of retention, destroyed without breaking the record of what happened.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy, pgettext_lazy

from tousu.orgs.models import Department, Organisation
from tousu.privacy.crypto import blind_index, new_case_key, wrap
from tousu.privacy.fields import SealedJSONField, SealedTextField


class Status(models.TextChoices):
    REGISTERED = "registered", gettext_lazy("已登记")
    ACCEPTED = "accepted", gettext_lazy("已受理")
    TRANSFERRING = "transferring", gettext_lazy("转办待签收")
    IN_PROGRESS = "in_progress", gettext_lazy("办理中")
    PAUSED = "paused", gettext_lazy("已中止计时")
    RESOLVED = "resolved", gettext_lazy("已办结待答复")
    REPLIED = "replied", gettext_lazy("已答复")
    FOLLOWED_UP = "followed_up", gettext_lazy("已回访")
    CLOSED = "closed", gettext_lazy("已结案")
    REJECTED = "rejected", gettext_lazy("不予受理")
    REFERRED = "referred", gettext_lazy("已转送")
    WITHDRAWN = "withdrawn", gettext_lazy("已撤回")
    MERGED = "merged", gettext_lazy("已合并")


OPEN_STATUSES = frozenset(
    {
        Status.REGISTERED,
        Status.ACCEPTED,
        Status.TRANSFERRING,
        Status.IN_PROGRESS,
        Status.PAUSED,
        Status.RESOLVED,
        Status.REPLIED,
        Status.FOLLOWED_UP,
    }
)


class Kind(models.TextChoices):
    COMPLAINT = "complaint", gettext_lazy("投诉")
    REPORT = "report", gettext_lazy("举报")
    CONSULTATION = "consultation", gettext_lazy("咨询")
    SUGGESTION = "suggestion", gettext_lazy("建议")


class Case(models.Model):
    # Covered by the (org, ...) indexes below.
    org = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="cases", db_index=False
    )
    # Assigned as the last step of registration; NULL only inside that transaction.
    number = models.CharField(max_length=40, null=True, blank=True)
    policy_version = models.ForeignKey(
        "policy.PolicyVersion", on_delete=models.PROTECT, related_name="cases", db_index=False
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    channel = models.CharField(max_length=20)
    category = models.CharField(max_length=40, blank=True)
    complexity = models.CharField(max_length=20, default="general")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.REGISTERED)
    paused_from = models.CharField(max_length=20, blank=True)

    received_at = models.DateTimeField()
    registered_at = models.DateTimeField()
    # The language the reporter wrote in on the portal (blank: not known, the organisation's
    # language is used for what is sent to them).
    reporter_language = models.CharField(max_length=10, blank=True, default="")
    # Foreign keys without db_index are covered by the indexes in Meta or never
    # searched by; every index is written twice per registration (insert, number).
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    first_contact_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", db_index=False
    )

    # Routing at intake proposes; the dispatcher confirms or changes (assign).
    proposed_co_departments = models.JSONField(default=list)
    proposed_referral = models.CharField(max_length=40, blank=True)
    # How many departments the case involves (selects deadline rules and complexity).
    involved_departments = models.PositiveSmallIntegerField(default=1)
    proposed_department = models.ForeignKey(
        Department, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        db_index=False,
    )  # fmt: skip
    lead_department = models.ForeignKey(
        Department, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        db_index=False,
    )  # fmt: skip
    pending_department = models.ForeignKey(
        Department, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        db_index=False,
    )  # fmt: skip
    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        db_index=False,
    )  # fmt: skip

    # Sealed under the case's own key (tousu.privacy): free text may name people.
    content = SealedTextField(context="case.content")
    demands = SealedTextField(context="case.demands")
    # The case key, wrapped under the master key; "" once destroyed (crypto-shredding).
    sealed_key = models.TextField(blank=True)
    shredded_at = models.DateTimeField(null=True, blank=True)
    # A legal hold keeps the case out of every retention run until released.
    legal_hold = models.BooleanField(default=False)
    fields = models.JSONField(default=dict)
    missing_fields = models.JSONField(default=list)
    customer_deadline = models.DateTimeField(null=True, blank=True)

    validity = models.CharField(max_length=20, blank=True)
    responsibility = models.CharField(max_length=20, blank=True)
    satisfaction = models.CharField(max_length=20, blank=True)
    reply_channel = models.CharField(max_length=20, blank=True)
    reopen_count = models.PositiveIntegerField(default=0)
    # Petitions: 0 before any review, 1 under review (复查), 2 under second review (复核).
    review_level = models.PositiveSmallIntegerField(default=0)
    pending_extension = models.ForeignKey(
        "CaseRecord", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        db_index=False,
    )  # fmt: skip

    # Head of the per-case hash chain (see Event).
    last_seq = models.PositiveIntegerField(default=0)
    last_hash = models.CharField(max_length=64, blank=True)
    updated_at = models.DateTimeField()
    # The case's clocks, summarised from its deadlines by the deadline engine after every
    # change (tousu.cases.deadlines.summarise), so lists sort and filter on the case row
    # instead of computing them per row: the governing hard limit (办理时限, the ledger's
    # column: the latest stage's limit, met or running), the nearest running limit (the
    # queues' order), the nearest running hard limit (overdue and due-soon), and whether a
    # hard limit was ever missed (marked overdue by the sweep, or met after it fell due).
    governing_due_at = models.DateTimeField(null=True, blank=True)
    next_due_at = models.DateTimeField(null=True, blank=True)
    next_hard_due_at = models.DateTimeField(null=True, blank=True)
    missed_deadline = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["org", "number"], name="case_number_unique_per_org")
        ]
        indexes = [
            # Queues and the ledger: an organisation's cases by state, newest first.
            models.Index(fields=["org", "status", "-received_at"], name="case_org_status_received"),
            # Ledger date-range filters.
            models.Index(fields=["org", "-received_at"], name="case_org_received"),
            # "My department" queues.
            models.Index(fields=["lead_department", "status"], name="case_lead_status"),
            models.Index(fields=["pending_department"], name="case_pending_department"),
            # "My cases": the handler's queue.
            models.Index(fields=["handler", "status"], name="case_handler_status"),
            # "Cases I first received" (first-contact owner keeps seeing them).
            models.Index(fields=["first_contact_owner"], name="case_first_contact_owner"),
            # The scope's "registered by me" branch.
            models.Index(fields=["registered_by"], name="case_registered_by"),
            # The ledger sorted by 办理时限 (its overdue view above all): read in order.
            models.Index(fields=["org", "governing_due_at"], name="case_org_governing_due"),
            # Overdue and due-soon (queues, the ledger's 是否超期): the running hard limits
            # of open cases, and the cases that ever missed one; each small beside the
            # organisation's history, so the database reads them instead of scanning.
            models.Index(
                fields=["org", "next_hard_due_at"],
                name="case_org_next_hard_due",
                condition=models.Q(next_hard_due_at__isnull=False),
            ),
            models.Index(
                fields=["org", "governing_due_at"],
                name="case_org_missed_deadline",
                condition=models.Q(missed_deadline=True),
            ),
            # 待审批: the few cases with an extension awaiting a decision.
            models.Index(
                fields=["pending_extension"],
                name="case_awaiting_extension",
                condition=models.Q(pending_extension__isnull=False),
            ),
        ]

    _is_case = True

    def __str__(self) -> str:
        return self.number or f"case#{self.pk}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self.sealed_key and self.shredded_at is None:
            self.sealed_key = wrap(new_case_key())
        super().save(*args, **kwargs)

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class Party(models.Model):
    class Role(models.TextChoices):
        COMPLAINANT = "complainant", gettext_lazy("投诉人")
        REPORTER = "reporter", gettext_lazy("举报人")
        AGENT = "agent", gettext_lazy("代理人")

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="parties")
    role = models.CharField(max_length=20, choices=Role.choices)
    anonymous = models.BooleanField(default=False)
    # Identity and contact details: sealed under the case key, never stored in clear.
    name = SealedTextField(context="party.name")
    phone = SealedTextField(context="party.phone")
    email = SealedTextField(context="party.email")
    address = SealedTextField(context="party.address")
    employer = SealedTextField(context="party.employer")
    id_number = SealedTextField(context="party.id_number")
    relation = SealedTextField(context="party.relation")
    # Keyed blind indexes: find repeat complainants without decrypting anything.
    phone_index = models.CharField(max_length=40, blank=True, db_index=True)
    email_index = models.CharField(max_length=40, blank=True, db_index=True)
    id_index = models.CharField(max_length=40, blank=True, db_index=True)
    # Asked at intake: may the identity be shared with the subject for face-to-face mediation?
    consent_share_identity = models.BooleanField(default=False)
    represents = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="agents"
    )
    # Details are corrected by adding a new row; the earlier one is kept, superseded.
    superseded_at = models.DateTimeField(null=True, blank=True)

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.phone_index = blind_index("phone", self.phone)
        self.email_index = blind_index("email", self.email)
        self.id_index = blind_index("id_number", self.id_number)
        super().save(*args, **kwargs)


class Subject(models.Model):
    class Type(models.TextChoices):
        STAFF = "staff", gettext_lazy("工作人员")
        DEPARTMENT = "department", gettext_lazy("部门")
        MERCHANT = "merchant", gettext_lazy("商户")
        PRODUCT = "product", gettext_lazy("产品")
        CONTENT = "content", gettext_lazy("信息内容")
        OTHER = "other", gettext_lazy("其他")

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="subjects")
    type = models.CharField(max_length=20, choices=Type.choices)
    name = models.CharField(max_length=200, blank=True)
    address = models.CharField(max_length=500, blank=True)
    url = models.CharField(max_length=1000, blank=True)
    reference = models.CharField(max_length=200, blank=True)
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    department = models.ForeignKey(
        Department, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Set when the policy keeps the subject's whole department out of the case.
    excluded_department = models.ForeignKey(
        Department, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    superseded_at = models.DateTimeField(null=True, blank=True)


class Assignment(models.Model):
    """A department's part in a case: lead (主办) or co-handling (协办)."""

    class Role(models.TextChoices):
        LEAD = "lead", gettext_lazy("主办")
        CO = "co", gettext_lazy("协办")

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="assignments")
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="+")
    role = models.CharField(max_length=10, choices=Role.choices)
    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    active = models.BooleanField(default=True)
    assigned_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            # Department scope: the cases a department takes part in.
            models.Index(fields=["department", "active"], name="assignment_department_active"),
            # The department scope's co-handling branch (tousu.cases.access.scope): the
            # cases a department co-handles, read from the index alone. A lead part is
            # the case's own lead_department, found by that column's index.
            models.Index(
                fields=["department", "case"],
                name="assignment_co_handling",
                condition=models.Q(active=True, role="co"),
            ),
        ]


class Deadline(models.Model):
    class State(models.TextChoices):
        OPEN = "open", gettext_lazy("计时中")
        PAUSED = "paused", gettext_lazy("已暂停")
        MET = "met", pgettext_lazy("deadline", "已完成")
        CANCELLED = "cancelled", gettext_lazy("已取消")

    case = models.ForeignKey(
        Case, on_delete=models.PROTECT, related_name="deadlines", db_index=False
    )  # covered by deadline_case_stage
    stage = models.CharField(max_length=30)
    # The event that created the clock (the rule's ``start``: when it became known).
    start = models.CharField(max_length=30)
    # The moment the period counts from (the rule's ``counts_from``, else ``start``).
    started_at = models.DateTimeField()
    # When the clock became known (was created); null on clocks created before the two
    # were told apart, which counted from the moment they were created (``started_at``).
    known_at = models.DateTimeField(null=True, blank=True)
    due_at = models.DateTimeField()
    hard = models.BooleanField(default=True)
    provisional = models.BooleanField(default=False)
    state = models.CharField(max_length=10, choices=State.choices, default=State.OPEN)
    rule = models.JSONField(default=dict)
    text_zh = models.CharField(max_length=300, blank=True)
    text_en = models.CharField(max_length=300, blank=True)
    paused_at = models.DateTimeField(null=True, blank=True)
    # Working days the clock stood still (pauses add them back to the due date).
    paused_days = models.PositiveIntegerField(default=0)
    extended = models.PositiveIntegerField(default=0)
    met_at = models.DateTimeField(null=True, blank=True)
    # Set once by the sweep that sent the due-soon reminder / escalated the overdue
    # deadline: the conditional update that sets them is what makes jobs idempotent.
    reminded_at = models.DateTimeField(null=True, blank=True)
    overdue_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            # Overdue and due-soon sweeps: open deadlines by due time (bench/deadlines:
            # 0.7 ms for 500 candidates among 1,000,000 open; partial indexes were not
            # chosen over this one, so there are none to write).
            models.Index(fields=["state", "due_at"], name="deadline_state_due"),
            models.Index(fields=["case", "stage"], name="deadline_case_stage"),
        ]


class CaseRecord(models.Model):
    """Something written down on a case: a note, minutes, findings, a reason, a reply.

    Records hold the free text and details that may name people; events point here.
    Records are append-only like events.
    """

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="records")
    kind = models.CharField(max_length=40)
    body = SealedTextField(context="record.body")
    data = SealedJSONField(context="record.data")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise RuntimeError("case records are append-only")
        super().save(*args, **kwargs)


class CaseLink(models.Model):
    class Type(models.TextChoices):
        SPLIT_FROM = "split_from", gettext_lazy("拆分自")
        MERGED_INTO = "merged_into", gettext_lazy("并入")
        REFERRED_TO = "referred_to", gettext_lazy("转送至")

    from_case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="links_out")
    to_case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="links_in")
    type = models.CharField(max_length=20, choices=Type.choices)
    created_at = models.DateTimeField()


class Event(models.Model):
    """One step in a case's history. Append-only and hash-chained per case.

    ``hash`` = SHA-256 over the previous event's hash and this event's canonical
    content, so editing, deleting or reordering rows breaks the chain.
    """

    case = models.ForeignKey(
        Case, on_delete=models.PROTECT, related_name="events", db_index=False
    )  # covered by event_seq_unique (case, seq)
    seq = models.PositiveIntegerField()
    type = models.CharField(max_length=40)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        db_index=False,
    )  # fmt: skip
    at = models.DateTimeField()
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20, blank=True)
    reason_code = models.CharField(max_length=40, blank=True)
    record = models.ForeignKey(
        CaseRecord, null=True, blank=True, on_delete=models.PROTECT, related_name="events",
        db_index=False,
    )  # fmt: skip
    data = models.JSONField(default=dict)
    prev_hash = models.CharField(max_length=64, blank=True)
    hash = models.CharField(max_length=64)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["case", "seq"], name="event_seq_unique")]

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise RuntimeError("events are append-only")
        super().save(*args, **kwargs)


class CaseCounter(models.Model):
    """The per-organisation serial for case numbers, one row per numbering period."""

    org = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", db_index=False
    )  # covered by case_counter_unique
    period = models.CharField(max_length=10)
    value = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["org", "period"], name="case_counter_unique")
        ]


class Notification(models.Model):
    """An in-app notice to a staff member. It names the case, never a person's data."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="notifications"
    )
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="notifications")
    kind = models.CharField(max_length=40)
    created_at = models.DateTimeField()
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            # The inbox: a user's unread notices, newest first.
            models.Index(fields=["user", "read_at", "-created_at"], name="notification_inbox")
        ]


class OutboxEffect(models.Model):
    """An effect of a change, to happen after it commits (a notice delivered, the reporter
    told), written in the change's own transaction and claimed by the worker.

    The payload holds ids and codes only, never personal data.
    """

    kind = models.CharField(max_length=60)
    payload = models.JSONField(default=dict)
    created_at = models.DateTimeField()
    # Claimed by one worker until this moment (a worker that dies lets the claim lapse).
    claimed_until = models.DateTimeField(null=True, blank=True)
    claim = models.CharField(max_length=32, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    done_at = models.DateTimeField(null=True, blank=True)
    # The class of the last failure (never its message: it may quote data).
    last_error = models.CharField(max_length=200, blank=True)

    class Meta:
        indexes = [
            # What is still to do, oldest first.
            models.Index(
                fields=["id"],
                name="outbox_pending",
                condition=models.Q(done_at__isnull=True),
            )
        ]


class Recusal(models.Model):
    """回避: a staff member with an interest steps aside; while active they cannot see the case."""

    class State(models.TextChoices):
        PENDING = "pending", gettext_lazy("待决定")
        ACTIVE = "active", gettext_lazy("已回避")
        REFUSED = "refused", gettext_lazy("不予回避")

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="recusals")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # declared (by the person), ordered (by an approver), party_request (by a party).
    origin = models.CharField(max_length=20)
    state = models.CharField(max_length=10, choices=State.choices)
    created_at = models.DateTimeField()
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            # Access checks: is this user recused from this case?
            models.Index(fields=["user", "state"], name="recusal_user_state"),
        ]


class IdentityReveal(models.Model):
    """Opening a reporter's identity to one staff member: asked with a reason, approved by a
    custodian who is not the asker. Until approved, the identity stays sealed."""

    class State(models.TextChoices):
        PENDING = "pending", gettext_lazy("待审批")
        APPROVED = "approved", gettext_lazy("已批准")
        REFUSED = "refused", gettext_lazy("不予批准")

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="reveals")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    state = models.CharField(max_length=10, choices=State.choices)
    created_at = models.DateTimeField()
    decided_at = models.DateTimeField(null=True, blank=True)


class IdempotencyKey(models.Model):
    """A request that filed something (a case registered, a receipt issued), by the key its
    form or API client sent: the same key again gets the first answer instead of a second
    case (:mod:`tousu.cases.idempotency`).

    Scoped to the organisation and the caller (an API token, a browser session): ``scope``
    and ``key`` are SHA-256 digests of them, never the values. ``answer`` is the first answer
    without personal data (the case number, its status, its clocks); what may be shown only
    once (a receipt's digits) waits in ``shown_once``, sealed under the case's key, until the
    page that shows it takes it. Rows are removed after :data:`~tousu.cases.idempotency.KEEP`.
    """

    org = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    scope = models.CharField(max_length=64)
    key = models.CharField(max_length=64)
    # What the request did ("register", "portal_submit", "issue_receipt").
    purpose = models.CharField(max_length=30)
    # SHA-256 of what the request asked for: the same key asking something else is refused.
    fingerprint = models.CharField(max_length=64)
    case = models.ForeignKey(
        Case, null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    status = models.PositiveSmallIntegerField(default=0)
    answer = models.JSONField(default=dict)
    shown_once = SealedTextField(context="idempotency.shown_once")
    created_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["org", "scope", "key"], name="idempotency_key_unique")
        ]

    def __str__(self) -> str:
        return f"{self.purpose} {self.key[:12]}"
