"""Who may act on a fund: the refusals the services share."""

from __future__ import annotations

from django.utils.translation import gettext

from tongxin.aid.models import AidFund
from tongxin.aid.roles import MANAGE
from tongxin.core.errors import ServiceError
from tongxin.core.scope import Scope, require
from tongxin.members.models import Member


def refuse_unless_manages(scope: Scope, fund: AidFund) -> None:
    require(
        scope.reaches_org(MANAGE, fund.org_path),
        gettext("您不是这个互助金的管理人员，不能登记它的收支。"),
    )


def refuse_unless_in_fund(fund: AidFund, member: Member) -> None:
    if not member.org_path.startswith(fund.org_path):
        raise ServiceError(
            gettext("这名党员不属于%(org)s，不能在这个互助金登记。") % {"org": fund.org.name},
            fields={"member": gettext("请选择本党组织的党员。")},
        )
