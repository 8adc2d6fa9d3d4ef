"""党费: every write. Each service receives the acting user and their scope, and refuses
(ForbiddenError, nothing written) a member the scope does not manage (``members.manage``), by
the member's organization or residence, as ``members.selectors.get_member_for`` finds them."""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext

from tongxin.accounts.models import User
from tongxin.core.audit import audit
from tongxin.core.dbstats import refresh_statistics
from tongxin.core.errors import ConflictError, ForbiddenError, ServiceError
from tongxin.core.months import add_months, month_start, this_month
from tongxin.core.scope import Scope
from tongxin.dues.imports import ImportResult, chunks, common_path, untoken
from tongxin.dues.models import DuesBase, DuesPayment, DuesReversal
from tongxin.dues.rules import MAX_PAYMENT_FEN, MAX_REASON, dues_base_errors, parse_month
from tongxin.members.models import Member

MANAGE = "members.manage"


def _refuse_unless_managed(scope: Scope, member: Member) -> None:
    """The member must be one the scope manages (by organization or residence): one query."""
    if scope.is_superuser:
        return
    if not Member.objects.filter(scope.members_q(MANAGE), pk=member.pk).exists():
        raise ForbiddenError(gettext("这名党员不在您管理的党组织中，不能为其登记或更正党费。"))


@transaction.atomic
def dues_base_set(
    *,
    actor: User | None,
    scope: Scope,
    member: Member,
    effective_from: dt.date,
    category: str,
    base_fen: int | None,
) -> DuesBase:
    """Enter a member's monthly base from a month on (the same month again replaces it)."""
    _refuse_unless_managed(scope, member)
    errors, base = dues_base_errors(
        effective_from=effective_from, category=category, base_fen=base_fen
    )
    if errors:
        raise ServiceError(gettext("请按提示修改后再提交。"), fields=errors)
    month = month_start(effective_from)
    row, created = DuesBase.objects.update_or_create(
        member=member,
        effective_from=month,
        defaults={
            "category": category,
            "base_fen": base,
            "entered_by": actor,
        },
    )
    audit(
        actor=actor,
        action="members.dues_base",
        obj=row,
        org_path=member.org_path,
        diff={
            "member": member.pk,
            "month": month.isoformat(),
            "category": category,
            "base_fen": row.base_fen,
            "created": created,
        },
    )
    return row


@transaction.atomic
def dues_payment_record(
    *,
    actor: User | None,
    scope: Scope,
    member: Member,
    month: dt.date,
    amount_fen: int,
    paid_on: dt.date,
    note: str = "",
) -> DuesPayment:
    """Record a payment for a month (in fen)."""
    _refuse_unless_managed(scope, member)
    errors: dict[str, str] = {}
    if isinstance(amount_fen, bool) or not isinstance(amount_fen, int) or amount_fen <= 0:
        errors["amount"] = gettext("缴纳金额应大于0元。")
    elif amount_fen > MAX_PAYMENT_FEN:
        errors["amount"] = gettext("一次缴纳金额超过100万元，请核对是否多输了位数。")
    month = month_start(month)
    if month > add_months(this_month(), 12):
        errors["month"] = gettext("党费最多预交12个月，请核对所属月份。")
    if paid_on > timezone.localdate():
        errors["paid_on"] = gettext("缴纳日期不能晚于今天。")
    if len(note) > 200:
        errors["note"] = gettext("备注请控制在200字以内。")
    if errors:
        raise ServiceError(gettext("请按提示修改后再提交。"), fields=errors)
    p = DuesPayment.objects.create(
        member=member,
        month=month,
        amount_fen=amount_fen,
        paid_on=paid_on,
        org_path=member.org_path,
        note=note.strip(),
        recorded_by=actor,
    )
    audit(
        actor=actor,
        action="members.dues_payment",
        obj=p,
        diff={
            "member": member.pk,
            "month": month.isoformat(),
            "amount_fen": amount_fen,
            "paid_on": paid_on.isoformat(),
        },
    )
    return p


@transaction.atomic
def dues_payment_reverse(
    *, actor: User | None, scope: Scope, payment: DuesPayment, reason: str
) -> DuesReversal:
    """冲正: take back a payment recorded by mistake. The payment stays in the ledger; the
    month it paid for is owed again. A payment is reversed once; a payment entered wrongly
    is corrected by reversing it and recording the right one."""
    _refuse_unless_managed(scope, payment.member)
    reason = " ".join((reason or "").split())
    if not reason:
        msg = gettext("请填写冲正原因，例如“重复登记”或“所属月份登记错误”。")
        raise ServiceError(msg, fields={"reason": msg})
    if len(reason) > MAX_REASON:
        msg = gettext("冲正原因请控制在200字以内。")
        raise ServiceError(msg, fields={"reason": msg})
    # The row lock makes two reversals of one payment wait for each other; the one-to-one
    # constraint is the last word.
    locked = DuesPayment.objects.select_for_update().select_related("member").get(pk=payment.pk)
    refused = ConflictError(
        gettext("这笔缴纳已经冲正过，不能重复冲正。如需更正，请重新登记一笔正确的缴纳。"),
        code="already_reversed",
    )
    if DuesReversal.objects.filter(payment=locked).exists():
        raise refused
    try:
        with transaction.atomic():
            r = DuesReversal.objects.create(
                payment=locked,
                reason=reason,
                org_path=locked.member.org_path,
                reversed_by=actor,
            )
    except IntegrityError:
        raise refused from None
    audit(
        actor=actor,
        action="members.dues_reversal",
        obj=locked,
        org_path=locked.member.org_path,
        diff={
            "member": locked.member_id,
            "payment": locked.pk,
            "month": locked.month.isoformat(),
            "amount_fen": locked.amount_fen,
            "reason": reason,
        },
    )
    return r


@transaction.atomic
def dues_import_commit(*, actor: User | None, scope: Scope, token: str) -> ImportResult:
    """Write the rows a check passed: every member still in the importer's scope and every
    row still within the rules, or nothing is written."""
    data = untoken(scope, token)
    rows = [(int(n), int(mid), parse_month(m), str(c), int(b)) for n, mid, m, c, b in data["r"]]
    ids = sorted({r[1] for r in rows})
    members: dict[int, tuple[str, str]] = {}
    for chunk in chunks(ids):
        for pk, name, org_path in Member.objects.filter(
            scope.members_q("members.manage"), pk__in=chunk
        ).values_list("id", "name", "org_path"):
            members[pk] = (name, org_path)
    for number, member_id, month, category, base in rows:
        if member_id not in members:
            raise ServiceError(
                gettext(
                    "第%(row)d行的党员在检查之后已不在您的管辖范围内，没有写入任何数据。请重新上传文件检查。"
                )
                % {"row": number}
            )
        assert month is not None
        errors, _base = dues_base_errors(effective_from=month, category=category, base_fen=base)
        if errors:
            raise ServiceError(
                gettext("第%(row)d行：%(msg)s没有写入任何数据，请改正后重新上传。")
                % {"row": number, "msg": next(iter(errors.values()))}
            )
    existing: dict[tuple[int, dt.date], DuesBase] = {}
    for chunk in chunks(ids):
        for row in DuesBase.objects.filter(member_id__in=chunk).only(
            "id", "member_id", "effective_from", "category", "base_fen"
        ):
            existing[(row.member_id, row.effective_from)] = row
    creates: list[DuesBase] = []
    updates: list[DuesBase] = []
    for _n, member_id, month, category, base in rows:
        assert month is not None
        b = existing.get((member_id, month))
        if b is None:
            creates.append(
                DuesBase(
                    member_id=member_id,
                    effective_from=month,
                    category=category,
                    base_fen=base,
                    entered_by=actor,
                )
            )
        elif (b.category, b.base_fen) != (category, base):
            b.category, b.base_fen, b.entered_by = category, base, actor
            updates.append(b)
    try:
        with transaction.atomic():
            DuesBase.objects.bulk_create(creates, batch_size=1000)
    except IntegrityError:
        raise ServiceError(
            gettext(
                "检查之后有人同时登记了其中一些党员的党费基数，没有写入任何数据。请重新上传文件检查。"
            )
        ) from None
    DuesBase.objects.bulk_update(updates, ["category", "base_fen", "entered_by"], batch_size=500)
    result = ImportResult(
        str(data.get("f", "")),
        len(rows),
        len(creates),
        len(updates),
        len(rows) - len(creates) - len(updates),
    )
    audit(
        actor=actor,
        action="members.dues_import",
        object_type="dues.duesbase",
        org_path=common_path([members[i][1] for i in ids]),
        diff={
            "file": result.file_name,
            "sha256": data.get("h", ""),
            "rows": result.rows,
            "created": result.created,
            "updated": result.updated,
            "unchanged": result.unchanged,
            "bases": [[mid, f"{m:%Y-%m}", c, b] for _n, mid, m, c, b in rows],
        },
    )
    written = len(creates) + len(updates)
    transaction.on_commit(lambda: refresh_statistics([DuesBase._meta.db_table], written))
    return result
