"""The default catalogue: the 宁海 "36条" structure (2014; 11 areas, 36 items) laid out in the
item classes of GB/T 41374-2022, each item with a flow template in the manner of GB/T 41371-2022.
The names and flows are ours and every village or community edits its own copy. Pure data: the
services (``catalogue_load``) and the demo's bulk loader read it."""

from __future__ import annotations

from dataclasses import dataclass

from tongxin.powers.models import PowerClass as C


@dataclass(frozen=True)
class StepSpec:
    name: str
    role: str
    documents: tuple[str, ...] = ()
    publicity_days: int = 0
    limit_days: int = 15


@dataclass(frozen=True)
class ItemSpec:
    power_class: str
    name: str
    basis: str
    flow: tuple[StepSpec, ...]
    villages_only: bool = False  # 宅基地 and the like: a city community has none


S = StepSpec
# 五议两公开 (提议、商议、审议、决议、监议; 决议公开、结果公开), the decision flow of 宁海.
DECISION = (
    S("提议", "村（社区）党组织", ("提议书",)),
    S("商议", "两委联席会议", ("会议记录",), limit_days=10),
    S("审议", "党员大会", ("会议记录",), limit_days=10),
    S("决议", "村（居）民代表会议", ("决议书",), limit_days=10),
    S("决议公开", "村（居）务监督委员会", (), publicity_days=5),
    S("组织实施", "村（居）民委员会", ("实施记录",), limit_days=60),
    S("结果公开", "村（居）务监督委员会", (), publicity_days=7),
)
TENDER = (
    S("提出需求", "村（居）民委员会", ("采购申请",)),
    S("两委商议", "两委联席会议", ("会议记录",), limit_days=10),
    S("发布公告", "村（居）民委员会", ("招标公告",), publicity_days=5),
    S("开标评标", "评标小组", ("评标记录",), limit_days=10),
    S("结果公示", "村（居）务监督委员会", (), publicity_days=3),
    S("签订合同", "村（居）民委员会", ("合同",)),
)
ASSETS = (
    S("提出方案", "村（居）民委员会", ("处置方案",)),
    S("民主决策", "村（居）民代表会议", ("决议书",), limit_days=20),
    S("方案公示", "村（居）务监督委员会", (), publicity_days=5),
    S("公开交易", "农村产权交易平台", ("交易记录",), limit_days=30),
    S("签订合同", "村（居）民委员会", ("合同",)),
)
HOMESTEAD = (
    S("农户申请", "申请农户", ("建房申请书", "户口簿")),
    S("小组审核", "村民小组", ("审核意见",), limit_days=10),
    S("村内公示", "村民委员会", (), publicity_days=7),
    S("村级审查", "村民委员会", ("审查意见",), limit_days=10),
    S("报镇审批", "乡镇（街道）", ("审批表",), limit_days=20),
    S("批后公布", "村民委员会", (), publicity_days=7),
)
RELIEF = (
    S("本人申请", "申请人", ("申请书", "家庭收入说明")),
    S("入户调查", "村（社区）两委", ("调查表",), limit_days=10),
    S("民主评议", "村（居）民代表", ("评议记录",), limit_days=10),
    S("评议公示", "村（居）务监督委员会", (), publicity_days=7),
    S("报镇街审批", "乡镇（街道）", ("审批表",), limit_days=20),
    S("发放到户", "村（居）民委员会", ("发放签收单",)),
)
CERTIFICATE = (
    S("提出申请", "申请人", ("申请表", "身份证明")),
    S("审核", "村（居）委会主任", (), limit_days=3),
    S("用印登记", "印章管理员", ("用印登记表",), limit_days=3),
)
FINANCE = (
    S("经办人报账", "报账员", ("原始票据",)),
    S("监委会审核", "村（居）务监督委员会", ("审核意见",), limit_days=10),
    S("负责人审批", "村（社区）主要负责人", (), limit_days=5),
    S("财务公开", "村（居）务监督委员会", (), publicity_days=10),
)
PERSONNEL = (
    S("提出人选", "村（社区）党组织", ("人选名单",)),
    S("民主推荐", "党员大会", ("推荐记录",), limit_days=10),
    S("组织考察", "乡镇（街道）党（工）委", ("考察材料",), limit_days=20),
    S("任前公示", "村（社区）党组织", (), publicity_days=5),
    S("任用聘用", "村（居）民委员会", ("聘用协议",)),
)
WORKS = (
    S("立项", "村（居）民代表会议", ("立项决议",)),
    S("招标发包", "村（居）民委员会", ("招标文件",), limit_days=30),
    S("施工监管", "村（居）务监督委员会", ("监理记录",), limit_days=120),
    S("竣工验收", "验收小组", ("验收报告",), limit_days=20),
    S("结算公示", "村（居）务监督委员会", ("结算审计报告",), publicity_days=7),
)
SERVICE = (
    S("受理", "便民服务代办员", ("申请材料",), limit_days=3),
    S("代办", "便民服务代办员", (), limit_days=10),
    S("办结反馈", "便民服务代办员", ("办结回执",), limit_days=3),
)
OTHER = (
    S("提出", "村（居）民委员会", ("事项说明",)),
    S("审核", "村（社区）党组织", (), limit_days=10),
    S("公示", "村（居）务监督委员会", (), publicity_days=5),
    S("办结", "村（居）民委员会", ("办结记录",)),
)

It = ItemSpec
DEFAULT_ITEMS: tuple[ItemSpec, ...] = (
    It(C.DECISION, "村级重大事项决策", "《中国共产党农村基层组织工作条例》", DECISION),
    It(C.DECISION, "集体经济项目立项", "《村民委员会组织法》第二十四条", DECISION),
    It(C.DECISION, "村规民约制定与修订", "《村民委员会组织法》第二十七条", DECISION),
    It(C.DECISION, "年度财务预决算", "《村民委员会组织法》第二十四条", DECISION),
    It(C.TENDER, "工程项目招投标", "《招标投标法》", TENDER),
    It(C.TENDER, "物资与服务采购", "本村（社区）采购管理办法", TENDER),
    It(C.TENDER, "小额工程发包", "本村（社区）小额工程管理办法", TENDER),
    It(C.ASSETS, "集体资产资源出租出借", "《农村集体经济组织法》", ASSETS),
    It(C.ASSETS, "集体资产处置", "《农村集体经济组织法》", ASSETS),
    It(C.ASSETS, "征地补偿款分配", "《土地管理法》第四十八条", ASSETS, True),
    It(C.ASSETS, "集体经营性资产承包", "《农村土地承包法》", ASSETS, True),
    It(C.HOMESTEAD, "宅基地申请审批", "《土地管理法》第六十二条", HOMESTEAD, True),
    It(C.HOMESTEAD, "农房翻建审核", "本省农村住房建设管理办法", HOMESTEAD, True),
    It(C.RELIEF, "最低生活保障申请", "《社会救助暂行办法》", RELIEF),
    It(C.RELIEF, "特困人员供养申请", "《社会救助暂行办法》", RELIEF),
    It(C.RELIEF, "临时救助申请", "《社会救助暂行办法》", RELIEF),
    It(C.RELIEF, "困难党员群众帮扶", "本地党内关怀帮扶办法", RELIEF),
    It(C.RELIEF, "残疾人补助申请", "《残疾人保障法》", RELIEF),
    It(C.CERTIFICATE, "出具证明", "本村（社区）证明事项清单", CERTIFICATE),
    It(C.CERTIFICATE, "印章使用", "本村（社区）印章管理制度", CERTIFICATE),
    It(C.FINANCE, "财务收支审批", "《农村集体经济组织财务制度》", FINANCE),
    It(C.FINANCE, "村级财务公开", "《村民委员会组织法》第三十条", FINANCE),
    It(C.FINANCE, "集体收益分配", "《农村集体经济组织法》", FINANCE, True),
    It(C.PERSONNEL, "后备干部选任", "《中国共产党农村基层组织工作条例》", PERSONNEL),
    It(C.PERSONNEL, "聘用人员招聘", "本村（社区）用工管理办法", PERSONNEL),
    It(C.PERSONNEL, "发展党员推荐", "《中国共产党发展党员工作细则》", PERSONNEL),
    It(C.WORKS, "工程项目实施", "本村（社区）工程项目管理办法", WORKS),
    It(C.WORKS, "工程变更与验收", "本村（社区）工程项目管理办法", WORKS),
    It(C.SERVICE, "生育登记代办", "便民服务代办制度", SERVICE),
    It(C.SERVICE, "养老保险代办", "便民服务代办制度", SERVICE),
    It(C.SERVICE, "医疗保险代办", "便民服务代办制度", SERVICE),
    It(C.SERVICE, "户籍事项代办", "便民服务代办制度", SERVICE),
    It(C.SERVICE, "就业创业服务", "便民服务代办制度", SERVICE),
    It(C.OTHER, "志愿服务组织", "《志愿服务条例》", OTHER),
    It(C.OTHER, "矛盾纠纷调解", "《人民调解法》", OTHER),
    It(C.OTHER, "村（居）务公开", "《村民委员会组织法》第三十条", OTHER),
)


def items_for(*, village: bool) -> list[tuple[int, ItemSpec]]:
    """The default items of a village (all 36) or a city community (without the village-only
    ones), numbered as in the full list so that item 12 is 宅基地 everywhere."""
    return [
        (n, spec)
        for n, spec in enumerate(DEFAULT_ITEMS, start=1)
        if village or not spec.villages_only
    ]
