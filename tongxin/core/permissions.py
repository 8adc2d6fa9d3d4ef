"""Named permissions (DESIGN §3.1). Roles grant these strings; a Scope answers, per permission,
which part of the organization tree and the area tree a user reaches."""

from typing import Any

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
    "grids.manage": _("管理网格"),
    "meetings.view": _("查看组织生活"),
    "meetings.manage": _("记录组织生活"),
    "meetings.review": _("审核组织生活"),
    "cases.view": _("查看事件"),
    "cases.report": _("上报事件"),
    "cases.manage": _("受理、派遣、核查事件"),
    "cases.handle": _("部门处置事件"),
    "visits.view": _("查看三访记录"),
    "visits.manage": _("记录三访"),
    "centers.manage": _("管理党群服务中心"),
    "volunteering.manage": _("管理志愿服务"),
    "sharing.moderate": _("审核共享小区信息"),
    "projects.manage": _("管理微项目"),
    "redmap.manage": _("管理红色基地"),
    "powers.view": _("查看小微权力清单及运行"),
    "powers.manage": _("管理小微权力清单、办理权力事项"),
    "deliberation.view": _("查看协商议事"),
    "deliberation.manage": _("主持协商议事（议事平台、议题、议事会、表决、办理）"),
}

_SERVE = [
    "centers.manage",
    "volunteering.manage",
    "sharing.moderate",
    "projects.manage",
    "redmap.manage",
]

# Default roles: code -> (name, permissions). Loaded by data migrations; editable in admin.
# The names are stored in Chinese (model data); gettext_noop only puts them in the catalog so
# that the user's page can show a default role's name in the user's language (core.scope).
DEFAULT_ROLES = {
    "org_dept": (
        gettext_noop("组织部工作人员"),
        [
            "orgs.view",
            "orgs.manage",
            "members.view",
            "members.manage",
            "members.reveal_pii",
            "geo.view",
            "geo.manage",
            "audit.view",
            "grids.manage",
            "meetings.view",
            "meetings.manage",
            "meetings.review",
            "cases.view",
            "cases.report",
            "cases.manage",
            "visits.view",
            "visits.manage",
            *_SERVE,
            "powers.view",
            "powers.manage",
            "deliberation.view",
            "deliberation.manage",
        ],
    ),
    "street_secretary": (
        gettext_noop("街道党工委/社区党委书记"),
        [
            "orgs.view",
            "orgs.manage",
            "members.view",
            "members.manage",
            "members.reveal_pii",
            "geo.view",
            "grids.manage",
            "meetings.view",
            "meetings.manage",
            "meetings.review",
            "cases.view",
            "cases.report",
            "cases.manage",
            "visits.view",
            "visits.manage",
            *_SERVE,
            "powers.view",
            "powers.manage",
            "deliberation.view",
            "deliberation.manage",
        ],
    ),
    "branch_secretary": (
        gettext_noop("支部书记/支委"),
        [
            "orgs.view",
            "members.view",
            "members.manage",
            "members.reveal_pii",
            "meetings.view",
            "meetings.manage",
            "visits.view",
            "visits.manage",
            "volunteering.manage",
        ],
    ),
    "grid_worker": (
        gettext_noop("网格员/网格党建指导员"),
        [
            "orgs.view",
            "members.view",
            "geo.view",
            "cases.view",
            "cases.report",
            "visits.view",
            "visits.manage",
        ],
    ),
    "department": (
        gettext_noop("部门处置人员"),
        ["cases.view", "cases.handle"],
    ),
    "auditor": (
        gettext_noop("审计员（只读）"),
        [
            "orgs.view",
            "members.view",
            "members.reveal_pii",
            "geo.view",
            "audit.view",
            "meetings.view",
            "cases.view",
            "visits.view",
            "powers.view",
            "deliberation.view",
        ],
    ),
    "member": (gettext_noop("党员"), ["orgs.view", "meetings.view"]),
}

# What the 党员 role grants. A user holding nothing beyond it (a member) or nothing at all (a
# resident) works from the phone pages: their home is their own, not a staff 工作台.
PHONE_PERMS = frozenset(DEFAULT_ROLES["member"][1])


def works_at_desk(scope: Any) -> bool:
    """Whether the user's home is the staff 工作台: a superuser, or a grant beyond a member's."""
    return bool(
        scope.is_superuser
        or any(grants for perm, grants in scope.grants.items() if perm not in PHONE_PERMS)
    )
