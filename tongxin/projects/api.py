from ninja import Router

router = Router(tags=["微项目"])
