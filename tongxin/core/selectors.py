"""Reads of the audit log, filtered by the Scope."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, QuerySet
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
    "members.duplicate_refused": _("拒绝重复登记"),
    "admin.password_reset": _("管理后台重置密码"),
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
    """Rows written about members and organizations in the user's subtrees (by where the
    object stood when the row was written), and the user's own actions; all for a superuser."""
    f = filters or AuditFilters()
    qs = AuditLog.objects.select_related("actor")
    if not scope.is_superuser:
        if not scope.has("audit.view"):
            return qs.none()
        in_reach = scope.org_grants_q("audit.view", "org_path")
        qs = qs.filter((in_reach & ~Q(org_path="")) | Q(actor_id=scope.user_id))
    if f.action:
        qs = qs.filter(action=f.action)
    if f.actor.strip():
        qs = qs.filter(actor__username=f.actor.strip())
    return qs.order_by("-at", "-id")
