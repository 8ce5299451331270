"""Words the desk shows for codes: channels, kinds, statuses, fields, choices (zh, en)."""

from __future__ import annotations

from tousu.cases.models import Kind, Status
from tousu.orgs.roles import Role
from tousu.web.i18n import pick, t

CHANNELS: dict[str, tuple[str, str]] = {
    "phone": ("电话", "Phone"),
    "letter": ("来信", "Letter"),
    "fax": ("传真", "Fax"),
    "email": ("电子邮件", "E-mail"),
    "web": ("网站", "Web"),
    "visit": ("来访", "Visit"),
    "sms": ("短信", "SMS"),
    "touchscreen": ("触摸屏", "Touchscreen"),
    "evaluation_form": ("评价表", "Evaluation form"),
    "box": ("意见箱", "Complaint box"),
    "opinion_book": ("意见簿", "Opinion book"),
    "referral": ("转办", "Referral"),
    "other": ("其他", "Other"),
    "on_the_spot": ("当场", "On the spot"),
}

CHOICES: dict[str, tuple[str, str]] = {
    # complexity
    "on_the_spot": ("当场办结", "On the spot"),
    "general": ("一般", "General"),
    "complex": ("复杂", "Complex"),
    "major": ("重大", "Major"),
    # responsibility
    "organisation": ("本单位责任", "Organisation's fault"),
    "complainant": ("投诉人责任", "Complainant's fault"),
    "third_party": ("第三方责任", "Third party"),
    "unclear": ("责任不明", "Unclear"),
    # satisfaction
    "satisfied": ("满意", "Satisfied"),
    "basically_satisfied": ("基本满意", "Basically satisfied"),
    "dissatisfied": ("不满意", "Dissatisfied"),
    # record kinds
    "note": ("备注", "Note"),
    "investigation": ("调查", "Investigation"),
    "mediation": ("调解", "Mediation"),
    "meeting": ("会议", "Meeting"),
    "evidence": ("证据", "Evidence"),
    "sealed_evidence": ("封存证据", "Sealed evidence"),
    "call": ("通话", "Call"),
    "acknowledgement": ("回执", "Acknowledgement"),
    "notification": ("告知", "Notification"),
    "site_inspection": ("现场检查", "Site inspection"),
    "delivery": ("送达", "Delivery"),
    # mediation outcome
    "agreement": ("达成协议", "Agreement"),
    "no_agreement": ("未达成协议", "No agreement"),
    "adjourned": ("中止", "Adjourned"),
    # pause reasons
    "waiting_materials": ("等待补充材料", "Waiting for materials"),
    "testing": ("检验检测", "Testing"),
    "appraisal": ("鉴定", "Appraisal"),
    "recusal_request": ("回避申请", "Recusal request"),
    "other": ("其他", "Other"),
    # subject types
    "staff": ("工作人员", "Staff member"),
    "department": ("部门", "Department"),
    "merchant": ("经营者", "Merchant"),
    "product": ("产品", "Product"),
    "content": ("信息内容", "Content"),
    # escalation targets
    "department_head": ("部门负责人", "Department head"),
    "supervisor": ("督办员", "Supervisor"),
    "leader": ("分管领导", "Leader"),
}

FIELDS: dict[str, tuple[str, str]] = {
    "note": ("备注", "Note"),
    "reason": ("理由", "Reason"),
    "reason_code": ("原因", "Reason"),
    "findings": ("调查核实情况", "Findings"),
    "measures": ("处理措施", "Measures taken"),
    "responsibility": ("责任认定", "Responsibility"),
    "valid": ("投诉是否属实", "Complaint founded?"),
    "reply_channel": ("答复方式", "Reply channel"),
    "satisfied": ("当场是否满意", "Satisfied on the spot?"),
    "complainant_told": ("已告知投诉人", "Complainant told"),
    "told_via": ("告知方式", "Told via"),
    "target_org": ("转送单位（系统内代码）", "Target organisation (code in Tousu)"),
    "authority": ("转送机关", "Authority"),
    "lead_department": ("主办部门", "Lead department"),
    "co_departments": ("协办部门", "Co-departments"),
    "departments": ("涉及部门", "Departments involved"),
    "department": ("部门", "Department"),
    "handler": ("承办人", "Handler"),
    "kind": ("类型", "Kind"),
    "category": ("类别", "Category"),
    "complexity": ("复杂程度", "Complexity"),
    "body": ("内容", "Text"),
    "occurred_at": ("发生时间", "When"),
    "participants": ("参加人（每行一人）", "Participants (one per line)"),
    "location": ("地点", "Place"),
    "items": ("封存物品（每行一项）", "Items (one per line)"),
    "witnesses": ("见证人（每行一人）", "Witnesses (one per line)"),
    "seal_number": ("封条编号", "Seal number"),
    "outcome": ("调解结果", "Outcome"),
    "stage": ("时限环节", "Deadline stage"),
    "amount": ("延长天数", "Days to add"),
    "approved": ("批准", "Approved"),
    "to_role": ("报送至", "Escalate to"),
    "major": ("重大事项", "Major matter"),
    "reference": ("文号", "Reference"),
    "notified_at": ("报告时间", "Reported at"),
    "into": ("并入案件编号", "Merge into case number"),
    "channel": ("方式", "Channel"),
    "delivered_at": ("送达时间", "Delivered at"),
    "reached": ("已联系上投诉人", "Complainant reached"),
    "satisfaction": ("满意度", "Satisfaction"),
    "requested_at": ("申请时间", "Requested at"),
    "user": ("人员（用户名）", "Person (username)"),
    "requested_by": ("申请人（用户名）", "Requested by (username)"),
    "phrases": ("需遮蔽的词语（每行一个）", "Phrases to hide (one per line)"),
    "demands": ("诉求", "Demands"),
    "customer_deadline": ("客户要求期限", "Customer's deadline"),
    "content": ("投诉内容", "Content"),
}

STAGES: dict[str, tuple[str, str]] = {
    "acknowledgement": ("告知收到", "Acknowledgement"),
    "acceptance": ("受理决定", "Acceptance decision"),
    "routing": ("分办", "Routing"),
    "notification": ("告知", "Notification"),
    "investigation_start": ("启动调查", "Start of investigation"),
    "first_response": ("首次响应", "First response"),
    "verification": ("核查", "Verification"),
    "mediation": ("调解", "Mediation"),
    "resolution": ("办结", "Resolution"),
    "reply": ("答复", "Reply"),
    "follow_up": ("回访", "Follow-up"),
    "review": ("复查", "Review"),
    "second_review": ("复核", "Second review"),
}


def pair(table: dict[str, tuple[str, str]], code: str) -> str:
    zh_en = table.get(code)
    return t(*zh_en) if zh_en else code


def channel(code: str) -> str:
    return pair(CHANNELS, code)


def choice(code: str) -> str:
    return pair(CHOICES, code)


def field(code: str) -> str:
    return pair(FIELDS, code)


def stage(code: str) -> str:
    return pair(STAGES, code)


def kind(code: str) -> str:
    return pick(dict(Kind.choices).get(code, code))


def status(code: str) -> str:
    return pick(dict(Status.choices).get(code, code))


def role(code: str) -> str:
    return pick(dict(Role.choices).get(code, code))
