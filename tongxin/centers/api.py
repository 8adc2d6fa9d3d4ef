from ninja import Router

router = Router(tags=["党群服务中心"])
