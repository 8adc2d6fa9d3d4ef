"""The donation import's commit: the rows a check passed, written together or not at all."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext

from tongxin.accounts.models import User
from tongxin.aid import ledger
from tongxin.aid.access import refuse_unless_manages
from tongxin.aid.imports import untoken
from tongxin.aid.models import AidFund
from tongxin.aid.rules import MAX_DONATION_FEN, amount_error, date_error
from tongxin.core.audit import audit
from tongxin.core.errors import ServiceError
from tongxin.core.scope import Scope, subtree_q
from tongxin.members.models import Member


@transaction.atomic
def donation_import_commit(*, actor: User | None, scope: Scope, fund: AidFund, token: str) -> int:
    """Write every checked donation (each with its movement and certificate); the members and
    the rules are checked again, and any failure writes nothing. Returns the number written."""
    refuse_unless_manages(scope, fund)
    data = untoken(scope, fund, token)
    rows = [(int(n), int(mid), int(fen), dt.date.fromisoformat(d)) for n, mid, fen, d in data["r"]]
    members = Member.objects.filter(subtree_q("org_path", fund.org_path)).in_bulk(
        [r[1] for r in rows]
    )
    ledger.lock(fund)
    total = 0
    for number, member_id, fen, day in rows:
        member = members.get(member_id)
        problem = amount_error(fen, MAX_DONATION_FEN, gettext("捐助")) or date_error(
            day, gettext("捐助日期")
        )
        if member is None or problem:
            raise ServiceError(
                gettext("第%(row)d行：%(msg)s没有写入任何数据，请改正后重新上传。")
                % {"row": number, "msg": problem or gettext("党员已不在本党组织。")}
            )
        ledger.donation_post(actor=actor, fund=fund, member=member, amount_fen=fen, donated_on=day)
        total += fen
    audit(
        actor=actor,
        action="aid.donation_import",
        obj=fund,
        diff={"file": data.get("f", ""), "rows": len(rows), "amount_fen": total},
    )
    return len(rows)
