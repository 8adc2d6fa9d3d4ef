from ninja import Router

router = Router(tags=["名册导入导出"])
