from ninja import Router

router = Router(tags=["共享小区"])
