from ninja import Router

router = Router(tags=["志愿服务"])
