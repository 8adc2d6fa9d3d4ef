"""预警 API: the warnings in scope, and acknowledging one (someone else's → 404)."""

from __future__ import annotations

import datetime as dt

from django.http import Http404, HttpRequest
from ninja import Field, Query, Router, Schema

from tongxin.accounts.scope import request_user
from tongxin.alerts import selectors, services
from tongxin.core.pagination import PageQuery, api_page
from tongxin.core.scope import Scope, request_scope
from tongxin.orgs.selectors import get_org_for

router = Router(tags=["预警"])


class AlertOut(Schema):
    id: int
    rule_key: str
    title: str = Field(..., alias="rule.title")
    org_id: int
    org: str = Field(..., alias="org.name")
    owner_id: int
    owner: str = Field(..., alias="owner.name")
    level: str
    value: int
    detail: str
    link: str
    state: str
    opened_at: dt.datetime
    escalations: int
    acknowledged_at: dt.datetime | None = None
    note: str
    resolved_at: dt.datetime | None = None


class AlertPage(Schema):
    count: int
    page: int
    page_size: int
    results: list[AlertOut]


class AlertQuery(PageQuery):
    state: str = Field("live", max_length=16)
    level: str = Field("", max_length=8)
    rule: str = Field("", max_length=60)
    org_id: int | None = None


class AcknowledgeIn(Schema):
    note: str = Field(..., max_length=500)


@router.get("/warnings", response=AlertPage, summary="辖区内的预警")
def alert_list(request: HttpRequest, query: Query[AlertQuery]):
    scope = request_scope(request)
    under = get_org_for(scope, query.org_id).path if query.org_id is not None else ""
    qs = selectors.alert_list(
        scope, state=query.state, level=query.level, rule_key=query.rule, under=under
    )
    return api_page(qs, query.page)


@router.post("/warnings/{alert_id}/acknowledge", response=AlertOut, summary="签收预警")
def alert_acknowledge(request: HttpRequest, alert_id: int, payload: AcknowledgeIn):
    scope = request_scope(request)
    alert = selectors.get_alert_for(scope, alert_id)
    services.alert_acknowledge(
        actor=request_user(request), scope=scope, alert=alert, note=payload.note
    )
    return selectors.get_alert_for(scope, alert_id)


class RuleOut(Schema):
    key: str
    version: int
    check_key: str
    title: str
    yellow_at: int
    red_at: int
    org_kinds: list[str]
    escalate_after_days: int
    red_to_parent: bool
    created_at: dt.datetime


class RuleIn(Schema):
    key: str = Field(..., max_length=60)
    check_key: str = Field(..., max_length=60)
    title: str = Field(..., max_length=100)
    yellow_at: int = Field(..., ge=0, le=10**9)
    red_at: int = Field(..., ge=0, le=10**9)
    org_kinds: list[str] = Field(default_factory=list, max_length=20)
    escalate_after_days: int = Field(7, ge=0, le=10**4)
    red_to_parent: bool = False


def _rules_scope(request: HttpRequest) -> Scope:
    scope = request_scope(request)
    if not selectors.may_edit_rules(scope):
        raise Http404
    return scope


@router.get("/warning-rules", response=list[RuleOut], summary="预警规则（现行版本）")
def rule_list(request: HttpRequest):
    _rules_scope(request)
    return list(selectors.active_rules())


@router.post("/warning-rules", response=RuleOut, summary="保存预警规则的新版本")
def rule_save(request: HttpRequest, payload: RuleIn):
    scope = _rules_scope(request)
    return services.rule_save(
        actor=request_user(request),
        scope=scope,
        data=services.RuleInput(**payload.dict()),
    )
