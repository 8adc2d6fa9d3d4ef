"""The default taxonomy of residents' needs. Seed 002 reports "5方面21类" without naming
them; these names are ours, drawn from the services the seed lists (闲置物品中转, 儿童助托,
老人抱团养老, 巧手屋, 最美阳台, 爱心发屋, 邻里驿站). Editable in the admin."""

DEFAULT_TAXONOMY: list[tuple[str, list[str]]] = [
    ("生活服务", ["助餐助浴", "家政维修", "便民服务（爱心发屋等）", "邻里互助（邻里驿站）"]),
    ("一老一小", ["居家养老", "老年文体", "儿童托管", "青少年课堂", "助残帮扶"]),
    ("环境治理", ["楼道整治", "垃圾分类", "绿化美化（最美阳台）", "停车管理", "设施修缮"]),
    ("文化活动", ["文体活动", "技能培训（巧手屋）", "志愿服务", "邻里节庆"]),
    ("平安和谐", ["治安巡防", "矛盾调解", "消防安全"]),
]
