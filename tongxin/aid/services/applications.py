"""An aid application from submission to payment: the member (on the phone) or the branch
(for them) applies → the branch reviews → two different committee members approve, neither
the applicant nor the proposer → the amount is held and 公示ed for the fund's days, during
which anyone may object and every objection must be answered → the cashier, who approved
nothing, records the payment after the 公示. Each step re-checks what it relies on."""

from __future__ import annotations

import datetime as dt

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext

from tongxin.accounts.models import User
from tongxin.aid import ledger
from tongxin.aid.access import refuse_unless_in_fund
from tongxin.aid.models import (
    AccountCode,
    AidApplication,
    AidDocument,
    AidFund,
    AidKind,
    Approval,
    Donation,
    Eligibility,
    HardshipEntry,
    LedgerMovement,
    MovementKind,
    Objection,
    Status,
    fen_text,
)
from tongxin.aid.roles import DECIDE, MANAGE, PAY, REVIEW
from tongxin.core import uploads
from tongxin.core.audit import audit
from tongxin.core.errors import ConflictError, ForbiddenError, ServiceError
from tongxin.core.scope import Scope, require
from tongxin.members.models import Member

MAX_DOCUMENTS = 5
MAX_DOCUMENT_BYTES = 10 * 1024 * 1024
APPROVALS_NEEDED = 2
COUNTED = (Status.SUBMITTED, Status.REVIEWED, Status.PUBLICITY, Status.PAID)


def _eligible(fund: AidFund, member: Member, today: dt.date) -> bool:
    rules = fund.eligibility or [Eligibility.SUBTREE]
    if Eligibility.SUBTREE in rules:
        return True
    if Eligibility.DONOR in rules and (
        Donation.objects.filter(
            fund=fund, member=member, movement__reversed_by__isnull=True
        ).exists()
    ):
        return True
    if Eligibility.HARDSHIP in rules:
        active = HardshipEntry.objects.filter(fund=fund, member=member, since__lte=today)
        if active.exclude(until__lt=today).exists():
            return True
    return False


def _amount_errors(
    kind: AidKind, member: Member, amount_fen: object, year: int, exclude: int | None = None
) -> dict[str, str]:
    """The kind's range and the person's yearly cap (applications still open or paid)."""
    if isinstance(amount_fen, bool) or not isinstance(amount_fen, int) or amount_fen <= 0:
        return {"amount": gettext("请填写申请金额（元），应大于0元。")}
    if not kind.min_fen <= amount_fen <= kind.max_fen:
        return {
            "amount": gettext("%(kind)s的金额应在%(range)s元之间，请修改申请金额。")
            % {"kind": kind.name, "range": kind.range_text}
        }
    counted = AidApplication.objects.filter(member=member, kind=kind, year=year, status__in=COUNTED)
    if exclude is not None:
        counted = counted.exclude(pk=exclude)
    used = counted.aggregate(t=Sum("amount_fen"))["t"] or 0
    if used + amount_fen > kind.yearly_cap_fen:
        left = max(0, kind.yearly_cap_fen - used)
        return {
            "amount": gettext(
                "%(kind)s每人每年最多%(cap)s元，这名党员%(year)d年已申请或领取%(used)s元，"
                "本次最多还能申请%(left)s元。"
            )
            % {
                "kind": kind.name,
                "cap": fen_text(kind.yearly_cap_fen),
                "year": year,
                "used": fen_text(used),
                "left": fen_text(left),
            }
        }
    return {}


@transaction.atomic
def application_submit(
    *,
    actor: User | None,
    scope: Scope,
    fund: AidFund,
    member: Member,
    kind: AidKind,
    amount_fen: int,
    reason: str,
    documents: list[UploadedFile] | None = None,
) -> AidApplication:
    """The member applies for themselves, or their branch (aid.review) applies for them."""
    own = actor is not None and actor.member_id == member.pk
    if not own:
        require(
            scope.reaches_org(REVIEW, member.org_path),
            gettext("您只能为本支部的党员代为申请互助金。"),
        )
    refuse_unless_in_fund(fund, member)
    today = timezone.localdate()
    errors: dict[str, str] = {}
    if kind.fund_id != fund.pk or not kind.active:
        errors["kind"] = gettext("请选择这个互助金的补助类别。")
    else:
        errors.update(_amount_errors(kind, member, amount_fen, today.year))
    reason = (reason or "").strip()
    if len(reason) < 5 or len(reason) > 2000:
        errors["reason"] = gettext("请写明申请理由（5到2000字），例如病情、家庭困难的情况。")
    files = documents or []
    if len(files) > MAX_DOCUMENTS:
        errors["documents"] = gettext("证明材料最多上传5个文件。")
    if errors:
        raise ServiceError(gettext("请按提示修改后再提交。"), fields=errors)
    if not _eligible(fund, member, today):
        raise ServiceError(
            gettext(
                "按%(fund)s的规定，只有捐助过互助金或列入困难党员名册的党员可以申请。"
                "如有困难，请联系所在党支部。"
            )
            % {"fund": fund.name},
            code="not_eligible",
        )
    a = AidApplication.objects.create(
        fund=fund,
        member=member,
        kind=kind,
        amount_fen=amount_fen,
        reason=reason,
        org_path=member.org_path,
        applied_by=actor,
        by_branch=not own,
        year=today.year,
    )
    stored: list[str] = []
    try:
        for f in files:
            s = uploads.store(
                f,
                allowed=uploads.IMAGES_AND_PDF,
                max_bytes=MAX_DOCUMENT_BYTES,
                folder="aid",
            )
            stored.append(s.name)
            AidDocument.objects.create(
                application=a,
                stored_name=s.name,
                content_type=s.content_type,
                original_name=s.original_name,
                size=s.size,
            )
    except ServiceError:
        for name in stored:
            uploads.delete(name)
        raise
    audit(
        actor=actor,
        action="aid.apply",
        obj=a,
        diff={"member": member.pk, "kind": kind.code, "amount_fen": amount_fen, "own": own},
    )
    return a


def _locked(application: AidApplication) -> AidApplication:
    return (
        AidApplication.objects.select_for_update()
        .select_related("fund", "kind", "member")
        .get(pk=application.pk)
    )


def _refuse_state(a: AidApplication, *expected: str) -> None:
    if a.status not in expected:
        raise ConflictError(
            gettext("这份申请现在的状态是“%(status)s”，不能办理这一步。")
            % {"status": a.get_status_display()},
            code="wrong_state",
        )


@transaction.atomic
def application_review(
    *, actor: User | None, scope: Scope, application: AidApplication, approve: bool, note: str = ""
) -> AidApplication:
    """支部审核: the branch (aid.review over the member's organization) passes the application
    to the committee, becoming its proposer, or refuses it."""
    require(
        scope.reaches_org(REVIEW, application.org_path),
        gettext("只有申请人所在支部可以审核这份申请。"),
    )
    a = _locked(application)
    _refuse_state(a, Status.SUBMITTED)
    if actor is not None and actor.member_id == a.member_id:
        raise ForbiddenError(gettext("不能审核自己的互助金申请，请由支部其他委员审核。"))
    note = (note or "").strip()[:200]
    if not approve and not note:
        raise ServiceError(
            gettext("不同意时请写明理由。"), fields={"note": gettext("请写明理由。")}
        )
    a.reviewed_by, a.reviewed_at, a.review_note = actor, timezone.now(), note
    if approve:
        a.status = Status.REVIEWED
    else:
        a.status, a.closed_reason = Status.REJECTED, note
    a.save(update_fields=["reviewed_by", "reviewed_at", "review_note", "status", "closed_reason"])
    audit(actor=actor, action="aid.review", obj=a, diff={"approve": approve, "note": note})
    return a


@transaction.atomic
def application_decide(
    *, actor: User | None, scope: Scope, application: AidApplication, approve: bool, note: str = ""
) -> AidApplication:
    """管委会审批: two different committee members must approve; neither may be the applicant
    (the member or who applied for them) nor the proposer (the branch reviewer). One refusal
    closes the application. The second approval holds the amount (cash → held: refused with
    the shortfall when the fund has not enough) and starts the 公示."""
    fund = application.fund
    require(
        scope.reaches_org(DECIDE, fund.org_path),
        gettext("您不是这个互助金管委会的委员，不能审批。"),
    )
    if actor is None:
        raise ForbiddenError(gettext("审批须由管委会委员本人办理。"))
    a = _locked(application)
    _refuse_state(a, Status.REVIEWED)
    if actor.member_id is not None and actor.member_id == a.member_id:
        raise ForbiddenError(gettext("申请人本人不能审批自己的申请，请由其他委员审批。"))
    if actor.pk == a.applied_by_id:
        raise ForbiddenError(
            gettext("您是这份申请的申请人（代为申请），不能再审批，请由其他委员审批。")
        )
    if actor.pk == a.reviewed_by_id:
        raise ForbiddenError(
            gettext("您是这份申请的提议人（支部审核人），不能再审批，请由其他委员审批。")
        )
    if Approval.objects.filter(application=a, approver=actor).exists():
        raise ConflictError(
            gettext("您已经审批过这份申请，须由另一位委员审批。"), code="same_approver"
        )
    note = (note or "").strip()[:200]
    if not approve and not note:
        raise ServiceError(
            gettext("不同意时请写明理由。"), fields={"note": gettext("请写明理由。")}
        )
    try:
        with transaction.atomic():
            Approval.objects.create(application=a, approver=actor, approve=approve, note=note)
    except IntegrityError:
        raise ConflictError(
            gettext("您已经审批过这份申请，须由另一位委员审批。"), code="same_approver"
        ) from None
    fields = ["status"]
    if not approve:
        a.status, a.closed_reason = Status.REJECTED, note
        fields.append("closed_reason")
    elif Approval.objects.filter(application=a, approve=True).count() >= APPROVALS_NEEDED:
        if errors := _amount_errors(a.kind, a.member, a.amount_fen, a.year, exclude=a.pk):
            raise ServiceError(errors["amount"], fields=errors)
        ledger.lock(fund)
        today = timezone.localdate()
        ledger.post(
            fund=fund,
            kind=MovementKind.HOLD,
            on=today,
            lines=[(AccountCode.CASH, -a.amount_fen), (AccountCode.HELD, a.amount_fen)],
            actor=actor,
            memo=gettext("%(kind)s审批通过，公示中") % {"kind": a.kind.name},
            application=a,
        )
        a.status = Status.PUBLICITY
        a.publicity_from = today
        a.publicity_until = today + dt.timedelta(days=fund.publicity_days - 1)
        fields += ["publicity_from", "publicity_until"]
    if len(fields) > 1 or not approve:
        a.save(update_fields=fields)
    audit(actor=actor, action="aid.decide", obj=a, diff={"approve": approve, "note": note})
    return a


@transaction.atomic
def objection_file(
    *, actor: User | None, application: AidApplication, text: str, contact: str = ""
) -> Objection:
    """异议 on the public 公示 page: anyone may file one while the application is in 公示; an
    application not in 公示 is not public and is answered as not found."""
    today = timezone.localdate()
    a = _locked(application)
    if a.status != Status.PUBLICITY or a.publicity_until is None or today > a.publicity_until:
        raise ServiceError(gettext("这条公示不存在或已结束。"), code="not_found")
    text = (text or "").strip()
    if len(text) < 5 or len(text) > 1000:
        raise ServiceError(
            gettext("请写明异议的内容（5到1000字）。"), fields={"text": gettext("5到1000字。")}
        )
    o = Objection.objects.create(application=a, text=text, contact=(contact or "").strip()[:50])
    audit(
        actor=actor,
        action="aid.objection",
        obj=o,
        org_path=a.fund.org_path,
        diff={"application": a.pk},
    )
    return o


@transaction.atomic
def objection_answer(
    *, actor: User | None, scope: Scope, objection: Objection, answer: str, upheld: bool = False
) -> Objection:
    """答复异议 (the fund's staff or committee). An upheld objection refuses the application
    and releases the held amount back to cash."""
    a = objection.application
    fund = a.fund
    require(
        scope.reaches_org(MANAGE, fund.org_path) or scope.reaches_org(DECIDE, fund.org_path),
        gettext("您不是这个互助金的管理人员，不能答复异议。"),
    )
    answer = (answer or "").strip()
    if len(answer) < 2 or len(answer) > 1000:
        raise ServiceError(
            gettext("请填写答复（1000字以内）。"), fields={"answer": gettext("请填写答复。")}
        )
    a = _locked(a)
    o = Objection.objects.select_for_update().get(pk=objection.pk)
    if o.answered_at is not None:
        raise ConflictError(gettext("这条异议已经答复过了。"))
    o.answer, o.upheld, o.answered_by, o.answered_at = answer, upheld, actor, timezone.now()
    o.save(update_fields=["answer", "upheld", "answered_by", "answered_at"])
    if upheld and a.status == Status.PUBLICITY:
        ledger.lock(fund)
        ledger.post(
            fund=fund,
            kind=MovementKind.RELEASE,
            on=timezone.localdate(),
            lines=[(AccountCode.HELD, -a.amount_fen), (AccountCode.CASH, a.amount_fen)],
            actor=actor,
            memo=gettext("公示异议成立，撤销补助"),
            application=a,
        )
        a.status, a.closed_reason = Status.REJECTED, answer[:200]
        a.save(update_fields=["status", "closed_reason"])
    audit(
        actor=actor,
        action="aid.objection_answer",
        obj=o,
        org_path=fund.org_path,
        diff={"application": a.pk, "upheld": upheld},
    )
    return o


@transaction.atomic
def application_pay(
    *, actor: User | None, scope: Scope, application: AidApplication, paid_on: dt.date | None = None
) -> LedgerMovement:
    """出纳发放: after the 公示 has ended with every objection answered, by a cashier who
    approved nothing in it (held −x, aid paid +x)."""
    fund = application.fund
    require(
        scope.reaches_org(PAY, fund.org_path),
        gettext("您不是这个互助金的出纳，不能登记发放。"),
    )
    if actor is None:
        raise ForbiddenError(gettext("发放须由出纳本人登记。"))
    a = _locked(application)
    _refuse_state(a, Status.PUBLICITY)
    if Approval.objects.filter(application=a, approver=actor).exists() or actor.pk in (
        a.reviewed_by_id,
        a.applied_by_id,
    ):
        raise ForbiddenError(
            gettext("您审核或审批过这份申请，按规定审批人不能兼任出纳，请由其他出纳发放。")
        )
    today = timezone.localdate()
    paid_on = paid_on or today
    assert a.publicity_until is not None
    if paid_on <= a.publicity_until or paid_on > today:
        raise ConflictError(
            gettext("公示到%(until)s结束，请在公示期满后（%(next)s起）发放。")
            % {
                "until": f"{a.publicity_until:%Y-%m-%d}",
                "next": f"{a.publicity_until + dt.timedelta(days=1):%Y-%m-%d}",
            },
            code="in_publicity",
        )
    open_n = a.objections.filter(answered_at__isnull=True).count()
    if open_n:
        raise ConflictError(
            gettext("公示期间有%(n)d条异议尚未答复，请先答复异议再发放。") % {"n": open_n},
            code="objection_open",
        )
    ledger.lock(fund)
    m = ledger.post(
        fund=fund,
        kind=MovementKind.PAY,
        on=paid_on,
        lines=[(AccountCode.HELD, -a.amount_fen), (AccountCode.AID_PAID, a.amount_fen)],
        actor=actor,
        memo=gettext("发放%(kind)s") % {"kind": a.kind.name},
        application=a,
    )
    a.status, a.paid_on, a.paid_by = Status.PAID, paid_on, actor
    a.save(update_fields=["status", "paid_on", "paid_by"])
    audit(
        actor=actor,
        action="aid.pay",
        obj=a,
        diff={"amount_fen": a.amount_fen, "paid_on": paid_on.isoformat()},
    )
    return m
