"""Words the desk shows for codes: channels, kinds, statuses, fields, choices (zh, en)."""

from __future__ import annotations

from django.utils.translation import gettext, gettext_lazy, pgettext_lazy

from tousu.cases.models import Kind, Status
from tousu.i18n import Text
from tousu.orgs.roles import Role

CHANNELS: dict[str, Text] = {
    "phone": gettext_lazy("电话"),
    "letter": gettext_lazy("来信"),
    "fax": pgettext_lazy("channels", "传真"),
    "email": gettext_lazy("电子邮件"),
    "web": gettext_lazy("网站"),
    "visit": gettext_lazy("来访"),
    "sms": gettext_lazy("短信"),
    "touchscreen": gettext_lazy("触摸屏"),
    "evaluation_form": gettext_lazy("评价表"),
    "box": gettext_lazy("意见箱"),
    "opinion_book": gettext_lazy("意见簿"),
    "referral": gettext_lazy("转办"),
    "other": gettext_lazy("其他"),
    "on_the_spot": gettext_lazy("当场"),
}

CHOICES: dict[str, Text] = {
    # complexity
    "on_the_spot": gettext_lazy("当场办结"),
    "general": gettext_lazy("一般"),
    "complex": gettext_lazy("复杂"),
    "major": gettext_lazy("重大"),
    # responsibility
    "organisation": gettext_lazy("本单位责任"),
    "complainant": gettext_lazy("投诉人责任"),
    "third_party": gettext_lazy("第三方责任"),
    "unclear": gettext_lazy("责任不明"),
    # satisfaction
    "satisfied": gettext_lazy("满意"),
    "basically_satisfied": pgettext_lazy("choices", "基本满意"),
    "dissatisfied": pgettext_lazy("choices", "不满意"),
    # record kinds
    "note": gettext_lazy("备注"),
    "investigation": gettext_lazy("调查"),
    "mediation": gettext_lazy("调解"),
    "meeting": gettext_lazy("会议"),
    "evidence": gettext_lazy("证据"),
    "sealed_evidence": gettext_lazy("封存证据"),
    "call": gettext_lazy("通话"),
    "acknowledgement": gettext_lazy("回执"),
    "notification": gettext_lazy("告知"),
    "site_inspection": gettext_lazy("现场检查"),
    "delivery": gettext_lazy("送达"),
    # mediation outcome
    "agreement": gettext_lazy("达成协议"),
    "no_agreement": gettext_lazy("未达成协议"),
    "adjourned": gettext_lazy("中止"),
    # pause reasons
    "waiting_materials": gettext_lazy("等待补充材料"),
    "testing": gettext_lazy("检验检测"),
    "appraisal": gettext_lazy("鉴定"),
    "recusal_request": gettext_lazy("回避申请"),
    "other": gettext_lazy("其他"),
    # subject types
    "staff": pgettext_lazy("choices", "工作人员"),
    "department": gettext_lazy("部门"),
    "merchant": gettext_lazy("经营者"),
    "product": gettext_lazy("产品"),
    "content": gettext_lazy("信息内容"),
    # escalation targets
    "department_head": gettext_lazy("部门负责人"),
    "supervisor": gettext_lazy("督办员"),
    "leader": gettext_lazy("分管领导"),
}

FIELDS: dict[str, Text] = {
    "note": gettext_lazy("备注"),
    "reason": gettext_lazy("理由"),
    "reason_code": gettext_lazy("原因"),
    "findings": gettext_lazy("调查核实情况"),
    "measures": gettext_lazy("处理措施"),
    "responsibility": gettext_lazy("责任认定"),
    "valid": gettext_lazy("投诉是否属实"),
    "reply_channel": gettext_lazy("答复方式"),
    "satisfied": gettext_lazy("当场是否满意"),
    "complainant_told": gettext_lazy("已告知投诉人"),
    "told_via": gettext_lazy("告知方式"),
    "target_org": gettext_lazy("转送单位（系统内代码）"),
    "authority": gettext_lazy("转送机关"),
    "lead_department": gettext_lazy("主办部门"),
    "co_departments": pgettext_lazy("fields", "协办部门"),
    "departments": gettext_lazy("涉及部门"),
    "department": gettext_lazy("部门"),
    "handler": gettext_lazy("承办人"),
    "kind": gettext_lazy("类型"),
    "category": gettext_lazy("类别"),
    "complexity": gettext_lazy("复杂程度"),
    "body": pgettext_lazy("fields", "内容"),
    "occurred_at": gettext_lazy("发生时间"),
    "participants": gettext_lazy("参加人（每行一人）"),
    "location": pgettext_lazy("fields", "地点"),
    "items": gettext_lazy("封存物品（每行一项）"),
    "witnesses": gettext_lazy("见证人（每行一人）"),
    "seal_number": pgettext_lazy("fields", "封条编号"),
    "outcome": gettext_lazy("调解结果"),
    "stage": gettext_lazy("时限环节"),
    "approved": gettext_lazy("批准"),
    "to_role": gettext_lazy("报送至"),
    "major": gettext_lazy("重大事项"),
    "reference": gettext_lazy("文号"),
    "notified_at": gettext_lazy("报告时间"),
    "into": gettext_lazy("并入案件编号"),
    "channel": pgettext_lazy("fields", "方式"),
    "delivered_at": gettext_lazy("送达时间"),
    "reached": gettext_lazy("已联系上投诉人"),
    "satisfaction": gettext_lazy("满意度"),
    "requested_at": gettext_lazy("申请时间"),
    "user": gettext_lazy("人员（用户名）"),
    "requested_by": gettext_lazy("申请人（用户名）"),
    "phrases": gettext_lazy("需遮蔽的词语（每行一个）"),
    "demands": gettext_lazy("诉求"),
    "customer_deadline": gettext_lazy("客户要求期限"),
    "content": gettext_lazy("投诉内容"),
}

STAGES: dict[str, Text] = {
    "acknowledgement": gettext_lazy("告知收到"),
    "acceptance": gettext_lazy("受理决定"),
    "routing": pgettext_lazy("stages", "分办"),
    "notification": gettext_lazy("告知"),
    "investigation_start": gettext_lazy("启动调查"),
    "first_response": gettext_lazy("首次响应"),
    "verification": gettext_lazy("核查"),
    "mediation": gettext_lazy("调解"),
    "resolution": pgettext_lazy("stages", "办结"),
    "reply": gettext_lazy("答复"),
    "follow_up": gettext_lazy("回访"),
    "review": gettext_lazy("复查"),
    "second_review": gettext_lazy("复核"),
}


def pair(table: dict[str, Text], code: str) -> str:
    return str(table.get(code, code))


def channel(code: str) -> str:
    return pair(CHANNELS, code)


def choice(code: str) -> str:
    return pair(CHOICES, code)


def field(code: str) -> str:
    return pair(FIELDS, code)


def stage(code: str) -> str:
    return pair(STAGES, code)


def deadline_stage(row: dict[str, object]) -> str:
    """A deadline table row's stage; on a reopened case, a clock says whether it is the new
    handling's (答复（重新办理）) or one of the handling before (回访（前次办理）)."""
    name = stage(str(row["stage"]))
    if row.get("earlier_round"):
        return gettext("{stage}（前次办理）").format(stage=name)
    round_ = row.get("round") or 0
    if round_ == 1:
        return gettext("{stage}（重新办理）").format(stage=name)
    if isinstance(round_, int) and round_ > 1:
        return gettext("{stage}（第{n}次重新办理）").format(stage=name, n=round_)
    return name


def kind(code: str) -> str:
    return str(dict(Kind.choices).get(code, code))


def status(code: str) -> str:
    return str(dict(Status.choices).get(code, code))


def role(code: str) -> str:
    return str(dict(Role.choices).get(code, code))
