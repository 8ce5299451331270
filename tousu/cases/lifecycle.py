"""The case lifecycle: one closed transition table.

Every action a case can undergo is listed here with the states it may start
from, the state it leads to, and the roles that may take it. An action not in
the table does not exist; a state not in an action's sources refuses it with
``transition_forbidden`` and changes nothing. Later issues add their actions
(recusal, identity reveal, messages to the reporter, penalties) here.
"""

from __future__ import annotations

from collections.abc import Set
from dataclasses import dataclass

from tousu.cases.models import OPEN_STATUSES, Status
from tousu.orgs.roles import Role

S = Status
R = Role


@dataclass(frozen=True)
class Transition:
    action: str
    sources: frozenset[str]
    # None: the state does not change, or the action computes it (documented there).
    target: str | None
    roles: frozenset[str]
    zh: str
    en: str
    # "pending_department": only members of the department a transfer waits on.
    scope: str = "case"
    # Deadline stages the action fulfils.
    meets: frozenset[str] = frozenset()
    # Taken only by the job worker (the system actor), never by staff or the API.
    system: bool = False
    # Taken by the reporter through the portal, on the case their receipt opened.
    reporter: bool = False


def _t(
    action: str,
    sources: Set[str],
    target: str | None,
    roles: Set[str],
    zh: str,
    en: str,
    *,
    scope: str = "case",
    meets: Set[str] | None = None,
    system: bool = False,
    reporter: bool = False,
) -> Transition:
    return Transition(
        action,
        frozenset(sources),
        target,
        frozenset(roles),
        zh,
        en,
        scope,
        frozenset(meets or ()),
        system,
        reporter,
    )


BEFORE_HANDLING = {S.REGISTERED, S.ACCEPTED}
HANDLING = {S.IN_PROGRESS}
ACTIVE = {S.REGISTERED, S.ACCEPTED, S.TRANSFERRING, S.IN_PROGRESS, S.PAUSED}
STAFF = {R.INTAKE_CLERK, R.DISPATCHER, R.HANDLER, R.DEPARTMENT_HEAD, R.SUPERVISOR, R.LEADER}
DECIDERS = {R.DISPATCHER, R.SUPERVISOR, R.LEADER}
HANDLERS = {R.HANDLER, R.DEPARTMENT_HEAD}
# Penalties and appeals come once a case is decided.
PENALTY_STATES = {S.RESOLVED, S.REPLIED, S.FOLLOWED_UP, S.CLOSED}

TABLE: dict[str, Transition] = {
    t.action: t
    for t in [
        _t("register", set(), S.REGISTERED, STAFF, "登记", "Register"),
        _t(
            "amend",
            ACTIVE,
            None,
            {R.INTAKE_CLERK} | DECIDERS | HANDLERS,
            "补充材料",
            "Complete or correct intake details",
        ),
        _t(
            "classify",
            ACTIVE,
            None,
            {R.INTAKE_CLERK, R.DEPARTMENT_HEAD} | DECIDERS,
            "分类定性",
            "Classify",
        ),
        _t(
            "resolve_on_the_spot",
            {S.REGISTERED},
            S.REPLIED,
            STAFF - {R.LEADER},
            "当场解决",
            "Resolve on the spot",
            meets={
                "acknowledgement",
                "acceptance",
                "routing",
                "notification",
                "investigation_start",
                "first_response",
                "verification",
                "mediation",
                "resolution",
                "reply",
            },
        ),
        _t(
            "accept",
            {S.REGISTERED},
            S.ACCEPTED,
            DECIDERS,
            "受理",
            "Accept",
            meets={"acknowledgement", "acceptance"},
        ),
        _t(
            "reject",
            {S.REGISTERED},
            S.REJECTED,
            DECIDERS,
            "不予受理",
            "Do not accept",
            meets={"acknowledgement", "acceptance", "notification"},
        ),
        _t(
            "refer",
            BEFORE_HANDLING | HANDLING,
            S.REFERRED,
            DECIDERS,
            "转送",
            "Refer",
            meets={"acknowledgement", "acceptance", "routing", "notification"},
        ),
        _t(
            "assign",
            {S.ACCEPTED, S.IN_PROGRESS},
            S.IN_PROGRESS,
            {R.DISPATCHER, R.SUPERVISOR, R.DEPARTMENT_HEAD},
            "分办",
            "Assign",
            meets={"routing"},
        ),
        _t(
            "transfer",
            HANDLING,
            S.TRANSFERRING,
            HANDLERS | {R.DISPATCHER, R.SUPERVISOR},
            "转办",
            "Transfer",
        ),
        _t(
            "receive",
            {S.TRANSFERRING},
            S.IN_PROGRESS,
            HANDLERS,
            "签收",
            "Receive",
            scope="pending_department",
            meets={"investigation_start"},
        ),
        # From a transfer: back to the sending department. From handling: back to dispatch.
        _t(
            "return",
            {S.TRANSFERRING, S.IN_PROGRESS},
            None,
            HANDLERS,
            "退回",
            "Return",
            scope="return",
        ),
        _t(
            "record", ACTIVE | {S.RESOLVED, S.REPLIED, S.FOLLOWED_UP}, None, STAFF, "记录", "Record"
        ),
        # A scanned original or an evidence file (tousu.evidence), from intake to the follow-up,
        # by staff who may see and work the case. A case that reached a final state takes late
        # evidence only once reopened (later also through the reporter's own route).
        _t(
            "attach",
            ACTIVE | {S.RESOLVED, S.REPLIED, S.FOLLOWED_UP},
            None,
            STAFF,
            "上传附件",
            "Attach a file",
        ),
        _t("pause", BEFORE_HANDLING | HANDLING, S.PAUSED, HANDLERS | DECIDERS, "中止计时", "Pause"),
        _t("resume", {S.PAUSED}, None, HANDLERS | DECIDERS, "恢复计时", "Resume"),
        _t(
            "request_extension",
            ACTIVE,
            None,
            HANDLERS | {R.DISPATCHER},
            "申请延期",
            "Request an extension",
        ),
        # The approver roles come from the policy (extension.approver_roles).
        _t(
            "approve_extension",
            ACTIVE,
            None,
            {R.SUPERVISOR, R.LEADER, R.DEPARTMENT_HEAD, R.DISPATCHER},
            "批准延期",
            "Approve an extension",
        ),
        _t("escalate", ACTIVE | {S.RESOLVED}, None, STAFF, "上报", "Escalate"),
        _t(
            "notify_authority",
            ACTIVE | {S.RESOLVED, S.REPLIED},
            None,
            HANDLERS | DECIDERS,
            "报告主管部门",
            "Notify an authority",
        ),
        _t("split", BEFORE_HANDLING | HANDLING, None, {R.INTAKE_CLERK} | DECIDERS, "拆分", "Split"),
        _t("merge", BEFORE_HANDLING | HANDLING | {S.PAUSED}, S.MERGED, DECIDERS, "合并", "Merge"),
        _t(
            "resolve",
            HANDLING,
            S.RESOLVED,
            HANDLERS,
            "办结",
            "Resolve",
            meets={
                "investigation_start",
                "first_response",
                "verification",
                "mediation",
                "resolution",
            },
        ),
        _t(
            "reply",
            {S.RESOLVED},
            S.REPLIED,
            HANDLERS | DECIDERS,
            "答复",
            "Reply",
            meets={"first_response", "reply", "notification"},
        ),
        _t(
            "follow_up",
            {S.REPLIED, S.FOLLOWED_UP},
            S.FOLLOWED_UP,
            STAFF - {R.LEADER},
            "回访",
            "Follow up",
            meets={"follow_up"},
        ),
        _t(
            "close",
            {S.REPLIED, S.FOLLOWED_UP},
            S.CLOSED,
            {R.DISPATCHER, R.SUPERVISOR, R.DEPARTMENT_HEAD},
            "结案",
            "Close",
        ),
        # Back to handling when a department handled it, otherwise back to a decision.
        _t(
            "reopen",
            {S.REPLIED, S.FOLLOWED_UP, S.CLOSED, S.REJECTED},
            None,
            {R.INTAKE_CLERK} | DECIDERS,
            "重新核实",
            "Reopen for re-verification",
        ),
        # 回避: declared by the person, or ordered by the policy's approver (recusal rules).
        _t("recuse", ACTIVE | {S.RESOLVED}, None, STAFF, "回避", "Recuse"),
        _t(
            "request_recusal",
            ACTIVE,
            None,
            {R.INTAKE_CLERK} | DECIDERS | HANDLERS,
            "当事人申请回避",
            "A party asks for a recusal",
        ),
        _t(
            "decide_recusal",
            ACTIVE,
            None,
            {R.SUPERVISOR, R.LEADER, R.DEPARTMENT_HEAD},
            "决定回避",
            "Decide a recusal request",
        ),
        # Opening a masked identity with a reason: a report's waits for a custodian's
        # approval; a complaint's opens at once (break-glass, listed to auditors).
        _t(
            "request_reveal",
            ACTIVE | {S.RESOLVED, S.REPLIED, S.FOLLOWED_UP, S.CLOSED},
            None,
            STAFF,
            "查看身份（须说明理由）",
            "See who brought the case (give a reason)",
        ),
        _t(
            "approve_reveal",
            ACTIVE | {S.RESOLVED, S.REPLIED, S.FOLLOWED_UP, S.CLOSED},
            None,
            {R.DISPATCHER, R.SUPERVISOR, R.LEADER, R.DEPARTMENT_HEAD},
            "审批查看身份",
            "Decide an identity request (custodian)",
        ),
        # Petitions: the next level up reviews the handling opinion (复查), then once more (复核).
        _t(
            "request_review",
            {S.REPLIED, S.FOLLOWED_UP, S.CLOSED},
            S.IN_PROGRESS,
            {R.INTAKE_CLERK} | DECIDERS,
            "申请复查（复核）",
            "Request a review",
        ),
        _t("withdraw", set(OPEN_STATUSES), S.WITHDRAWN, STAFF - {R.LEADER}, "撤回", "Withdraw"),
        # Mark words to hide in restricted views and exports (names, places that identify).
        _t("redact", set(S), None, HANDLERS | DECIDERS, "标注遮蔽", "Mark redactions"),
        # 诉讼保全: a legal hold keeps a case's personal data past its retention.
        _t("hold", set(S), None, {R.SUPERVISOR, R.LEADER}, "法律保全", "Place a legal hold"),
        _t(
            "release_hold",
            set(S),
            None,
            {R.SUPERVISOR, R.LEADER},
            "解除保全",
            "Release a legal hold",
        ),
        # The reporter on the portal (tousu.portal), and the staff side of that channel.
        _t(
            "message_reporter",
            ACTIVE | {S.RESOLVED, S.REPLIED, S.FOLLOWED_UP},
            None,
            {R.INTAKE_CLERK} | DECIDERS | HANDLERS,
            "给投诉举报人留言",
            "Write to the reporter",
        ),
        # A receipt for a case registered by phone, letter or visit (read out or printed).
        _t(
            "issue_receipt",
            ACTIVE | {S.RESOLVED, S.REPLIED, S.FOLLOWED_UP, S.CLOSED, S.REJECTED, S.REFERRED},
            None,
            {R.INTAKE_CLERK} | DECIDERS | HANDLERS,
            "发放查询回执",
            "Issue a follow-up receipt",
        ),
        # The pre-printed receipt of a report-box form, bound to the case registered from it.
        _t(
            "bind_receipt",
            ACTIVE | {S.RESOLVED, S.REPLIED, S.FOLLOWED_UP, S.CLOSED, S.REJECTED, S.REFERRED},
            None,
            {R.INTAKE_CLERK} | DECIDERS,
            "登记举报箱回执",
            "Bind a report-box form's receipt",
        ),
        _t(
            "reporter_message",
            ACTIVE | {S.RESOLVED, S.REPLIED, S.FOLLOWED_UP},
            None,
            set(),
            "投诉举报人留言",
            "The reporter wrote",
            reporter=True,
        ),
        _t(
            "reporter_evidence",
            ACTIVE | {S.RESOLVED, S.REPLIED, S.FOLLOWED_UP},
            None,
            set(),
            "投诉举报人补充证据",
            "The reporter added evidence",
            reporter=True,
        ),
        _t(
            "rate",
            {S.REPLIED, S.FOLLOWED_UP, S.CLOSED},
            None,
            set(),
            "投诉举报人评价",
            "The reporter rated the reply",
            reporter=True,
        ),
        # "I disagree": re-verification (reopen) or a review (复查), as the policy says.
        _t(
            "disagree",
            {S.REPLIED, S.FOLLOWED_UP, S.CLOSED},
            None,
            set(),
            "投诉举报人提出异议",
            "The reporter disagrees",
            reporter=True,
        ),
        # An oral report's written record: confirmed or corrected by the person (never
        # overwritten: the correction is a record of its own).
        _t(
            "confirm_record",
            ACTIVE | {S.RESOLVED, S.REPLIED, S.FOLLOWED_UP},
            None,
            set(),
            "投诉举报人确认记录",
            "The reporter confirmed the record",
            reporter=True,
        ),
        _t(
            "correct_record",
            ACTIVE | {S.RESOLVED, S.REPLIED, S.FOLLOWED_UP},
            None,
            set(),
            "投诉举报人更正记录",
            "The reporter corrected the record",
            reporter=True,
        ),
        # Accountability (tousu.accountability): a penalty on a decided case, its approval,
        # the penalised person's appeal and its decision. Roles come from the policy.
        _t(
            "propose_penalty",
            PENALTY_STATES,
            None,
            DECIDERS | {R.DEPARTMENT_HEAD},
            "提出处罚意见",
            "Propose a penalty",
        ),
        _t(
            "decide_penalty",
            PENALTY_STATES,
            None,
            {R.SUPERVISOR, R.LEADER, R.DEPARTMENT_HEAD},
            "审批处罚",
            "Decide a proposed penalty",
        ),
        # By the penalised person themself, even on a case about them (scope "penalised").
        _t(
            "appeal_penalty",
            PENALTY_STATES,
            None,
            STAFF,
            "对处罚提出申诉",
            "Appeal a penalty",
            scope="penalised",
        ),
        _t(
            "decide_appeal",
            PENALTY_STATES,
            None,
            {R.SUPERVISOR, R.LEADER, R.DEPARTMENT_HEAD},
            "处理申诉",
            "Decide an appeal",
        ),
        # Delivery (送达) of the written penalty notice or appeal decision to the person.
        _t(
            "record_notice_delivered",
            PENALTY_STATES,
            None,
            {R.SUPERVISOR, R.LEADER, R.DEPARTMENT_HEAD},
            "登记处罚文书送达",
            "Record delivery of a penalty notice",
        ),
        # Remedies (tousu.remedies): 先行赔付, refunds, returns, credits. The approver's role must
        # hold a policy approval limit (核决权限) that covers the amount or quantity.
        _t(
            "propose_remedy",
            ACTIVE | {S.RESOLVED, S.REPLIED, S.FOLLOWED_UP},
            None,
            {R.INTAKE_CLERK} | DECIDERS | HANDLERS,
            "提出赔付/退换货",
            "Propose compensation or a return",
        ),
        _t(
            "approve_remedy",
            ACTIVE | {S.RESOLVED, S.REPLIED, S.FOLLOWED_UP},
            None,
            {R.DEPARTMENT_HEAD, R.SUPERVISOR, R.LEADER, R.DISPATCHER},
            "核准赔付/退换货",
            "Approve compensation or a return",
        ),
        _t(
            "record_remedy_paid",
            ACTIVE | {S.RESOLVED, S.REPLIED, S.FOLLOWED_UP, S.CLOSED},
            None,
            {R.INTAKE_CLERK} | DECIDERS | HANDLERS,
            "登记赔付兑现",
            "Record compensation paid or goods handed over",
        ),
        # Rewards for substantiated reports: a named reporter's through the custodian, an
        # anonymous one's to whoever shows the case's receipt.
        _t(
            "propose_reward",
            {S.RESOLVED, S.REPLIED, S.FOLLOWED_UP, S.CLOSED},
            None,
            DECIDERS | {R.DEPARTMENT_HEAD},
            "提出举报奖励",
            "Propose a reward for the report",
        ),
        _t(
            "approve_reward",
            {S.RESOLVED, S.REPLIED, S.FOLLOWED_UP, S.CLOSED},
            None,
            {R.DEPARTMENT_HEAD, R.SUPERVISOR, R.LEADER, R.DISPATCHER},
            "审批举报奖励",
            "Approve a reward for the report",
        ),
        _t(
            "hand_over_reward",
            {S.RESOLVED, S.REPLIED, S.FOLLOWED_UP, S.CLOSED},
            None,
            DECIDERS | {R.DEPARTMENT_HEAD},
            "发放举报奖励",
            "Hand over a reward for the report",
        ),
        # Special procedures of the policy (tousu.procedures), e.g. the hospital's medical
        # dispute: opened on a case of the procedure's categories, its steps recorded with
        # their record forms. The procedure's groups narrow who takes each step.
        _t(
            "start_procedure",
            ACTIVE | {S.RESOLVED, S.REPLIED, S.FOLLOWED_UP},
            None,
            STAFF,
            "启动特别程序",
            "Open a special procedure",
        ),
        _t(
            "record_procedure_step",
            ACTIVE | {S.RESOLVED, S.REPLIED, S.FOLLOWED_UP},
            None,
            STAFF,
            "记录程序步骤",
            "Record a procedure step",
        ),
        # Quality complaints (tousu.quality): the 8D-style quality report (also after the
        # resolution: the effect check comes later) and sub-tasks (分派子任务) to departments
        # with their own due dates. The assigner must head the lead department or decide;
        # only the sub-task's department completes it (both checked by the action).
        _t(
            "record_quality",
            ACTIVE | {S.RESOLVED, S.REPLIED, S.FOLLOWED_UP},
            None,
            HANDLERS | DECIDERS,
            "记录质量调查（8D）",
            "Record the quality report (8D)",
        ),
        _t(
            "assign_subtask",
            ACTIVE | {S.RESOLVED, S.REPLIED, S.FOLLOWED_UP},
            None,
            DECIDERS | {R.DEPARTMENT_HEAD},
            "分派子任务",
            "Assign a sub-task to a department",
        ),
        _t(
            "complete_subtask",
            ACTIVE | {S.RESOLVED, S.REPLIED, S.FOLLOWED_UP},
            None,
            HANDLERS | {R.INTAKE_CLERK},
            "完成子任务",
            "Complete a sub-task",
        ),
        _t(
            "cancel_subtask",
            ACTIVE | {S.RESOLVED, S.REPLIED, S.FOLLOWED_UP},
            None,
            DECIDERS | {R.DEPARTMENT_HEAD},
            "取消子任务",
            "Cancel a sub-task",
        ),
        _t(
            "mark_subtask_overdue",
            ACTIVE | {S.RESOLVED, S.REPLIED, S.FOLLOWED_UP},
            None,
            set(),
            "子任务逾期督办",
            "Sub-task overdue",
            system=True,
        ),
        # The job worker's actions: a deadline passed, a deadline is near.
        _t("mark_overdue", OPEN_STATUSES, None, set(), "逾期督办", "Mark overdue", system=True),
        _t("remind", OPEN_STATUSES, None, set(), "到期提醒", "Remind", system=True),
        _t(
            "restart_clocks",
            OPEN_STATUSES,
            None,
            set(),
            "重新计时",
            "Restart the clocks (duplicate merged in)",
            system=True,
        ),
        _t(
            "shred",
            set(S) - OPEN_STATUSES,
            None,
            set(),
            "销毁个人信息",
            "Destroy personal data (retention)",
            system=True,
        ),
        _t(
            "recompute_deadlines",
            OPEN_STATUSES,
            None,
            set(),
            "重算期限",
            "Recompute deadlines",
            system=True,
        ),
    ]
}

ACTIONS = tuple(TABLE)
