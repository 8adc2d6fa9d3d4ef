"""The words and numbers the demo city is made of: seed 001's sectors and districts, place,
company and institution names, ethnicities, education by decade, where floating members go,
and well-formed credit codes for its units."""

from __future__ import annotations

import random

from tongxin.core import creditcode

# Seed 001 (宁波, 2021): 32,037 grassroots organizations by sector.
CITY_SECTORS = {
    "enterprise": 10335,
    "public_institution": 10460,
    "social_org": 1014,
    "village_community": 9442,
    "other": 786,
}
CITY_MEMBERS = 561000

DISTRICTS = [
    ("海曙区", "330203"),
    ("江北区", "330205"),
    ("北仑区", "330206"),
    ("镇海区", "330211"),
    ("鄞州区", "330212"),
    ("奉化区", "330213"),
    ("象山县", "330225"),
    ("宁海县", "330226"),
    ("余姚市", "330281"),
    ("慈溪市", "330282"),
]
# Birthplaces of members born outside the city (GB/T 2260 county codes).
OTHER_REGIONS = [
    "330102",
    "330302",
    "330402",
    "340102",
    "360102",
    "410102",
    "510104",
    "320102",
    "430102",
    "420102",
    "350102",
    "370102",
]

PLACE_CHARS = (
    "东西南北中新华兴安康宁和平泰福春秋明光文武丰盛江河湖海山林松竹梅兰桂荷清云月星"
    "长青永乐金银玉宝庆瑞祥德仁义礼智信博雅静怡馨逸景翠锦绣望港湾桥塘浦溪岭湖滨柳桃杏"
)
COMPOUND_SUFFIXES = ["花园", "小区", "新村", "家园", "苑", "公寓", "园区", "大厦", "商圈", "嘉园"]
ENTERPRISE_SUFFIXES = [
    "科技有限公司",
    "制造有限公司",
    "贸易有限公司",
    "电子股份有限公司",
    "模具有限公司",
    "物流有限公司",
    "建设集团有限公司",
    "服装有限公司",
]
SOCIAL_SUFFIXES = [
    "志愿者协会",
    "社会工作服务中心",
    "行业协会",
    "商会",
    "公益服务社",
    "养老服务中心",
]
INSTITUTION_NAMES = [
    "发展和改革局",
    "教育局",
    "民政局",
    "财政局",
    "人力资源和社会保障局",
    "自然资源和规划局",
    "住房和城乡建设局",
    "交通运输局",
    "农业农村局",
    "商务局",
    "文化广电旅游局",
    "卫生健康局",
    "市场监督管理局",
    "综合行政执法局",
    "第一中学",
    "实验小学",
    "人民医院",
    "中医院",
    "图书馆",
    "档案馆",
]
OTHER_NAMES = ["离退休干部", "流动党员", "两新组织综合", "园区联合", "楼宇联合", "商圈联合"]
ETHNICITIES = ["汉族"] * 97 + ["回族", "满族", "畲族"]
EDU_BY_DECADE = {
    # birth decade -> weights for primary, junior, senior, college, bachelor, postgraduate
    1930: [50, 30, 15, 4, 1, 0],
    1940: [40, 32, 18, 7, 3, 0],
    1950: [25, 35, 25, 10, 5, 0],
    1960: [10, 30, 30, 18, 11, 1],
    1970: [4, 18, 28, 25, 22, 3],
    1980: [1, 8, 18, 28, 38, 7],
    1990: [0, 3, 10, 27, 48, 12],
    2000: [0, 1, 6, 28, 52, 13],
}
EDUCATIONS = ["primary", "junior", "senior", "college", "bachelor", "postgraduate"]

RETIREMENT_AGE = 60  # older members have no work unit in the demo
WORK_ELSEWHERE_RATE = 0.05  # members of territorial organizations who work at a unit nearby

FLOATING_TO = [
    "上海市浦东新区",
    "杭州市滨江区",
    "深圳市南山区",
    "苏州市工业园区",
    "广州市天河区",
    "北京市海淀区",
    "义乌市稠城街道",
    "温州市鹿城区",
]
DISTRICT_NAMES = {code: "宁波市" + name for name, code in DISTRICTS}
# 统一社会信用代码 first two characters: registration authority and kind (GB 32100-2015).
UNIT_KIND_CODES = {"enterprise": "91", "social_org": "51", "public_institution": "12"}


def credit_code(kind: str, region: str, rng: random.Random) -> str:
    """A well-formed 统一社会信用代码 for a demo unit."""
    return creditcode.make(kind, region, "".join(rng.choice("0123456789") for _ in range(8)))
