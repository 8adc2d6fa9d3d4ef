"""Reads of the audit log, filtered by the Scope."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import CharField, Q, QuerySet
from django.db.models.functions import Cast
from django.utils.translation import gettext_lazy as _

from tongxin.core.models import AuditLog
from tongxin.core.scope import Scope

ACTION_LABELS = {
    "members.create": _("登记党员"),
    "members.update": _("修改党员信息"),
    "members.reveal_pii": _("查看完整号码"),
    "members.search_pii": _("按号码查找"),
    "members.pii_rekey": _("更换个人信息密钥"),
    "orgs.create": _("新建党组织"),
    "orgs.update": _("修改党组织"),
    "orgs.move": _("调整隶属关系"),
    "orgs.leadership_add": _("登记班子成员"),
    "accounts.password_change": _("修改密码"),
    "accounts.token_create": _("创建 API 令牌"),
    "accounts.token_revoke": _("停用 API 令牌"),
    "demo.generate": _("生成演示数据"),
}


def action_label(action: str) -> str:
    if action in ACTION_LABELS:
        return str(ACTION_LABELS[action])
    if action.startswith("admin."):
        return str(_("管理后台：%(action)s")) % {"action": action.removeprefix("admin.")}
    return action


@dataclass
class AuditFilters:
    action: str = ""
    actor: str = ""  # username, exact


def audit_list(scope: Scope, filters: AuditFilters | None = None) -> QuerySet[AuditLog]:
    """Rows about members and organizations the user may audit, and the user's own actions;
    everything for a superuser."""
    from tongxin.members.selectors import member_queryset
    from tongxin.orgs.selectors import org_queryset

    f = filters or AuditFilters()
    qs = AuditLog.objects.select_related("actor")
    if not scope.is_superuser:
        if not scope.has("audit.view"):
            return qs.none()
        members = member_queryset(scope, "audit.view").annotate(
            sid=Cast("id", output_field=CharField())
        )
        orgs = org_queryset(scope, "audit.view").annotate(sid=Cast("id", output_field=CharField()))
        qs = qs.filter(
            Q(object_type="members.member", object_id__in=members.values("sid"))
            | Q(object_type="orgs.organization", object_id__in=orgs.values("sid"))
            | Q(actor_id=scope.user_id)
        )
    if f.action:
        qs = qs.filter(action=f.action)
    if f.actor.strip():
        qs = qs.filter(actor__username=f.actor.strip())
    return qs.order_by("-at", "-id")
