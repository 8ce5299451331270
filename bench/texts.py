"""Chinese complaint text for bench/generate: templates per theme with variable parts.

Each category of a policy is mapped to a theme by words in its code and Chinese name
(:func:`theme_of`); each theme has several complaint templates, report templates and
demands. Slots: {amount} yuan, {date} (a day before receipt), {place}, {item}, {n},
{staff} (a surname and a post), {shop} (a business name), {hours}.
"""

from __future__ import annotations

import random

THEMES: dict[str, tuple[str, ...]] = {
    "attitude": (
        "{date}上午在{place}办理业务，{staff}态度恶劣，大声呵斥，排队的{n}个人都听见了。",
        "{date}打电话咨询，{staff}不耐烦，没说完就挂断电话，前后打了{n}次都是这样。",
        "在{place}窗口等了{hours}个小时，{staff}一直在玩手机，问话也不理睬。",
        "{staff}对老人说话很冲，让我母亲自己去{place}排队，还说“看不懂就别来”。",
    ),
    "fees": (
        "{date}在{place}缴费，同一项{item}被重复收取两次，多收{amount}元，至今未退。",
        "收费清单里有一项{item}我们根本没有做过，收了{amount}元，要求解释。",
        "{place}的收费标准没有公示，{item}比上次贵了{amount}元，问了也没人说清楚。",
        "已经申请退费{n}天了，{amount}元还没有退回，每次去{place}都说再等等。",
    ),
    "quality": (
        "{date}在{shop}购买的{item}，用了{n}天就坏了，商家拒绝退换。",
        "在{shop}买的{item}与宣传不符，质量很差，花了{amount}元。",
        "{shop}提供的{item}服务没有按约定完成，拖了{n}天还没有结果。",
        "{date}在{shop}买了{item}，回家复称少了{n}两，缺斤短两。",
    ),
    "facilities": (
        "{place}的卫生间热水器坏了{n}天没人修，冬天只能用冷水。",
        "{place}的电梯经常停运，{date}又困了{n}个人在里面二十多分钟。",
        "{place}没有无障碍通道，坐轮椅的老人只能被抬上去。",
        "{place}的停车场出口道闸又坏了，排队等了半个多小时没有人疏导。",
    ),
    "misconduct": (
        "{staff}在办理{item}时暗示要好处费，不给就拖着不办。",
        "{staff}上班时间经常不在岗，{date}去了{n}次都没见到人。",
        "{staff}把我的个人信息透露给了{shop}，之后天天接到推销电话。",
    ),
    "medical": (
        "{date}家人在{place}就诊，医生只看了{n}分钟就开了{amount}元的检查，病情没有解释。",
        "我父亲{date}在{place}做的手术，术后出现并发症，医生说不清楚原因。",
        "{place}误诊，耽误了{n}天治疗，后来在别的医院才确诊。",
        "{place}的医生没有告知{item}的风险就让签字，出现问题后推卸责任。",
    ),
    "nursing": (
        "{date}夜里在{place}按了{n}次呼叫铃都没有护士来，输液早就滴完了回血。",
        "{place}的护士扎针扎了{n}次都没扎上，态度还很不好。",
        "住院期间{place}的护工收了{amount}元红包才好好照顾。",
    ),
    "drugs": (
        "{date}在药房拿的{item}与处方不符，差点吃错。",
        "{item}的价格比外面药店贵了{amount}元，要求说明定价依据。",
        "药房说{item}缺货已经{n}天了，让我们去外面买。",
    ),
    "consumer": (
        "{date}在{shop}购买{item}，付款{amount}元，收到的货与订单不符，商家拒绝退货。",
        "{shop}办理的预付卡还剩{amount}元，门店突然关门，联系不上老板。",
        "在{shop}买的{item}过了{n}天就出现质量问题，商家说不在保修范围。",
        "{shop}在{date}促销时先涨价后打折，{item}实际比平时贵了{amount}元。",
        "网购{item}，{shop}七天无理由退货却不退款，已经过去{n}天了。",
    ),
    "counterfeit": (
        "{shop}销售的{item}是假冒品牌，包装做工很差，要求查处。",
        "{shop}出售过期的{item}，生产日期被涂改，{date}我买了{n}件。",
        "{shop}在网上宣传的{item}是“进口原装”，实际是国内小作坊生产的。",
    ),
    "food": (
        "{date}在{shop}吃饭后，一家{n}口都出现腹泻，怀疑食物不卫生。",
        "{shop}后厨卫生很差，{date}在菜里吃出了异物。",
        "{shop}销售的{item}没有生产日期和厂家，价格{amount}元。",
    ),
    "efficiency": (
        "{date}在{place}申请办理{item}，材料都交齐了，已经{n}个工作日还没有办结。",
        "{place}要求提供{n}份证明材料，很多都是重复的，来回跑了好几趟。",
        "{place}的办事指南和窗口说法不一致，{item}白跑了{n}次。",
        "网上预约了{date}办理{item}，到了{place}却说系统没有记录。",
    ),
    "corruption": (
        "{staff}在审批{item}时收受好处费，每次约{amount}元。",
        "{staff}与{shop}有利益往来，优先给他们办理{item}。",
        "{staff}利用职务便利为亲属办理{item}，违反规定。",
    ),
    "safety": (
        "{place}的消防通道被杂物堵塞，{date}看到已经堆了{n}天。",
        "{shop}的燃气管道老化漏气，多次反映没有人来检修。",
        "{place}施工现场没有围挡，{date}有{n}块砖掉到人行道上。",
    ),
    "other": (
        "{date}在{place}遇到的问题，反映了{n}次都没有答复。",
        "关于{item}的问题，{place}一直推诿，不知道该找谁。",
        "{place}周边噪音很大，晚上{n}点以后还在施工。",
    ),
}

REPORTS: tuple[str, ...] = (
    "举报{staff}收受回扣，每次约{amount}元，知情人不止一个。",
    "举报{shop}无证经营，销售的{item}来路不明。",
    "举报{shop}虚假宣传，{item}的功效完全是编造的，已有{n}人上当。",
    "举报{staff}违规为{shop}办理{item}，其中有利益输送。",
)

DEMANDS: dict[str, tuple[str, ...]] = {
    "attitude": ("要求当事人当面道歉。", "要求对该工作人员批评教育并反馈处理结果。"),
    "fees": ("要求退还多收的{amount}元。", "要求说明收费依据并退还不合理收费。"),
    "quality": ("要求退货退款{amount}元。", "要求更换{item}或赔偿损失。"),
    "facilities": ("要求尽快维修。", "希望加强管理，避免再次发生。"),
    "misconduct": ("要求调查处理并反馈结果。",),
    "medical": ("要求医院给出书面说明。", "要求赔偿医疗费用{amount}元。", "要求组织专家鉴定。"),
    "nursing": ("要求加强夜间巡视。", "要求护理部调查并道歉。"),
    "drugs": ("要求更正处方并说明情况。", "要求公示药品价格。"),
    "consumer": ("要求退款{amount}元。", "要求商家依法赔偿。", "要求调解，退还预付款。"),
    "counterfeit": ("要求依法查处。", "要求退一赔三。"),
    "food": ("要求赔偿医疗费{amount}元并查处商家。", "要求对该店进行检查。"),
    "efficiency": ("要求尽快办结。", "希望简化材料，一次办好。"),
    "corruption": ("要求纪检部门调查。",),
    "safety": ("要求立即整改，消除隐患。",),
    "other": ("希望尽快解决。", "要求书面答复。"),
}

FINDINGS = (
    "经调查核实，情况基本属实，已责令相关人员整改。",
    "经核实，所反映问题部分属实，已与投诉人沟通解释。",
    "经调查，未发现所反映的问题，已向投诉人说明情况。",
    "已组织相关部门现场核查，问题已于{date}整改完毕。",
    "经调解，双方达成一致，已退还{amount}元。",
)
REPLIES = (
    "您反映的问题已调查处理，{staff}已作出检讨，感谢您的监督。",
    "经核实，已退还多收费用{amount}元，给您带来不便深表歉意。",
    "您反映的问题经调查不属实，具体情况已电话向您说明。",
    "相关设施已于{date}修复，感谢您的反映。",
    "经调解，商家同意退款{amount}元，请注意查收。",
)
REASONS = (
    "所反映事项不属于本单位受理范围。",
    "同一事项已经处理完毕，未提出新的事实和理由。",
    "无具体被投诉对象和事实，无法调查。",
)
NOTES = (
    "电话回访，投诉人表示满意。",
    "回访未接通，短信告知处理结果。",
    "投诉人对处理结果基本满意。",
)

# Keywords (in a category's code or Chinese name) → theme; the first that matches wins.
KEYWORDS: tuple[tuple[str, str], ...] = (
    ("counterfeit", "counterfeit"),
    ("假冒", "counterfeit"),
    ("伪劣", "counterfeit"),
    ("food", "food"),
    ("食品", "food"),
    ("餐饮", "food"),
    ("drug", "drugs"),
    ("药", "drugs"),
    ("nurs", "nursing"),
    ("护理", "nursing"),
    ("clinical", "medical"),
    ("medical", "medical"),
    ("诊疗", "medical"),
    ("医疗", "medical"),
    ("outpatient", "medical"),
    ("inpatient", "nursing"),
    ("infection", "medical"),
    ("fee", "fees"),
    ("price", "fees"),
    ("收费", "fees"),
    ("价格", "fees"),
    ("insurance", "fees"),
    ("attitude", "attitude"),
    ("态度", "attitude"),
    ("conduct", "attitude"),
    ("corrupt", "corruption"),
    ("廉洁", "corruption"),
    ("bribe", "corruption"),
    ("misconduct", "misconduct"),
    ("违纪", "misconduct"),
    ("violation", "misconduct"),
    ("consumer", "consumer"),
    ("消费", "consumer"),
    ("rights", "consumer"),
    ("farm", "consumer"),
    ("quality", "quality"),
    ("质量", "quality"),
    ("product", "quality"),
    ("facilit", "facilities"),
    ("设施", "facilities"),
    ("logistics", "facilities"),
    ("safety", "safety"),
    ("安全", "safety"),
    ("approval", "efficiency"),
    ("审批", "efficiency"),
    ("document", "efficiency"),
    ("six_public", "efficiency"),
    ("service", "efficiency"),
    ("admin", "efficiency"),
)

HOSPITAL = ("门诊大厅", "一楼收费处", "三楼住院部", "急诊科", "检验科", "药房", "放射科")
OFFICE = (
    "政务服务中心二楼",
    "社保窗口",
    "不动产登记大厅",
    "车管所",
    "街道便民服务站",
    "B座办事大厅",
)
PUBLIC = ("营业厅", "地下停车场", "东门入口", "小区门口", "商场三楼", "公交站旁")
PLACES: dict[str, tuple[str, ...]] = {
    "medical": HOSPITAL, "nursing": HOSPITAL, "drugs": HOSPITAL,
    "efficiency": OFFICE, "corruption": OFFICE, "misconduct": OFFICE + PUBLIC,
    "attitude": OFFICE + PUBLIC + HOSPITAL, "fees": HOSPITAL + PUBLIC,
}  # fmt: skip
PLACES_ANY = PUBLIC + OFFICE
ITEMS: dict[str, tuple[str, ...]] = {
    "quality": ("电动自行车", "空调", "手机", "羽绒服", "冰箱", "洗衣机", "装修服务", "家具"),
    "consumer": ("预付健身卡", "手机", "培训课程", "羽绒服", "理发套餐", "二手车", "电动自行车"),
    "counterfeit": ("白酒", "化妆品", "运动鞋", "保健品", "婴儿奶粉", "名牌包"),
    "food": ("熟食", "桶装水", "月饼", "散装白酒", "婴儿奶粉"),
    "fees": ("彩超检查", "CT检查", "床位费", "停车费", "挂号费", "材料费"),
    "medical": ("手术", "彩超检查", "化疗", "穿刺检查"),
    "drugs": ("降压药", "胰岛素", "抗生素", "中药饮片"),
    "efficiency": ("营业执照", "居住证", "社保转移", "退休审批", "不动产登记", "公积金提取"),
    "corruption": ("营业执照", "施工许可", "低保申请", "不动产登记"),
    "misconduct": ("社保转移", "居住证", "退休审批", "报销手续"),
}
ITEMS_ANY = ("相关手续", "售后服务", "燃气表", "停车费", "营业执照", "手机")
EXTRA = (
    "这已经是第{n}次出现类似问题。",
    "当时有其他人在场，可以作证。",
    "已保留收据和照片。",
    "之前打过{n}次电话反映，一直没有结果。",
    "希望有关部门重视。",
)
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉兰萍红建国志强海燕晓东春梅"
POSTS = ("窗口工作人员", "收费员", "值班医生", "护士", "保安", "科长", "客服", "经办人")
SHOP_HEAD = "金银华新鑫恒福永盛兴隆泰源发达佳美康"
SHOP_TAIL = (
    "超市", "电器商行", "餐厅", "健身会所", "药店", "通讯店", "服装店", "家具城", "培训学校",
    "装饰公司", "烧烤店", "水果店",
)  # fmt: skip
DISTRICTS = ("朝阳区", "海淀区", "西湖区", "天河区", "武侯区", "鼓楼区", "江汉区", "雁塔区")
ROADS = ("人民路", "解放路", "中山路", "建设路", "和平街", "新华路", "长江路", "文化路")


def theme_of(code: str, name_zh: str) -> str:
    text = f"{code} {name_zh}".lower()
    for word, theme in KEYWORDS:
        if word in text:
            return theme
    return "other"


def person_name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


def shop_name(k: int) -> str:
    r = random.Random(k)  # noqa: S311 — synthetic data
    return f"{r.choice(SHOP_HEAD)}{r.choice(SHOP_HEAD)}{r.choice(SHOP_TAIL)}"


def address(rng: random.Random) -> str:
    return f"{rng.choice(DISTRICTS)}{rng.choice(ROADS)}{rng.randint(1, 399)}号"


AMOUNTS = (20, 35, 50, 80, 120, 200, 260, 380, 500, 1200, 3600)


def fill(
    template: str, rng: random.Random, date: str, staff: str, shop: str, amount: int, item: str,
    theme: str,
) -> str:  # fmt: skip
    return template.format(
        amount=amount,
        date=date,
        place=rng.choice(PLACES.get(theme, PLACES_ANY)),
        item=item,
        n=rng.randint(2, 9),
        staff=staff,
        shop=shop,
        hours=rng.randint(1, 4),
    )
