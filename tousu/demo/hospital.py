"""The demo hospital (preset ``hospital``): its staff and six weeks of its cases.

The cases follow a hospital's day: a son phones the duty officer on a Friday
evening about a CT scan billed twice, the general office passes it to Finance on the next
working day, Finance refunds it and a letter answers his written complaint; a head nurse
logs three ward opinion-book entries in one week; a patient dies after surgery and the
family disputes the care — the records sealed in front of both parties, the health
authority told, the adjudication committee's decision told to both parties. The rest are
the everyday complaints of a hospital, in every state a case can be in.
"""

from __future__ import annotations

from typing import Any

from tousu.demo.script import (
    ANON,
    Script,
    Step,
    accept,
    case,
    close,
    fix,
    follow,
    rec,
    reply,
    to,
    who,
)
from tousu.orgs.roles import Role

# username, role, department code (None: organisation-wide)
PERSONAS: tuple[tuple[str, str, str | None], ...] = (
    ("clerk", Role.INTAKE_CLERK, "outpatient"),
    ("dispatcher", Role.DISPATCHER, None),
    ("handler", Role.HANDLER, "finance"),
    ("head", Role.DEPARTMENT_HEAD, "finance"),
    ("handler2", Role.HANDLER, "outpatient"),
    ("handler3", Role.HANDLER, "medical_affairs"),
    ("headnurse", Role.DEPARTMENT_HEAD, "clinical_depts"),
    ("supervisor", Role.SUPERVISOR, None),
    ("leader", Role.LEADER, None),
    ("auditor", Role.AUDITOR, None),
    ("admin", Role.ADMINISTRATOR, None),
)
# What each persona is called, and their post, as documents and pages show them.
NAMES: dict[str, tuple[str, str]] = {
    "clerk": ("陈晓燕", "门诊部“一站式”服务台接待员"),
    "dispatcher": ("刘建伟", "投诉接待中心主任"),
    "handler": ("周敏", "财务处收费管理员"),
    "head": ("孙国强", "财务处处长"),
    "handler2": ("吴丽娟", "门诊部干事"),
    "handler3": ("郑海涛", "医务处医疗纠纷专员"),
    "headnurse": ("何秀兰", "临床科室护士长"),
    "supervisor": ("赵立新", "医院办公室主任（行政总值班）"),
    "leader": ("马卫东", "分管副院长"),
    "auditor": ("钱文静", "纪检监察室主任"),
    "admin": ("黄志明", "信息中心工程师"),
}
# The roster: night duty in turn (the administrative duty officer is a supervisor), and the
# daytime hotline.
NIGHT = ("supervisor",)
HOTLINE = ("clerk",)

SHOP = ("merchant", "住院部一楼便利店（承租商户）")
HOME = "杭州市西湖区"
FAMILY = "冯建军"
MD = "medical_dispute"


def _step(step: str, hours: float = 1.0, by: str = "handler3", **details: Any) -> Step:
    """A step of the medical-dispute procedure with its record form."""
    return (hours, by, "record_procedure_step", {"procedure": MD, "step": step, **details})


# fmt: off
SCRIPTS: list[Script] = [
    # The story: Friday evening, the duty officer takes the call; on the next working day the
    # general office passes it to Finance (fees); 3 working days; refund; a written reply.
    Script("ct", 38, "19:20", "supervisor", 0.15, case("complaint", "phone", "fees", who("王建国", "13905712468", address=f"{HOME}文一路115号2幢"), ("department", "门诊收费处"),
        "我父亲王德顺（住院号Z2026-10487）在放射科做了一次胸部CT平扫，费用清单上同一项检查收了两次，多收了386元。晚上打电话向医院总值班反映。",
        "退还多收的386元，并说明原因"),
        [accept(1, note="总值班记录：收费问题夜间无法核实，次日由院办通报财务处"),
         to("finance", "handler", "收费类问题，请财务处核查收费明细"),
         rec(5, "handler", "investigation", "调取HIS收费明细：同一CT医嘱计费两次，第二次为收费窗口重复提交所致。"),
         fix(20, "handler", "确认系收费窗口重复提交造成重复计费，已原路退还386元。", measures="收费系统增加同一医嘱重复计费提醒；对当班收费员进行提醒谈话"),
         reply(1, "handler", "letter", "王建国先生：您反映的问题（您父亲王德顺的CT检查重复收费），经财务处调查核实，处理意见如下：确系收费窗口重复提交造成重复计费，多收的386元已原路退回，给您带来不便深表歉意。如有异议，请与投诉接待中心办公室联系。"),
         follow(70, "satisfied", "家属表示退款已到账，对处理满意", by="dispatcher"),
         close(20, "head")], weekday=4),
    # The son also writes: the same matter, merged into the call.
    Script("ct_letter", 3, "10:40", "clerk", 0.1, case("complaint", "letter", "fees", who("王建国", "13905712468", address=f"{HOME}文一路115号2幢"), ("department", "门诊收费处"),
        "上周五晚上我已打电话反映父亲王德顺CT检查被重复收费386元，现再书面反映，请书面答复。", "退还重复收取的费用，书面答复"),
        [(0.8, "dispatcher", "merge", {"into": "@ct", "note": "与上周五总值班登记的同一事项，合并办理，书面答复"})], follows="ct"),
    Script("ticket_rude", 36, "10:05", "clerk", 0.1, case("complaint", "visit", "conduct", who("刘美华", "13588204417"), ("staff", "门诊挂号3号窗口工作人员（工号GH-017）"),
        "在门诊大厅3号挂号窗口询问专家号，窗口工作人员很不耐烦，说“自己不会看屏幕啊”，还骂了一句脏话。", "工作人员当面道歉"),
        [(0.6, "clerk", "resolve_on_the_spot", {"findings": "门诊部负责人到窗口核实，工作人员承认言语不当，当面向刘女士道歉，刘女士表示接受。", "satisfied": True}),
         close(3, "dispatcher", "当场解决；该员工本年度第二次被投诉服务态度，已提示科室按制度处理")], weekday=1),
    Script("window_fee", 33, "16:00", "clerk", 17, case("complaint", "letter", "conduct", who("周建华", "13306513378", address=f"{HOME}文三路88号3幢"), ("staff", "住院结算2号窗口工作人员"),
        "我到住院结算2号窗口办理出院结算，工作人员说要快的话得交50元“手续费”，不交就下周再来。我交了，没有给收据。", "退还50元，查处该工作人员"),
        [accept(2, note="来信反映工作人员违规收费，予以受理"),
         to("finance", "head", "结算窗口归财务处，监察室协办", co=("supervision",)),
         rec(30, "head", "investigation", "监察室与财务处调取窗口监控并询问当事人，确认该员工收取50元“加急费”未入账。"),
         fix(4, "head", "投诉属实：窗口员工私自收取“手续费”50元，已责令退还，调离窗口岗位，移交监察室处理。", measures="全院收费窗口张贴“无任何手续费”公示"),
         reply(3, "head", "letter", "周建华先生：您好！您反映的问题经查属实，50元已退还，当事人已调离窗口岗位并接受处理。感谢您的监督。"),
         follow(330, "satisfied", "两周后电话回访，周先生表示满意"),
         close(20, "supervisor")]),
    Script("short_weight", 35, "09:40", "clerk", 0.1, case("complaint", "phone", "logistics", who("赵桂芳", "13757136629", address=f"{HOME}古荡新村6幢"), SHOP,
        "早上在住院部一楼便利店买了2公斤苹果给住院的老伴，回病房用护士站的秤一称只有1.7公斤，少了300克。", "退还少秤部分的钱"),
        [(0.7, "clerk", "resolve_on_the_spot", {"findings": "受理员与商户、顾客三方在场用标准秤复称，确认少秤300克，商户当场退还差价并致歉。", "satisfied": True}),
         rec(0.2, "clerk", "mediation", "三方复称调解：商户退还差价9元并致歉，调解记录三方签字。", location="住院部一楼便利店", participants=["赵桂芳", "便利店店主", "受理员"], outcome="agreement"),
         follow(50, "satisfied", "电话回访，顾客表示满意")], weekday=2),
    Script("scale", 28, "15:10", "clerk", 0.2, case("complaint", "phone", "logistics", who("陈志强", "13655718842", address=f"{HOME}翠苑三区12幢"), SHOP,
        "住院部一楼便利店的电子秤不准，我买的香蕉也少了两百多克，听说上周也有人反映过，怀疑商户故意调秤。", "检查电子秤，查处商户"),
        [accept(18, note="同一商户第二次被反映，予以受理"),
         to("general_affairs", note="总务处负责院内商户管理"),
         rec(6, "supervisor", "site_inspection", "监察室与总务处到店检查：电子秤去皮值被改动，每次约少计200克，已封停该秤。", location="住院部一楼便利店"),
         (2, "dispatcher", "notify_authority", {"authority": "西湖区市场监督管理局", "reference": "回执XH-2026-1107", "note": "商户涉嫌计量作弊，已书面报告区市场监管局；本院继续处理商户违约事项"})]),
    Script("parking", 30, "12:30", "clerk", 0.1, case("complaint", "phone", "fees", who("林海峰", "15857121653", address=f"{HOME}天目山路56号"), ("department", "医院地面停车场收费处"),
        "送急诊病人进医院，停车不到半小时就被收了10元，急诊车辆不是30分钟内免费吗？", "退还停车费"),
        [accept(20), to("finance", "handler"),
         rec(26, "handler", "investigation", "调取道闸记录：车辆停留42分钟，超出急诊免费时长30分钟。"),
         fix(3, "handler", "按公示标准收费，无误。", "complainant", False),
         reply(1, "handler", "phone", "林先生：经核查道闸记录，车辆停留42分钟，超出急诊免费时长，收费符合公示标准。"),
         follow(48, "dissatisfied", "投诉人称入口排队约15分钟，不应计入停车时长"),
         close(24, "head", "已答复，投诉人不满意，按程序结案"),
         (50, "dispatcher", "reopen", {"reason": "投诉人补充提供入口排队的视频截图，要求重新核实计时起点"})]),
    Script("cashier", 27, "14:30", "clerk", 0.1, case("complaint", "visit", "fees", who("高丽萍", "13819052274"), ("staff", "门诊收费处5号窗口收费员"),
        "退号退费时收费员态度恶劣，把单据扔出窗口，说“退什么退，找医生去”。", "收费员道歉"),
        [accept(18), to("finance", "handler"),
         (3, "handler", "transfer", {"department": "outpatient", "reason": "退费已办结，所反映的是窗口服务态度问题，转门诊部"}),
         (2, "handler2", "receive", {"note": "已签收"}),
         rec(4, "handler2", "call", "与投诉人通话，了解经过；约谈当事收费员。"),
         fix(20, "handler2", "收费员服务态度生硬属实，已批评教育并书面致歉。"),
         reply(1, "handler2", "phone", "高女士：当事收费员已受到批评教育，并向您书面致歉。"),
         follow(60, "basically_satisfied", "回访基本满意")]),
    Script("milk", 26, "11:20", "clerk", 0.1, case("complaint", "phone", "logistics", who("孙丽", "13957108826", address=f"{HOME}西溪路218号"), ("merchant", "门诊二楼超市（承租商户）"),
        "昨天在门诊二楼超市买了两盒纯牛奶给住院的孩子喝，回病房发现已经过期5天。", "退货并赔偿"),
        [accept(1), to("outpatient", "handler2", "院内商户消费纠纷，由门诊部组织调解，总务处协办", co=("general_affairs",)),
         rec(22, "handler2", "mediation", "组织投诉人与超市调解，超市同意退货并按价款十倍赔偿。", outcome="agreement"),
         fix(2, "handler2", "超市确有销售过期牛奶，已退款并赔偿；总务处按租赁合同处理商户。", "third_party"),
         reply(1, "handler2", "phone", "孙女士：经调解，超市已退款并赔偿；总务处已按租赁合同处理该商户。")]),
    Script("lost_parcel", 22, "14:00", "clerk", 0.1, case("complaint", "phone", "outpatient", who("黄志明", "18968025537", address=f"{HOME}学院路77号"), ("department", "病案室邮寄服务（合作快递）"),
        "申请邮寄病历复印件用于保险理赔，快递单号SF1403862217，半个月还没收到，快递显示在中转站停滞。", "尽快找到病历或重新复印寄送"),
        [accept(19), to("outpatient", "handler2", "病历邮寄由门诊部“一站式”服务台对接快递"),
         rec(4, "handler2", "call", "联系快递公司：包裹疑在中转站丢失，对方需5个工作日出具调查结果。"),
         (0.5, "handler2", "pause", {"reason_code": "waiting_materials", "note": "等待快递公司出具丢件调查结果"})]),
    Script("drug_no_rx", 20, "21:45", "clerk", 11.25, case("complaint", "email", "drugs", who("吴晓燕", "13588617742", email="wuxy@example.com"), ("merchant", "康宁大药房（医院东门对面）"),
        "医院东门对面的康宁大药房不要处方就卖阿莫西林等抗生素，我亲眼看到好几个人直接买走。", "请有关部门查处"),
        [(2, "dispatcher", "refer", {"authority": "西湖区市场监督管理局", "complainant_told": True, "told_via": "email", "note": "该药店非本院下属单位，已移送区市场监管局，并告知投诉人去向"})]),
    Script("court", 18, "10:30", "clerk", 0.2, case("complaint", "visit", "clinical_care", who("钱国栋", "13857196624"), ("department", "骨科"),
        "母亲在骨科做髋关节置换后一直疼痛，我们已向区人民法院起诉并已立案，但还想请医院领导出面解决。", "医院赔偿"),
        [(24, "dispatcher", "reject", {"reason_code": "before_court", "complainant_told": True, "told_via": "phone", "note": "已告知按司法程序办理"})]),
    Script("anonymous_sms", 16, "23:10", "supervisor", 0.1, case("complaint", "sms", "other", {"anonymous": True, "phone": "13706718853"}, ("other", "医院"),
        "你们医院太差劲了！！！", "整改"),
        [(3, "dispatcher", "reject", {"reason_code": "anonymous_petition", "complainant_told": True, "told_via": "sms"})]),
    Script("insurance", 17, "09:50", "clerk", 0.3, case("complaint", "email", "fees", who("郑伟", "13867459021", email="zhengwei@example.com"), ("department", "住院结算处"),
        "住院费用本应医保结算，出院时却全部按自费结算，多付了2316.40元。", "重新按医保结算并退款"),
        [accept(23), to("finance", "handler", co=("insurance",)),
         rec(10, "handler", "call", "联系市医保中心，需调取结算原始数据核对。"),
         (2, "handler", "request_extension", {"stage": "resolution", "amount": 3, "reason": "需市医保中心出具结算数据，预计超出三个工作日的处理期限"}),
         (3, "leader", "approve_extension", {"note": "同意延期3个工作日"}),
         fix(70, "handler", "医保接口故障导致该次结算按自费处理，已重新结算，2316.40元退回患者账户。")]),
    # The story's medical dispute: records sealed with both parties present, the health
    # authority told, the committee's decision told to both parties.
    Script("dispute", 12, "16:40", "clerk", 0.3, case("complaint", "visit", MD, who(FAMILY, "13516880743"), ("department", "普外科"),
        "父亲冯德明在普外科做胆囊切除术，术后第三天突然去世。我们认为术后观察不到位，对诊疗过程有异议。", "封存病历，查明死因，依法赔偿"),
        [accept(0.3, note="医疗纠纷，按《医疗事故处理条例》程序处理"),
         to("medical_affairs", "handler3", "医疗纠纷，由医务处（纠纷接待处理办公室）牵头", co=("nursing",)),
         (0.2, "handler3", "start_procedure", {"procedure": MD, "note": "患者术后死亡，家属对诊疗有异议"}),
         _step("seal_records", hours=0.5, body="医患双方在场，封存住院病历", items=["住院病历原件（含手术记录、护理记录）"], location="医务处会议室",
               occurred_at="@now", sealed_by=["医务处 李明"], witnesses=["护理部 陈红"], patient_signatory=FAMILY,
               hospital_signatory="医务处 李明", seal_number="F-2026-041"),
         (0.5, "dispatcher", "escalate", {"to_role": "leader", "major": True, "reason": "患者术后死亡，属重大医疗纠纷"}),
         _step("authority", hours=16, body="术后死亡，家属有异议，按重大医疗纠纷报告", target="health_authority", occurred_at="@now",
               method="written", reference="医疗纠纷报告第2026-041号"),
         _step("committee", hours=50, occurred_at="@now", location="第二会议室", members=["分管副院长", "医务处处长", "护理部主任", "普外科主任"],
               decision="术后观察记录存在不足，建议患方申请医疗损害鉴定，医院按鉴定结论依法承担责任。"),
         _step("decision", hours=20, patient_told=FAMILY, patient_told_at="@now", patient_told_how="in_person",
               hospital_told="普外科主任", hospital_told_at="@now", hospital_told_how="written")]),
    Script("withdrawn", 15, "09:15", "clerk", 0.1, case("complaint", "phone", "outpatient", who("何静", "15906813375", address=f"{HOME}文二路33号"), ("department", "门诊部预约中心"),
        "网上预约的专家号被取消，没有任何通知，白跑一趟。", "说明原因并重新安排"),
        [accept(6), to("outpatient", "handler2"),
         (20, "clerk", "withdraw", {"reason": "投诉人来电称已与门诊部沟通改约成功，申请撤回投诉"})]),
    Script("consult", 14, "10:10", "clerk", 0.1, case("consultation", "phone", "insurance", who("罗淑珍", "13454107728"), ("department", "医保办"),
        "门诊慢特病（高血压）用药医保能报销多少？需要办什么手续？"),
        [accept(0.5), to("finance", "handler"),
         fix(3, "handler", "已解答门诊慢特病报销比例及备案手续。", "unclear", None),
         reply(0.2, "handler", "phone", "罗女士：高血压属门诊慢特病，备案后按规定比例报销，备案可在医保办窗口办理。"),
         close(1, "dispatcher")]),
    Script("lab_delay", 19, "09:00", "clerk", 0.5, case("complaint", "sms", "medical_quality", who("邓建平", "13805816690"), ("department", "检验科"),
        "抽血化验说当天出报告，等了三天还查不到结果。", "尽快出报告"),
        [accept(4), to("outpatient", "handler2"),
         rec(5, "handler2", "call", "与检验科核实：因设备故障报告延迟，已于次日发出。"),
         fix(20, "handler2", "检验设备故障致报告延迟属实，已发出报告并致歉。"),
         reply(1, "handler2", "sms", "邓先生：您的检验报告已发出，因设备故障延迟，深表歉意。")]),
    Script("wheelchair", 21, "13:40", "clerk", 0.1, case("complaint", "visit", "fees", who("戴文华", "13735520184"), ("department", "住院部服务中心（轮椅租借）"),
        "出院时归还轮椅，200元押金到现在还没退。", "退还押金"),
        [accept(20), to("finance", "handler"),
         fix(22, "handler", "押金退款单漏报，已补办退还200元。"),
         reply(1, "handler", "phone", "戴先生：押金200元已退还，请查收。"),
         follow(48, "satisfied", "已收到退款，满意"),
         close(4, "head")]),
    Script("signage", 7, "15:30", "clerk", 0.3, case("suggestion", "email", "logistics", who("许文博", email="xuwb@example.com"), ("other", "门诊楼至B2停车场指示牌"),
        "从门诊楼去B2停车场的指示牌太少，电梯出来找不到方向，建议增设。"),
        [accept(20), to("outpatient", "handler2"),
         fix(24, "handler2", "采纳建议，已在电梯厅及B2出口增设指示牌6块。", valid=None),
         reply(2, "handler2", "email", "许先生：感谢您的建议，已增设指示牌6块。"),
         close(4, "dispatcher")]),
    Script("transfer", 6, "10:20", "clerk", 0.1, case("complaint", "phone", "fees", who("马丽娟", "15168203376", address=f"{HOME}保俶路20号"), ("staff", "门诊收费处2号窗口收费员"),
        "退号后要求退挂号费，收费员说系统不让退，态度很差，让我去找医生。", "退挂号费，收费员道歉"),
        [accept(20), to("finance", "handler"),
         (6, "handler", "transfer", {"department": "outpatient", "reason": "挂号费已退，余下为窗口服务态度问题，转门诊部"})]),
    Script("fire_exit", 24, "08:30", "clerk", 1, case("suggestion", "box", "safety", ANON, ("other", "住院部3号楼三层东侧消防通道"),
        "3号楼三层东侧消防通道的门被铁链锁住好几天了，万一着火病人跑不出去，请尽快打开。（意见投诉箱匿名纸条）"),
        [accept(1, note="涉及消防安全，立即受理"),
         to("security", note="请保卫处立即处理"),
         rec(2, "supervisor", "site_inspection", "现场检查属实：东侧消防通道门被铁链锁闭，已当场拆除，通道恢复畅通，整改照片存档。", location="住院部3号楼三层"),
         (1, "supervisor", "escalate", {"to_role": "leader", "reason": "消防通道锁闭属重大安全隐患，请分管院长审签整改结果"})]),
    Script("kickback", 9, "11:00", "clerk", 0.5, case("complaint", "letter", "conduct", who("宋佳", "13757190268", address=f"{HOME}紫金港路9号"), ("staff", "设备科采购员（采购合同CG-2026-0915）"),
        "设备科一名采购员长期收取某耗材供应商回扣，合同价格明显高于市场价。本人实名反映，请为我保密。", "调查处理"),
        [accept(22, "supervisor", "实名反映，反映人身份保密"),
         to("supervision", hours=0.5, by="supervisor"),
         (1, "supervisor", "escalate", {"to_role": "leader", "reason": "涉嫌收受回扣，建议成立调查组"})]),
    # The head nurse logs three entries of the ward opinion book in one week (the book is
    # the ward's: the routing sends it to the clinical departments).
    Script("hot_water", 10, "07:50", "headnurse", 1.5, case("complaint", "opinion_book", "logistics", who("韩宝珍"), ("other", "5病区淋浴间"),
        "5病区淋浴间已经三天没有热水了。（病区意见薄，护士长登记）", "尽快修好"),
        [accept(0.5), to("general_affairs", note="病区解决不了，请总务处维修热水系统")]),
    Script("noisy_ward", 1, "07:55", "headnurse", 1.5, case("complaint", "opinion_book", "nursing", who("曹永福"), ("other", "5病区走廊"),
        "夜里走廊推车声和护工聊天声很大，影响病人休息。（病区意见薄，护士长登记）", "夜间保持安静"),
        [accept(0.5)], follows="hot_water"),
    Script("meals", 2, "08:00", "headnurse", 1.5, case("suggestion", "opinion_book", "logistics", who("蒋秀英"), ("other", "营养食堂送餐"),
        "送到病房的饭菜经常是凉的，建议用保温餐车。（病区意见薄，护士长登记）"),
        [accept(0.5)], follows="hot_water"),
    Script("app", 3, "09:00", "clerk", 1, case("suggestion", "email", "other", who("唐亮", email="tangliang@example.com"), ("other", "医院微信公众号"),
        "建议公众号增加检查报告出具后的消息推送，省得反复查询。"),
        [accept(4)]),
    Script("nurse", 4, "20:30", "supervisor", 0.1, case("complaint", "phone", "nursing", who("杨春梅", "13958126607", address=f"{HOME}莫干山路102号"), ("staff", "心内科病区夜班护士"),
        "昨晚父亲输液鼓针，按铃叫了三次护士才来，来了还说我们事多。", "护士道歉，加强夜间巡视"),
        [accept(13), to("nursing", note="护理工作问题，由护理部处理")]),
    Script("care_worker", 12, "15:00", "clerk", 18, case("complaint", "letter", "conduct", who("曾德华", "13588316647", address="杭州市拱墅区湖墅南路12号"), ("staff", "骨科病区护工"),
        "骨科病区护工每天向家属要200元“辛苦费”，不给就不好好照顾。", "查处护工，退还费用"), []),
    Script("pharmacy", 2, "10:30", "clerk", 0.1, case("complaint", "visit", "drugs", who("彭玉兰", "13486022195"), ("department", "门诊西药房"),
        "门诊西药房取药排队一个多小时，只开了两个窗口。", "多开窗口"), []),
    Script("visiting", 1, "16:10", "clerk", 0.2, case("consultation", "email", "other", who("田小军", email="tianxj@example.com"), ("department", "重症医学科（ICU）"),
        "ICU的探视时间是几点？一次可以进去几个人？"), []),
]
# fmt: on
