"""Default agencies and categories (loaded by a data migration; editable in the admin)."""

from __future__ import annotations

# code, name
AGENCIES = [
    ("chengguan", "城管"),
    ("zhujian", "住建"),
    ("minzheng", "民政"),
    ("shichang", "市场监管"),
    ("gongan", "公安派出所"),
    ("shuiwu", "水务"),
    ("huanbao", "生态环境"),
    ("jiedaoban", "街道办"),
]

# code, name, deadline class, default agency code, keywords (for suggestions)
CATEGORIES = [
    ("municipal", "市政设施", "utilities", "zhujian", "路灯 井盖 道路 供水 停水 停电 燃气 下水道"),
    ("sanitation", "环境卫生", "general", "chengguan", "垃圾 清运 卫生 污水 异味 保洁"),
    ("illegal_building", "违章搭建", "complex", "chengguan", "违建 搭建 违章 加建 阳台"),
    ("noise", "噪声扰民", "general", "huanbao", "噪音 噪声 施工 广场舞 夜间"),
    ("property", "物业纠纷", "complex", "zhujian", "物业 物业费 维修 电梯 停车"),
    ("security", "治安隐患", "utilities", "gongan", "治安 偷盗 消防 隐患 监控"),
    ("neighbour", "邻里纠纷", "general", "jiedaoban", "邻居 纠纷 漏水 矛盾 调解"),
    ("market", "市场秩序", "general", "shichang", "商铺 占道 经营 食品 价格"),
    ("welfare", "民生救助", "general", "minzheng", "低保 救助 老人 困难 残疾"),
    ("other", "其他", "general", "jiedaoban", ""),
]

HOURS = {"utilities": 24, "general": 7 * 24, "complex": 15 * 24}
