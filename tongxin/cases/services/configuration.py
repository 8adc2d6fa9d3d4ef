"""The configuration of cases: departments' staff and Open311 api_keys."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tongxin.accounts.models import User
from tongxin.cases.models import (
    Agency,
    AgencyMember,
    ApiKey,
)
from tongxin.cases.selectors import (
    api_keys_for,
    key_areas,
)
from tongxin.core.audit import audit, saved_user
from tongxin.core.errors import ConflictError, ServiceError
from tongxin.core.scope import Scope, acting_scope, in_scope, require
from tongxin.geo.models import Area


@transaction.atomic
def agency_member_add(*, actor: User | None, user: User, agency: Agency) -> AgencyMember:
    """A department's staff: configured for the whole installation (superusers, system)."""
    require(acting_scope(actor).is_superuser, _("只有系统管理员可以配置部门人员。"))
    link, _created = AgencyMember.objects.get_or_create(user=user, agency=agency)
    audit(
        actor=actor,
        action="case.agency_member",
        obj=link,
        diff={"user": user.username, "agency": agency.code},
    )
    return link


@transaction.atomic
def api_key_issue(
    *,
    actor: User | None,
    name: str,
    area: Area,
    per_minute: int = 600,
    scope: Scope | None = None,
) -> tuple[ApiKey, str]:
    """A new Open311 api_key; the raw key is returned once and only its hash is kept. For a
    jurisdiction the actor manages cases in (selectors.key_areas)."""
    require(
        in_scope(key_areas(acting_scope(actor, scope)), area),
        _("您没有为该区域签发密钥的权限。"),
    )
    name = (name or "").strip()
    if not name:
        raise ServiceError(
            _("请填写使用密钥的应用名称。"), fields={"name": _("请填写使用密钥的应用名称。")}
        )
    if not 1 <= per_minute <= 100000:
        msg = _("每分钟请求上限应在1到100000之间。")
        raise ServiceError(msg, fields={"per_minute": msg})
    raw, prefix, key_hash = ApiKey.generate()
    key = ApiKey.objects.create(
        name=name[:100],
        area=area,
        prefix=prefix,
        key_hash=key_hash,
        per_minute=per_minute,
        created_by=saved_user(actor),
    )
    audit(actor=actor, action="open311.key_issue", obj=key, diff={"area": area.path})
    return key, raw


@transaction.atomic
def api_key_revoke(
    *, actor: User | None, key: ApiKey, now: dt.datetime | None = None, scope: Scope | None = None
) -> ApiKey:
    require(in_scope(api_keys_for(acting_scope(actor, scope)), key), _("您没有吊销该密钥的权限。"))
    if key.revoked_at is not None:
        raise ConflictError(_("该密钥已吊销。"))
    key.revoked_at = now or timezone.now()
    key.save(update_fields=["revoked_at"])
    audit(actor=actor, action="open311.key_revoke", obj=key)
    return key
