"""Named permissions (DESIGN §3.1). Roles grant these strings; a Scope answers, per permission,
which part of the organization tree and the area tree a user reaches."""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

PERMISSIONS = {
    "orgs.view": _("查看党组织"),
    "orgs.manage": _("管理党组织"),
    "members.view": _("查看党员"),
    "members.manage": _("管理党员"),
    "members.reveal_pii": _("查看党员完整身份证号和手机号"),
    "geo.view": _("查看行政区域"),
    "geo.manage": _("管理行政区域"),
    "audit.view": _("查看审计日志"),
}

# Default roles: code -> (name, permissions). Loaded by a data migration; editable in admin.
# The names are stored in Chinese (model data); gettext_noop only puts them in the catalog so
# that the user's page can show a default role's name in the user's language (core.scope).
DEFAULT_ROLES = {
    "org_dept": (
        gettext_noop("组织部工作人员"),
        ["orgs.view", "orgs.manage", "members.view", "members.manage", "members.reveal_pii",
         "geo.view", "geo.manage", "audit.view"],
    ),
    "street_secretary": (
        gettext_noop("街道党工委/社区党委书记"),
        ["orgs.view", "orgs.manage", "members.view", "members.manage", "members.reveal_pii",
         "geo.view"],
    ),
    "branch_secretary": (
        gettext_noop("支部书记/支委"),
        ["orgs.view", "members.view", "members.manage", "members.reveal_pii"],
    ),
    "grid_worker": (gettext_noop("网格员/网格党建指导员"), ["orgs.view", "members.view", "geo.view"]),
    "auditor": (
        gettext_noop("审计员（只读）"),
        ["orgs.view", "members.view", "members.reveal_pii", "geo.view", "audit.view"],
    ),
    "member": (gettext_noop("党员"), ["orgs.view"]),
}  # fmt: skip
