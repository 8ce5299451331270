"""The demo organisation: a hospital with one login per role and six weeks of cases.

``tousu demo`` calls :func:`load_demo`. Every case is walked through the real
actions (:mod:`tousu.cases.actions`) as the person who would take each step, at
past times spread over the last six weeks, so deadlines (some overdue, some due
soon), event chains and case numbers are exactly what real use would produce.
The cases are adapted from the stories in the spec (``stories.md``).
"""

from __future__ import annotations

import unicodedata
from datetime import datetime, time, timedelta
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from tousu.cases.access import Actor, actor_for
from tousu.cases.actions import ACTION_FUNCTIONS
from tousu.cases.errors import TousuError
from tousu.cases.inputs import RegisterIn
from tousu.cases.intake import register
from tousu.cases.models import Case, Status
from tousu.demo.roster import seed_roster
from tousu.i18n import bilingual
from tousu.orgs.models import Membership, Organisation
from tousu.orgs.roles import Role
from tousu.orgs.services import create_user
from tousu.policy.services import create_org

SLUG = "demo"
NAME = "示范医院 Demo Hospital"
PASSWORD = "tousu-demo"  # noqa: S105 — the published password of the demo logins
API_BASE = f"/api/v1/orgs/{SLUG}/"

# username, role, department code (None: organisation-wide)
PERSONAS: tuple[tuple[str, str, str | None], ...] = (
    ("clerk", Role.INTAKE_CLERK, "office"),
    ("dispatcher", Role.DISPATCHER, None),
    ("handler", Role.HANDLER, "finance"),
    ("head", Role.DEPARTMENT_HEAD, "finance"),
    ("handler2", Role.HANDLER, "service"),
    ("supervisor", Role.SUPERVISOR, None),
    ("leader", Role.LEADER, None),
    ("auditor", Role.AUDITOR, None),
    ("admin", Role.ADMINISTRATOR, None),
)


class DemoError(RuntimeError):
    """The demo cannot be loaded (nothing was created)."""


# One step: hours after the previous step, persona, action, the action's input.
# An input value "@key" stands for the number of the case scripted under that key.
Step = tuple[float, str, str, dict[str, Any]]


class Script(NamedTuple):
    key: str
    days_ago: int  # received that many days before today, at ``at`` local time
    at: str
    by: str  # who registers it, ``after`` hours after receipt
    after: float
    case: dict[str, Any]  # a RegisterIn without received_at
    steps: list[Step]


def _case(kind: str, channel: str, category: str, who: dict[str, Any], subject: tuple[str, str] | None,
          content: str, demands: str = "", **more: Any) -> dict[str, Any]:  # fmt: skip
    body = {"kind": kind, "channel": channel, "category": category, "complainant": who,
            "content": content, "demands": demands, **more}  # fmt: skip
    if subject is not None:
        body["subject"] = {"type": subject[0], "name": subject[1]}
    return body


def _who(name: str, phone: str = "", **more: str) -> dict[str, Any]:
    return {"name": name, "phone": phone, **more}


ANON: dict[str, Any] = {"anonymous": True}
ACCEPT: Step = (0.5, "dispatcher", "accept", {"note": "属本院职责，材料齐全，予以受理"})


def _to(dept: str, handler: str | None = None, note: str = "", co: tuple[str, ...] = ()) -> Step:
    payload: dict[str, Any] = {"lead_department": dept, "co_departments": list(co), "note": note}
    if handler:
        payload["handler"] = handler
    return (0.4, "dispatcher", "assign", payload)


def _rec(hours: float, who: str, kind: str, body: str, **more: Any) -> Step:
    return (hours, who, "record", {"kind": kind, "body": body, **more})


def _fix(hours: float, who: str, findings: str, responsibility: str = "organisation",
         valid: bool | None = True, measures: str = "") -> Step:  # fmt: skip
    return (hours, who, "resolve", {"findings": findings, "responsibility": responsibility,
                                    "valid": valid, "measures": measures})  # fmt: skip


def _reply(hours: float, who: str, channel: str, body: str) -> Step:
    return (hours, who, "reply", {"channel": channel, "body": body})


def _follow(hours: float, satisfaction: str, note: str) -> Step:
    payload = {"reached": True, "satisfaction": satisfaction, "note": note}
    return (hours, "clerk", "follow_up", payload)


def _close(hours: float, who: str, note: str = "") -> Step:
    return (hours, who, "close", {"note": note})


SHOP = ("merchant", "住院部一楼便利店（承租商户）")
# fmt: off
SCRIPTS: list[Script] = [
    Script("ct", 41, "19:20", "clerk", 0.15, _case("complaint", "phone", "fees", _who("王建国", "13905712468"), ("department", "门诊收费处"),
        "我父亲王德顺（住院号Z2026-10487）在放射科做了一次胸部CT平扫，费用清单上同一项检查收了两次，多收了386元。晚上打值班电话反映。",
        "退还多收的386元，并说明原因"),
        [(13.5, "dispatcher", "accept", {"note": "收费问题，属本院职责，予以受理"}),
         _to("finance", "handler", "收费类问题，请财务部核查收费明细"),
         _rec(5, "handler", "investigation", "调取HIS收费明细：同一CT医嘱计费两次，第二次为收费窗口重复提交所致。"),
         _fix(20, "handler", "确认系收费窗口重复提交造成重复计费，已原路退还386元。", measures="收费系统增加同一医嘱重复计费提醒；对当班收费员进行提醒谈话"),
         _reply(1, "handler", "phone", "王先生您好：经核查，CT检查确被重复计费，多收的386元已原路退回，给您带来不便深表歉意。"),
         _follow(70, "satisfied", "家属表示退款已到账，对处理满意"),
         _close(20, "head")]),
    Script("ct_dup", 40, "10:40", "clerk", 0.1, _case("complaint", "phone", "fees", _who("王秀兰", "13867120935"), ("department", "门诊收费处"),
        "我是王德顺的女儿，父亲的CT被重复收费，我哥哥昨晚已经打过电话，我再反映一次，希望尽快退款。", "退还重复收取的费用"),
        [(0.8, "dispatcher", "merge", {"into": "@ct", "note": "与昨晚登记的同一事项重复，合并办理"})]),
    Script("ticket_rude", 38, "10:05", "clerk", 0.1, _case("complaint", "visit", "service_attitude", _who("刘美华", "13588204417"), ("staff", "门诊挂号3号窗口工作人员（工号GH-017）"),
        "在门诊大厅3号挂号窗口询问专家号，窗口工作人员很不耐烦，说“自己不会看屏幕啊”，还骂了一句脏话。", "工作人员当面道歉"),
        [(0.6, "clerk", "resolve_on_the_spot", {"findings": "值班长到窗口核实，工作人员承认言语不当，当面向刘女士道歉，刘女士表示接受。", "satisfied": True}),
         _close(3, "dispatcher", "当场解决；该员工本年度第二次被投诉服务态度，已提示科室按制度处理")]),
    Script("window_fee", 33, "16:00", "clerk", 17, _case("complaint", "letter", "misconduct", _who("周建华", "13306513378", address="杭州市西湖区文三路88号3幢"), ("staff", "住院结算2号窗口工作人员"),
        "我到住院结算2号窗口办理出院结算，工作人员说要快的话得交50元“手续费”，不交就下周再来。我交了，没有给收据。", "退还50元，查处该工作人员"),
        [(2, "dispatcher", "accept", {"note": "来信反映工作人员违规收费，予以受理"}),
         _to("finance", "head", "结算窗口归财务部，纪检监察室协办", co=("supervision",)),
         _rec(48, "head", "investigation", "纪检监察室与财务部调取窗口监控并询问当事人，确认该员工收取50元“加急费”未入账。"),
         _fix(24, "head", "投诉属实：窗口员工私自收取“手续费”50元，已责令退还，调离窗口岗位，移交纪检监察室处理。", measures="全院收费窗口张贴“无任何手续费”公示"),
         _reply(3, "head", "letter", "周建华先生：您好！您反映的问题经查属实，50元已退还，当事人已调离窗口岗位并接受处理。感谢您的监督。"),
         _follow(330, "satisfied", "两周后电话回访，周先生表示满意"),
         _close(20, "supervisor")]),
    Script("short_weight", 35, "09:40", "clerk", 0.1, _case("complaint", "phone", "quality", _who("赵桂芳", "13757136629"), SHOP,
        "早上在住院部一楼便利店买了2公斤苹果给住院的老伴，回病房用护士站的秤一称只有1.7公斤，少了300克。", "退还少秤部分的钱"),
        [(0.7, "clerk", "resolve_on_the_spot", {"findings": "受理员与商户、顾客三方在场用标准秤复称，确认少秤300克，商户当场退还差价并致歉。", "satisfied": True}),
         _rec(0.2, "clerk", "mediation", "三方复称调解：商户退还差价9元并致歉，调解记录三方签字。", location="住院部一楼便利店", participants=["赵桂芳", "便利店店主", "受理员"], outcome="agreement"),
         _follow(50, "satisfied", "电话回访，顾客表示满意")]),
    Script("scale_report", 28, "15:10", "clerk", 0.2, _case("report", "phone", "quality", _who("陈志强", "13655718842"), SHOP,
        "住院部一楼便利店的电子秤不准，我买的香蕉也少了两百多克，听说上周也有人反映过，怀疑商户故意调秤。", "查处商户，检查电子秤"),
        [(18, "dispatcher", "accept", {"note": "同一商户第二次被反映，予以受理"}),
         _to("logistics", note="后勤保障部负责院内商户管理"),
         _rec(6, "supervisor", "site_inspection", "纪检与后勤到店检查：电子秤去皮值被改动，每次约少计200克，已封停该秤。", location="住院部一楼便利店"),
         (2, "dispatcher", "notify_authority", {"authority": "西湖区市场监督管理局", "reference": "回执XH-2026-1107", "note": "商户涉嫌计量作弊，已书面报告区市场监管局；本院继续处理商户违约事项"})]),
    Script("parking", 30, "12:30", "clerk", 0.1, _case("complaint", "phone", "fees", _who("林海峰", "15857121653"), ("department", "医院地面停车场收费处"),
        "送急诊病人进医院，停车不到半小时就被收了10元，急诊车辆不是30分钟内免费吗？", "退还停车费"),
        [(20, "dispatcher", "accept", {}), _to("finance", "handler"),
         _rec(26, "handler", "investigation", "调取道闸记录：车辆停留42分钟，超出急诊免费时长30分钟。"),
         _fix(3, "handler", "按公示标准收费，无误。", "complainant", False),
         _reply(1, "handler", "phone", "林先生：经核查道闸记录，车辆停留42分钟，超出急诊免费时长，收费符合公示标准。"),
         _follow(48, "dissatisfied", "投诉人称入口排队约15分钟，不应计入停车时长"),
         _close(24, "head", "已答复，投诉人不满意，按程序结案"),
         (50, "dispatcher", "reopen", {"reason": "投诉人补充提供入口排队的视频截图，要求重新核实计时起点"})]),
    Script("milk", 26, "11:20", "clerk", 0.1, _case("complaint", "phone", "quality", _who("孙丽", "13957108826"), ("merchant", "门诊二楼超市"),
        "昨天在门诊二楼超市买了两盒纯牛奶给孩子喝，回家发现已经过期5天。要求赔偿，同时举报超市销售过期食品。", "退一赔十，查处超市"),
        [(1, "dispatcher", "split", {"parts": [{"kind": "report", "category": "quality", "content": "门诊二楼超市销售过期5天的纯牛奶，涉嫌销售过期食品，请核查处理。"}], "note": "消费纠纷与违法举报分开办理；不向超市透露来电人"}),
         ACCEPT, _to("service", "handler2", "消费纠纷，由客户服务部组织调解"),
         _rec(22, "handler2", "mediation", "组织投诉人与超市调解，超市同意退货并按价款十倍赔偿。", outcome="agreement"),
         _fix(2, "handler2", "超市确有销售过期牛奶，已退款并赔偿。", "third_party"),
         _reply(1, "handler2", "phone", "孙女士：经调解，超市已退款并赔偿；销售过期食品的问题另案核查。")]),
    Script("cashier", 27, "14:30", "clerk", 0.1, _case("complaint", "visit", "fees", _who("高丽萍", "13819052274"), ("staff", "门诊收费处5号窗口收费员"),
        "退号退费时收费员态度恶劣，把单据扔出窗口，说“退什么退，找医生去”。", "收费员道歉"),
        [(18, "dispatcher", "accept", {}), _to("finance", "handler"),
         (3, "handler", "transfer", {"department": "service", "reason": "退费已办结，所反映的是服务态度问题，转客户服务部"}),
         (2, "handler2", "receive", {"note": "已签收"}),
         _rec(4, "handler2", "call", "与投诉人通话，了解经过；约谈当事收费员。"),
         _fix(20, "handler2", "收费员服务态度生硬属实，已批评教育并书面致歉。"),
         _reply(1, "handler2", "phone", "高女士：当事收费员已受到批评教育，并向您书面致歉。"),
         _follow(60, "basically_satisfied", "回访基本满意")]),
    Script("lost_parcel", 22, "14:00", "clerk", 0.1, _case("complaint", "phone", "other", _who("黄志明", "18968025537"), ("department", "病案室邮寄服务（合作快递）"),
        "申请邮寄病历复印件用于保险理赔，快递单号SF1403862217，半个月还没收到，快递显示在中转站停滞。", "尽快找到病历或重新复印寄送"),
        [(19, "dispatcher", "accept", {}), _to("service", "handler2", "邮寄服务由客户服务部对接快递"),
         _rec(4, "handler2", "call", "联系快递公司：包裹疑在中转站丢失，对方需5个工作日出具调查结果。"),
         (0.5, "handler2", "pause", {"reason_code": "waiting_materials", "note": "等待快递公司出具丢件调查结果"})]),
    Script("drug_no_rx", 20, "21:45", "clerk", 11.25, _case("report", "web", "other", _who("吴晓燕", "13588617742", email="wuxy@example.com"), ("merchant", "康宁大药房（医院东门对面）"),
        "医院东门对面的康宁大药房不要处方就卖阿莫西林等抗生素，我亲眼看到好几个人直接买走。", "请有关部门查处"),
        [(2, "dispatcher", "refer", {"authority": "西湖区市场监督管理局", "complainant_told": True, "told_via": "email", "note": "该药店非本院下属单位，已移送区市场监管局，并告知举报人去向"})]),
    Script("court", 18, "10:30", "clerk", 0.2, _case("complaint", "visit", "quality", _who("钱国栋", "13857196624"), ("department", "骨科"),
        "母亲在骨科做髋关节置换后一直疼痛，我们已向区人民法院起诉并已立案，但还想请医院领导出面解决。", "医院赔偿"),
        [(24, "dispatcher", "reject", {"reason_code": "before_court", "complainant_told": True, "told_via": "phone", "note": "已告知按司法程序办理"})]),
    Script("no_subject", 16, "23:10", "clerk", 9.5, _case("complaint", "sms", "other", {"anonymous": True, "phone": "13706718853"}, None,
        "你们医院太差劲了！！！"),
        [(3, "dispatcher", "reject", {"reason_code": "no_clear_subject", "complainant_told": True, "told_via": "sms"})]),
    Script("insurance", 17, "09:50", "clerk", 0.3, _case("complaint", "email", "fees", _who("郑伟", "13867459021", email="zhengwei@example.com"), ("department", "住院结算处"),
        "住院费用本应医保结算，出院时却全部按自费结算，多付了2316.40元。", "重新按医保结算并退款"),
        [(23, "dispatcher", "accept", {}), _to("finance", "handler"),
         _rec(28, "handler", "call", "联系市医保中心，需调取结算原始数据核对。"),
         (2, "handler", "request_extension", {"stage": "reply", "amount": 5, "reason": "需市医保中心出具结算数据，预计超出答复期限"}),
         (3, "supervisor", "approve_extension", {"note": "同意延期5个工作日"}),
         _fix(120, "handler", "医保接口故障导致该次结算按自费处理，已重新结算，2316.40元退回患者账户。")]),
    Script("dispute", 12, "16:40", "clerk", 0.3, _case("complaint", "visit", "quality", _who("冯建军", "13516880743"), ("department", "普外科"),
        "父亲冯德明在普外科做胆囊切除术，术后第三天突然去世。我们认为术后观察不到位，对诊疗过程有异议。", "封存病历，查明死因，依法赔偿"),
        [ACCEPT, _to("quality", note="医疗纠纷，由质量管理部（医务科）牵头", co=("office",)),
         _rec(1.5, "supervisor", "sealed_evidence", "在患方和院方双方在场的情况下封存病历资料。", location="医务科会议室",
              items=["住院病历主观部分复印件一套", "护理记录单"], witnesses=["冯建军（患方）", "李明（医务科）", "陈红（护理部）"]),
         (0.5, "dispatcher", "escalate", {"to_role": "leader", "major": True, "reason": "患者术后死亡，属重大医疗纠纷"}),
         (16, "dispatcher", "notify_authority", {"authority": "西湖区卫生健康局", "reference": "医疗纠纷报告第2026-041号"}),
         (48, "dispatcher", "request_extension", {"stage": "reply", "amount": 10, "reason": "需申请医疗损害鉴定，结论出具前无法答复"}),
         (4, "leader", "approve_extension", {"note": "同意延期10个工作日"})]),
    Script("withdrawn", 15, "09:15", "clerk", 0.1, _case("complaint", "phone", "service_attitude", _who("何静", "15906813375"), ("department", "门诊部预约中心"),
        "网上预约的专家号被取消，没有任何通知，白跑一趟。", "说明原因并重新安排"),
        [(6, "dispatcher", "accept", {}), _to("service", "handler2"),
         (20, "clerk", "withdraw", {"reason": "投诉人来电称已与门诊部沟通改约成功，申请撤回投诉"})]),
    Script("consult", 14, "10:10", "clerk", 0.1, _case("consultation", "phone", "fees", _who("罗淑珍", "13454107728"), ("department", "医保办"),
        "门诊慢特病（高血压）用药医保能报销多少？需要办什么手续？"),
        [ACCEPT, _to("finance", "handler"),
         _fix(3, "handler", "已解答门诊慢特病报销比例及备案手续。", "unclear", None),
         _reply(0.2, "handler", "phone", "罗女士：高血压属门诊慢特病，备案后按规定比例报销，备案可在医保办窗口办理。"),
         _close(1, "dispatcher")]),
    Script("lab_delay", 19, "09:00", "clerk", 0.5, _case("complaint", "sms", "quality", _who("邓建平", "13805816690"), ("department", "检验科"),
        "抽血化验说当天出报告，等了三天还查不到结果。", "尽快出报告"),
        [(4, "dispatcher", "accept", {}), _to("service", "handler2"),
         _rec(5, "handler2", "call", "与检验科核实：因设备故障报告延迟，已于次日发出。"),
         _fix(20, "handler2", "检验设备故障致报告延迟属实，已发出报告并致歉。"),
         _reply(1, "handler2", "sms", "邓先生：您的检验报告已发出，因设备故障延迟，深表歉意。")]),
    Script("wheelchair", 21, "13:40", "clerk", 0.1, _case("complaint", "visit", "fees", _who("戴文华", "13735520184"), ("department", "住院部服务中心（轮椅租借）"),
        "出院时归还轮椅，200元押金到现在还没退。", "退还押金"),
        [(20, "dispatcher", "accept", {}), _to("finance", "handler"),
         _fix(22, "handler", "押金退款单漏报，已补办退还200元。"),
         _reply(1, "handler", "phone", "戴先生：押金200元已退还，请查收。"),
         _follow(48, "satisfied", "已收到退款，满意"),
         _close(4, "head")]),
    Script("signage", 7, "15:30", "clerk", 0.3, _case("suggestion", "web", "facilities", _who("许文博", email="xuwb@example.com"), ("other", "门诊楼至B2停车场指示牌"),
        "从门诊楼去B2停车场的指示牌太少，电梯出来找不到方向，建议增设。"),
        [(20, "dispatcher", "accept", {}), _to("service", "handler2"),
         _fix(24, "handler2", "采纳建议，已在电梯厅及B2出口增设指示牌6块。", valid=None),
         _reply(2, "handler2", "web", "许先生：感谢您的建议，已增设指示牌6块。"),
         _close(4, "dispatcher")]),
    Script("transfer", 6, "10:20", "clerk", 0.1, _case("complaint", "phone", "fees", _who("马丽娟", "15168203376"), ("staff", "门诊收费处2号窗口收费员"),
        "退号后要求退挂号费，收费员说系统不让退，态度很差，让我去找医生。", "退挂号费，收费员道歉"),
        [(20, "dispatcher", "accept", {}), _to("finance", "handler"),
         (6, "handler", "transfer", {"department": "service", "reason": "挂号费已退，余下为服务态度问题，转客户服务部"})]),
    Script("fire_exit", 24, "08:30", "clerk", 1, _case("report", "box", "facilities", ANON, ("other", "住院部3号楼三层东侧消防通道"),
        "3号楼三层东侧消防通道的门被铁链锁住好几天了，万一着火病人跑不出去。（意见箱匿名纸条）"),
        [(1, "dispatcher", "accept", {"note": "涉及消防安全，立即受理"}),
         _to("logistics", note="请后勤保障部保卫科立即处理"),
         _rec(2, "supervisor", "site_inspection", "现场检查属实：东侧消防通道门被铁链锁闭，已当场拆除，通道恢复畅通，整改照片存档。", location="住院部3号楼三层"),
         (1, "supervisor", "escalate", {"to_role": "leader", "reason": "消防通道锁闭属重大安全隐患，请分管领导审签整改结果"})]),
    Script("kickback", 9, "11:00", "clerk", 0.5, _case("report", "web", "misconduct", _who("宋佳", "13757190268", employer="示范医院设备科"), ("staff", "设备科采购员（采购合同CG-2026-0915）"),
        "设备科一名采购员长期收取某耗材供应商回扣，合同价格明显高于市场价。本人实名举报，请为我保密。", "调查处理"),
        [(22, "supervisor", "accept", {"note": "实名举报，举报人身份保密"}),
         (0.5, "supervisor", "assign", {"lead_department": "supervision"}),
         (1, "supervisor", "escalate", {"to_role": "leader", "reason": "涉嫌收受回扣，建议成立调查组"})]),
    Script("hot_water", 10, "07:50", "clerk", 1.5, _case("complaint", "opinion_book", "facilities", _who("韩宝珍"), ("other", "5病区淋浴间"),
        "5病区淋浴间已经三天没有热水了。（病区意见簿，护士长登记）", "尽快修好"),
        [ACCEPT, _to("logistics", note="请后勤保障部维修热水系统")]),
    Script("noisy_ward", 10, "07:55", "clerk", 1.5, _case("complaint", "opinion_book", "facilities", _who("曹永福"), ("other", "5病区走廊"),
        "夜里走廊推车声和护工聊天声很大，影响病人休息。（病区意见簿，护士长登记）", "夜间保持安静"),
        [ACCEPT]),
    Script("meals", 10, "08:00", "clerk", 1.5, _case("suggestion", "opinion_book", "facilities", _who("蒋秀英"), ("other", "营养食堂送餐"),
        "送到病房的饭菜经常是凉的，建议用保温餐车。（病区意见簿，护士长登记）"),
        [ACCEPT]),
    Script("app", 3, "09:00", "clerk", 1, _case("suggestion", "email", "other", _who("唐亮", email="tangliang@example.com"), ("other", "医院微信公众号"),
        "建议公众号增加检查报告出具后的消息推送，省得反复查询。"),
        [(4, "dispatcher", "accept", {})]),
    Script("nurse", 4, "20:30", "clerk", 0.1, _case("complaint", "phone", "service_attitude", _who("杨春梅", "13958126607"), ("staff", "心内科病区夜班护士"),
        "昨晚父亲输液鼓针，按铃叫了三次护士才来，来了还说我们事多。", "护士道歉，加强夜间巡视"),
        [(13, "dispatcher", "accept", {}), _to("service", "handler2"),
         _rec(5, "handler2", "call", "与投诉人电话沟通了解经过，已约心内科护士长面谈。")]),
    Script("care_worker", 12, "15:00", "clerk", 18, _case("complaint", "letter", "misconduct", _who("曾德华", "13588316647", address="杭州市拱墅区湖墅南路12号"), ("staff", "骨科病区护工"),
        "骨科病区护工每天向家属要200元“辛苦费”，不给就不好好照顾。", "查处护工，退还费用"), []),
    Script("pharmacy", 2, "10:30", "clerk", 0.1, _case("complaint", "visit", "service_attitude", _who("彭玉兰", "13486022195"), ("department", "门诊西药房"),
        "门诊西药房取药排队一个多小时，只开了两个窗口。", "多开窗口"), []),
    Script("visiting", 1, "16:10", "clerk", 0.2, _case("consultation", "web", "other", _who("田小军", email="tianxj@example.com"), ("department", "重症医学科（ICU）"),
        "ICU的探视时间是几点？一次可以进去几个人？"), []),
]
# fmt: on


def _received(script: Script, today: datetime) -> datetime:
    hour, minute = (int(p) for p in script.at.split(":"))
    day = (today - timedelta(days=script.days_ago)).date()
    return datetime.combine(day, time(hour, minute), tzinfo=today.tzinfo)


def _office_hours(at: datetime) -> datetime:
    """Steps after registration wait for office hours (08:00-18:00 local)."""
    if at.hour >= 18:
        at += timedelta(days=1)
    if at.hour >= 18 or at.hour < 8:
        at = at.replace(hour=8, minute=30)
    return at


def plan(now: datetime, tz: ZoneInfo) -> list[tuple[datetime, Script, int]]:
    """Every step of every script, in time order; step 0 is the registration.

    Registrations keep their hour (duty staff take calls at night); later steps
    wait for office hours. Times are never later than ``now``: a script that
    would run into the future is squeezed into the minutes before it.
    """
    today = now.astimezone(tz)
    items: list[tuple[datetime, Script, int]] = []
    for script in SCRIPTS:
        times = [_received(script, today) + timedelta(hours=script.after)]
        for step in script.steps:
            times.append(_office_hours(times[-1] + timedelta(hours=step[0])))
        n = len(times)
        for i, at in enumerate(times):
            items.append((min(at, now - timedelta(minutes=n - i)), script, i))
    return sorted(items, key=lambda item: item[0])


def _refs(payload: dict[str, Any], numbers: dict[str, str]) -> dict[str, Any]:
    return {
        k: numbers[v[1:]] if isinstance(v, str) and v.startswith("@") else v
        for k, v in payload.items()
    }


def _play(org: Organisation, actors: dict[str, Actor], now: datetime) -> None:
    ids: dict[str, int] = {}
    numbers: dict[str, str] = {}
    for at, script, i in plan(now, ZoneInfo(org.time_zone)):
        action = "register" if i == 0 else script.steps[i - 1][2]
        try:
            if i == 0:
                received = min(_received(script, now.astimezone(ZoneInfo(org.time_zone))), at)
                data = RegisterIn.model_validate({**script.case, "received_at": received})
                case = register(actors[script.by], data, now=at)
                ids[script.key], numbers[script.key] = case.pk, str(case.number)
                continue
            _, persona, action, payload = script.steps[i - 1]
            function, model = ACTION_FUNCTIONS[action]
            function(
                ids[script.key],
                actor=actors[persona],
                data=model.model_validate(_refs(payload, numbers)),
                now=at,
            )
        except (TousuError, ValueError) as exc:  # refused, or input the models reject
            raise DemoError(f"case {script.key!r}, step {i} ({action}): {exc}") from exc


def load_demo(now: datetime | None = None) -> bool:
    """Create the demo organisation, its logins and cases; False if it already exists."""
    if Organisation.objects.filter(slug=SLUG).exists():
        return False
    usernames = [username for username, _, _ in PERSONAS]
    taken = get_user_model().objects.filter(username__in=usernames)
    if taken.exists():
        names = ", ".join(sorted(u.get_username() for u in taken))
        raise DemoError(
            f"users {names} already exist; the demo would reset their passwords, so it stops"
        )
    now = now or timezone.now()
    with transaction.atomic():
        org = create_org(SLUG, NAME, "general")
        actors: dict[str, Actor] = {}
        for username, role, department in PERSONAS:
            user = create_user(
                username, org=org, role=role, department=department, password=PASSWORD
            )
            if role == Role.ADMINISTRATOR:
                user.is_staff = True
                user.save(update_fields=["is_staff"])
            actors[username] = actor_for(user, SLUG)
        seed_roster(by=actors["admin"], night=("supervisor", "leader"), hotline=("clerk",), now=now)
        _play(org, actors, now)
    return True


def status_counts(org: Organisation) -> dict[str, int]:
    rows = Case.objects.filter(org=org).values_list("status").annotate(n=Count("pk"))
    found = dict(rows)
    return {s.value: found[s.value] for s in Status if found.get(s.value)}


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * max(width - _width(text), 0)


def summary(org: Organisation) -> str:
    """The logins, where to go, and how many cases are in which status."""
    memberships = (
        Membership.objects.filter(org=org, active=True)
        .select_related("user", "department")
        .order_by("pk")
    )
    rows = [("username", "password", "role", "department")]
    for m in memberships:
        dept = f"{m.department.name} ({m.department.code})" if m.department else "—"
        rows.append((m.user.get_username(), PASSWORD, bilingual(Role(m.role).label), dept))
    widths = [max(_width(row[c]) for row in rows) for c in range(3)]
    lines = [f"{org.name} — organisation '{org.slug}'", ""]
    for n, row in enumerate(rows):
        lines.append("  " + "  ".join(_pad(row[c], widths[c]) for c in range(3)) + "  " + row[3])
        if n == 0:
            lines.append("  " + "  ".join("-" * w for w in widths) + "  " + "-" * 10)
    counts = status_counts(org)
    labels = dict(Status.choices)
    base = settings.TOUSU_BASE_URL.rstrip("/")
    lines += [
        "",
        f"Staff desk:   {base}/  (工作台; sign in with a login above)",
        "  A phone complaint from start to end: clerk registers it (登记), dispatcher accepts",
        "  and routes it (受理, 分办), handler records, resolves and replies (办结, 答复), clerk",
        "  records the follow-up (回访), supervisor closes it (结案).",
        f"Django admin: {base}/admin/  (log in as admin / {PASSWORD})",
        f"API base:     {API_BASE}  (a token: tousu token create clerk)",
        "",
        f"Cases: {sum(counts.values())}",
    ]
    for status, n in counts.items():
        lines.append(f"  {_pad(status, 13)} {n:>3}  {labels[status]}")
    return "\n".join(lines)
