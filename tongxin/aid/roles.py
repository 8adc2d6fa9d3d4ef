"""The permissions of the 互助金 and the roles that grant them. The fund's own roles (committee
member, accountant, cashier) are new; the default staff roles gain what their holders do here.
Loaded by ``migrations/0002_roles.py`` (idempotent, so tests can load them again)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

VIEW = "aid.view"
MANAGE = "aid.manage"  # 会计: income, donations, the hardship register, answering objections
REVIEW = "aid.review"  # 支部: apply for a member, review an application
DECIDE = "aid.decide"  # 管委会委员: approve or refuse
PAY = "aid.pay"  # 出纳: record the payment

PERMISSIONS = {
    VIEW: _("查看党员互助金"),
    MANAGE: _("登记互助金收入和捐助"),
    REVIEW: _("支部审核互助金申请"),
    DECIDE: _("互助金管委会审批"),
    PAY: _("互助金出纳发放"),
}

NEW_ROLES = {
    "aid_committee": (
        gettext_noop("互助金管委会委员"),
        ["orgs.view", "members.view", VIEW, DECIDE],
    ),
    "aid_accountant": (gettext_noop("互助金会计"), ["orgs.view", "members.view", VIEW, MANAGE]),
    "aid_cashier": (gettext_noop("互助金出纳"), ["orgs.view", "members.view", VIEW, PAY]),
}
ADDED = {
    "org_dept": [VIEW, MANAGE, REVIEW],
    "street_secretary": [VIEW, MANAGE, REVIEW],
    "branch_secretary": [VIEW, REVIEW],
    "auditor": [VIEW],
}


def load_roles(apps: Any, schema_editor: Any) -> None:
    role_model = apps.get_model("accounts", "Role")
    for code, (name, perms) in NEW_ROLES.items():
        role_model.objects.get_or_create(code=code, defaults={"name": name, "permissions": perms})
    for code, perms in ADDED.items():
        role = role_model.objects.filter(code=code).first()
        if role is not None:
            missing = [p for p in perms if p not in role.permissions]
            if missing:
                role.permissions = list(role.permissions) + missing
                role.save(update_fields=["permissions"])
