from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from ninja import Router, Schema
from ninja.decorators import decorate_view

from tongxin.core.replica import reads_from_replica
from tongxin.core.scope import request_scope
from tongxin.orgs import selectors

router = Router(tags=["党组织"])


class OrgOut(Schema):
    id: int
    name: str
    kind: str
    kind_label: str
    sector: str
    establishment: str
    is_joint: bool
    is_temporary: bool
    depth: int
    area_id: int | None = None
    unit_id: int | None = None
    founded_on: dt.date | None = None

    @staticmethod
    def resolve_kind_label(obj) -> str:
        return str(obj.get_kind_display())


class StatsOut(Schema):
    orgs: int
    members: int
    by_kind: dict[str, int]
    by_sector: dict[str, int]


@router.get("/", response=list[OrgOut], summary="顶层党组织（调用者可见范围内）")
@decorate_view(reads_from_replica())
def roots(request: HttpRequest):
    return list(selectors.org_roots(request_scope(request))[:500])


@router.get("/{org_id}", response=OrgOut, summary="党组织详情")
def detail(request: HttpRequest, org_id: int):
    return selectors.get_org_for(request_scope(request), org_id)


@router.get("/{org_id}/children", response=list[OrgOut], summary="下级党组织")
@decorate_view(reads_from_replica())
def children(request: HttpRequest, org_id: int):
    scope = request_scope(request)
    parent = selectors.get_org_for(scope, org_id)
    return list(selectors.org_children(scope, parent)[:1000])


@router.get("/{org_id}/stats", response=StatsOut, summary="本级及下级统计")
@decorate_view(reads_from_replica())
def stats(request: HttpRequest, org_id: int):
    scope = request_scope(request)
    org = selectors.get_org_for(scope, org_id)
    return selectors.org_subtree_stats(scope, org)
