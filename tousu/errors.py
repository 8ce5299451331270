"""The registry of error codes: every code Tousu answers with, its HTTP status and its meaning.

Codes are part of the API contract: clients switch on ``code``, people read the messages
(``message.zh`` / ``message.en``, written where the error is raised). Add codes; never rename
one. :class:`tousu.cases.errors.TousuError` refuses a code that is not listed here, the API's
OpenAPI document lists them all (the ``ErrorOut`` schema), and a test reads the sources for
codes written outside this list.

This module imports nothing of the project.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType


@dataclass(frozen=True)
class ErrorCode:
    code: str
    status: int
    zh: str
    en: str


class UnregisteredErrorCode(LookupError):
    """An error code that is not in :data:`CODES`: a programming error, never an answer."""


_ROWS: tuple[tuple[str, int, str, str], ...] = (
    # -- requests --------------------------------------------------------------------------
    ("bad_request", 400, "请求无法处理", "The request cannot be handled"),
    ("error", 403, "请求被框架拒绝（如 CSRF 校验失败）", "The framework refused the request (e.g. CSRF)"),
    ("invalid_characters", 400, "请求含 NUL 或无效的 UTF-8", "The request holds NUL or invalid UTF-8"),
    ("malformed_json", 400, "请求体不是有效的 JSON", "The request body is not valid JSON"),
    ("malformed_multipart", 400, "请求体不是有效的 multipart/form-data", "The request body is not valid multipart/form-data"),
    ("unauthenticated", 401, "缺少或无效的访问令牌", "Missing or invalid bearer token"),
    ("method_not_allowed", 405, "不支持该请求方法", "The method is not allowed here"),
    ("body_too_large", 413, "请求体过大", "The request body is too large"),
    ("invalid_request", 422, "请求内容有误（见 details 所列字段）", "The request is invalid (fields in details)"),
    ("invalid_value", 422, "某个字段的值无效（见 details）", "A field's value is invalid (see details)"),
    ("invalid", 422, "数量超出允许范围", "A count is out of range"),
    ("invalid_filter", 400, "筛选条件无效", "A filter is invalid"),
    ("invalid_cursor", 400, "翻页位置无效", "The page position is invalid"),
    ("export_not_ready", 409, "导出文件尚未生成完成", "The export is not ready yet"),
    ("export_expired", 410, "导出文件已过期并已删除", "The export has expired and was removed"),
    ("rate_limited", 429, "尝试过于频繁，请稍后再试", "Too many attempts; try again later"),
    ("idempotency_key_invalid", 422, "幂等键无效（1 至 200 个可见 ASCII 字符）", "The idempotency key is invalid (1 to 200 visible ASCII characters)"),
    ("idempotency_key_reused", 422, "该幂等键已用于内容不同的另一次提交", "The idempotency key was used for a different request"),
    # -- access ----------------------------------------------------------------------------
    ("not_found", 404, "未找到该对象（不存在或无权查看）", "Not found (missing or not yours)"),
    ("action_forbidden", 403, "无权执行该操作", "You may not perform this action"),
    ("admin_only", 403, "仅本单位管理员可使用", "Only the organisation's administrators"),
    ("record_integrity_broken", 409, "案件记录在系统外被改动", "The case's record was changed outside the system"),
    # -- cases -----------------------------------------------------------------------------
    ("transition_forbidden", 409, "案件当前状态不允许该操作", "The action is not allowed in the case's status"),
    ("no_policy", 409, "本单位没有生效的制度", "The organisation has no active policy"),
    ("no_successor", 409, "无人可接替首问负责", "Nobody can take over the first contact"),
    ("missing_fields", 409, "受理前须补全信息", "Fields must be completed before acceptance"),
    ("extension_pending", 409, "已有待批的延期申请", "An extension request is already pending"),
    ("no_extension_request", 409, "没有待批的延期申请", "There is no pending extension request"),
    ("self_approval", 403, "不能批准本人的申请", "You cannot approve your own request"),
    ("split_not_in_policy", 409, "制度规定混合事项作为一案办理", "The policy handles mixed submissions as one case"),
    ("written_reply_required", 422, "本案须书面答复", "The case needs a written reply"),
    ("no_review_in_policy", 409, "制度未规定复核程序", "The policy has no review procedure"),
    ("final_review_done", 409, "复核已终结", "The final review is done"),
    ("review_window_passed", 409, "申请复核的期限已过", "The window to ask for a review has passed"),
    ("disagreement_window_passed", 409, "提出异议的期限已过", "The window to disagree with the reply has passed"),
    ("not_an_oral_record", 409, "仅电话或当面受理的案件有笔录可确认", "Only a case taken orally has a record to confirm"),
    # -- safeguards ------------------------------------------------------------------------
    ("already_recused", 409, "已回避", "Already recused"),
    ("already_requested", 409, "已提出申请", "Already requested"),
    ("self_decision", 403, "不能决定与本人有关的申请", "You cannot decide a request about yourself"),
    ("identity_visible", 409, "您已可查看身份信息", "You already see the identity"),
    ("custodian_conflict", 403, "申请人或本案承办人不能批准", "The asker or the case's handler cannot approve"),
    ("already_held", 409, "已处于保全状态", "Already on legal hold"),
    ("not_held", 409, "未处于保全状态", "Not on legal hold"),
    # -- accountability --------------------------------------------------------------------
    ("penalty_not_pending", 409, "该处分已作出决定", "The penalty has been decided"),
    ("penalty_not_decided", 409, "该处分尚未决定", "The penalty is not decided"),
    ("already_appealed", 409, "该处分已申诉", "The penalty was already appealed"),
    ("appeal_window_passed", 409, "申诉期限已过", "The appeal window has passed"),
    ("no_pending_appeal", 409, "该处分没有待决的申诉", "No pending appeal on the penalty"),
    ("appeal_not_decided", 409, "申诉尚未决定", "The appeal is not decided"),
    # -- remedies --------------------------------------------------------------------------
    ("remedy_decided", 409, "该补救措施已决定", "The remedy has already been decided"),
    ("own_proposal", 403, "不能批准本人的提议", "You cannot approve your own proposal"),
    ("not_an_approver", 403, "制度未授权您批准", "The policy does not let you approve this"),
    ("above_approval_limit", 403, "超出您的审批权限", "Above your approval limit"),
    ("remedy_not_approved", 409, "该补救措施未获批准或已支付", "The remedy is not approved, or is already paid"),
    ("reward_decided", 409, "该奖励已决定", "The reward has already been decided"),
    ("reward_not_approved", 409, "该奖励未获批准或已发放", "The reward is not approved, or is already handed over"),
    ("custodian_only", 403, "仅身份信息保管人可发放", "Only the identity's custodian hands it over"),
    # -- procedures and quality ------------------------------------------------------------
    ("procedure_group_only", 403, "仅程序指定的小组可操作", "Only the procedure's group may do this"),
    ("procedure_started", 409, "该程序已启动", "The procedure is already open"),
    ("procedure_not_started", 409, "该程序尚未启动", "The procedure is not open on the case"),
    ("no_committee_decision", 409, "委员会尚未作出决定", "The committee has not decided yet"),
    ("subtask_not_open", 409, "该子任务已不在办理中", "The sub-task is no longer open"),
    ("not_your_subtask", 403, "该子任务属于其他部门", "The sub-task belongs to another department"),
    # -- duty ------------------------------------------------------------------------------
    ("roster_forbidden", 403, "无权修改值班表", "You may not change the roster"),
    ("shift_overlap", 409, "该人员已有同类班次", "The person already has a shift of this kind then"),
    ("shift_cancelled", 409, "该班次已取消", "The shift was already cancelled"),
    ("shift_ended", 409, "已结束的班次不能取消", "A shift that has ended cannot be cancelled"),
    ("handover_not_receiver", 403, "仅接收人可确认交接", "Only the receiver acknowledges the hand-over"),
    ("handover_received", 409, "该交接已确认", "The hand-over was already acknowledged"),
    # -- documents (desk pages) ------------------------------------------------------------
    ("no_document_for_step", 404, "该步骤没有可打印的文书", "The step has no printable document"),
    ("step_not_recorded", 404, "该步骤尚未记录", "The step has not been recorded yet"),
    ("no_mediation_record", 404, "本案尚无调解记录", "The case has no mediation record yet"),
    ("no_reply_yet", 404, "本案尚未答复", "The case has not been replied to yet"),
    # -- evidence files --------------------------------------------------------------------
    ("file_missing", 422, "未选择文件", "No file was chosen"),
    ("file_empty", 422, "文件为空", "The file is empty"),
    ("file_too_large", 413, "文件超过大小上限", "The file is larger than the limit"),
    ("file_type_not_allowed", 415, "文件类型不在允许之列", "The file's type is not accepted"),
    ("file_unreadable", 422, "文件无法读取（可能已损坏）", "The file cannot be read (damaged?)"),
    ("file_bomb", 422, "文件解开后过大（疑似压缩炸弹）", "The file would be far too large once opened"),
    ("file_encrypted", 422, "文件有密码保护，无法检查", "The file is password-protected"),
    ("file_active_content", 422, "文件含无法清除的脚本或动作", "The file holds scripts that could not be removed"),
    ("file_too_many_pages", 422, "文件页数超过上限", "The file has too many pages"),
    ("too_many_files", 422, "文件数量超过上限", "Too many files"),
    ("file_destroyed", 410, "保存期满，个人信息已销毁", "Destroyed at the end of retention"),
    ("file_restricted", 403, "该附件可能显示身份，无权查看", "The attachment may show the identity"),
    ("file_original_forbidden", 403, "无权下载原始文件", "You may not download the original file"),
    ("file_original_not_kept", 404, "未保留原始文件", "No original file is kept"),
    ("file_unsafe", 409, "无法生成该附件的安全版本", "No safe rendition can be made"),
    ("file_not_identifying", 409, "该附件未标为可能显示身份", "The attachment is not marked as identifying"),
    ("file_unavailable", 500, "附件文件缺失或损坏", "The attachment's file is missing or damaged"),
    # -- queues, bulk work and saved filters (desk pages) ----------------------------------
    ("bulk_empty", 400, "未勾选案件", "No case was selected"),
    ("bulk_too_many", 400, "一次勾选的案件过多", "Too many cases selected at once"),
    ("bulk_bad_number", 400, "所选之一不是案件编号", "A selected value is not a case number"),
    ("bulk_unknown", 400, "未知的批量操作", "Unknown bulk action"),
    ("saved_filter_invalid", 422, "筛选名称或条件无效", "The saved filter's name or query is invalid"),
    ("notice_preference_invalid", 422, "通知方式无效", "The notice preference is invalid"),
    # -- the reporter's portal -------------------------------------------------------------
    ("challenge_failed", 422, "请先回答验证问题", "Answer the question first"),
    ("receipt_not_found", 404, "回执号不正确或无对应案件", "The receipt is wrong or matches no case"),
)  # fmt: skip

CODES: Mapping[str, ErrorCode] = MappingProxyType({row[0]: ErrorCode(*row) for row in _ROWS})


def registered(code: str) -> str:
    """``code`` itself, if it is in the registry; otherwise :class:`UnregisteredErrorCode`."""
    if code not in CODES:
        raise UnregisteredErrorCode(f"error code {code!r} is not registered in tousu.errors")
    return code


def described() -> str:
    """The registry as Markdown lines: one code a line, with its status and meaning."""
    return "\n".join(f"- `{e.code}` ({e.status}) {e.zh} — {e.en}" for e in CODES.values())
