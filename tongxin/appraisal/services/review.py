"""述职评议 (and 部门向基层述职评议): every write, validated, atomic, audited.

The organizing organization sets up a session (pools with weights adding up to 100% and
minimum sizes, raters in each pool, the reporters), opens it (each pool at its minimum size),
raters vote on their phones through the session's QR code (one ballot per rater per reporter;
staff enter paper ballots, counted with their origin), the session closes, results are
announced, and each reporter's 整改清单 is followed until every item is closed."""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils.translation import gettext

from tongxin.accounts.models import User
from tongxin.appraisal import selectors
from tongxin.appraisal.models import (
    GRADES,
    Ballot,
    BallotOrigin,
    ItemStatus,
    PoolKind,
    Rater,
    RaterPool,
    RectificationItem,
    Reporter,
    ReviewKind,
    ReviewSession,
    ReviewStatus,
)
from tongxin.cases.models import Agency
from tongxin.core import uploads
from tongxin.core.audit import audit, saved_user
from tongxin.core.errors import ConflictError, ForbiddenError, ServiceError
from tongxin.core.scope import Scope, acting_scope, require
from tongxin.orgs.models import Organization

ATTACHMENT_MAX = 20 * 1024 * 1024
NOT_YOURS = "该述职评议不在您的管辖范围内。"


def _require_run(scope: Scope, session: ReviewSession) -> None:
    require(selectors.may_run(scope, session), gettext(NOT_YOURS))


@dataclass(frozen=True)
class PoolInput:
    kind: str
    weight: int  # percent; the pools of a session add up to 100
    min_size: int = 5


@transaction.atomic
def review_create(
    *,
    scope: Scope | None,
    actor: User | None,
    org: Organization,
    title: str,
    year: int,
    kind: str,
    pools: list[PoolInput],
) -> ReviewSession:
    scope = acting_scope(actor, scope)
    require(
        selectors.reaches(scope, selectors.MANAGE, org), gettext("该党组织不在您的管辖范围内。")
    )
    errors: dict[str, str] = {}
    if not title.strip():
        errors["title"] = gettext("请填写述职评议名称。")
    if kind not in ReviewKind.values:
        errors["kind"] = gettext("请选择述职评议类型。")
    if not 2000 <= year <= 2100:
        errors["year"] = gettext("年度应在2000至2100之间。")
    kinds = [p.kind for p in pools]
    if not pools:
        errors["pools"] = gettext("请至少设置一类评议人。")
    elif len(set(kinds)) != len(kinds) or any(k not in PoolKind.values for k in kinds):
        errors["pools"] = gettext("评议人类别不能重复，请检查。")
    elif any(not 1 <= p.weight <= 100 or not 1 <= p.min_size <= 10000 for p in pools):
        errors["pools"] = gettext("每类评议人的权重应在1%至100%之间，最少人数至少1人。")
    elif sum(p.weight for p in pools) != 100:
        total = sum(p.weight for p in pools)
        errors["pools"] = gettext("各类评议人权重合计%(t)s%%，应为100%%（相差%(d)s%%）。") % {
            "t": total,
            "d": abs(100 - total),
        }
    if errors:
        raise ServiceError(gettext("述职评议信息有误，请按提示修改。"), fields=errors)
    session = ReviewSession.objects.create(
        org=org,
        org_path=org.path,
        title=title.strip(),
        year=year,
        kind=kind,
        token=secrets.token_urlsafe(16),
    )
    RaterPool.objects.bulk_create(
        RaterPool(session=session, kind=p.kind, weight=p.weight, min_size=p.min_size) for p in pools
    )
    audit(actor=actor, action="appraisal.review_create", obj=session)
    return session


def _require_draft(session: ReviewSession) -> None:
    if session.status != ReviewStatus.DRAFT:
        raise ConflictError(gettext("述职评议已开始，不能再修改评议人和述职单位。"))


@transaction.atomic
def rater_add(
    *, scope: Scope | None, actor: User | None, pool: RaterPool, name: str, user: User | None = None
) -> Rater:
    scope = acting_scope(actor, scope)
    session = pool.session
    _require_run(scope, session)
    _require_draft(session)
    if not name.strip():
        msg = gettext("请填写评议人姓名。")
        raise ServiceError(msg, fields={"name": msg})
    try:
        with transaction.atomic():
            rater = Rater.objects.create(
                pool=pool, session=session, name=name.strip()[:50], user=user
            )
    except IntegrityError:
        msg = gettext("该账号已在本次述职评议的评议人名单中。")
        raise ConflictError(msg, fields={"user": msg}) from None
    audit(actor=actor, action="appraisal.rater_add", obj=rater, org_path=session.org_path)
    return rater


@transaction.atomic
def reporter_add(
    *,
    scope: Scope | None,
    actor: User | None,
    session: ReviewSession,
    org: Organization | None = None,
    agency: Agency | None = None,
) -> Reporter:
    """An organization below the session's (党组织述职), or a case agency (部门向基层述职)."""
    scope = acting_scope(actor, scope)
    _require_run(scope, session)
    _require_draft(session)
    if session.kind == ReviewKind.DEPARTMENT:
        if agency is None or org is not None:
            msg = gettext("部门向基层述职评议请选择一个处置部门。")
            raise ServiceError(msg, fields={"agency": msg})
        name = agency.name
    else:
        if org is None or agency is not None or not org.path.startswith(session.org_path):
            msg = gettext("请选择本单位之下的一个党组织。")
            raise ServiceError(msg, fields={"org": msg})
        name = org.name
    if Reporter.objects.filter(session=session, org=org, agency=agency).exists():
        raise ConflictError(gettext("该单位已在述职名单中。"))
    rep = Reporter.objects.create(session=session, org=org, agency=agency, name=name)
    audit(actor=actor, action="appraisal.reporter_add", obj=rep, org_path=session.org_path)
    return rep


@transaction.atomic
def report_save(
    *,
    scope: Scope | None,
    actor: User | None,
    reporter: Reporter,
    text: str,
    attachment: UploadedFile | None = None,
) -> Reporter:
    """The 述职 text and one attachment (PDF or image, checked by content)."""
    scope = acting_scope(actor, scope)
    session = reporter.session
    own = reporter.org is not None and selectors.reaches(scope, selectors.MANAGE, reporter.org)
    require(own or selectors.may_run(scope, session), gettext(NOT_YOURS))
    if session.status == ReviewStatus.ANNOUNCED:
        raise ConflictError(gettext("结果已公布，述职报告不能再修改。"))
    if len(text) > 20000:
        msg = gettext("述职报告不能超过20000字。")
        raise ServiceError(msg, fields={"text": msg})
    reporter.report_text = text
    fields = ["report_text"]
    if attachment is not None:
        kept = uploads.store(
            attachment, allowed=uploads.IMAGES_AND_PDF, max_bytes=ATTACHMENT_MAX, folder="appraisal"
        )
        reporter.attachment_file, reporter.attachment_type = kept.name, kept.content_type
        fields += ["attachment_file", "attachment_type"]
    reporter.save(update_fields=fields)
    audit(actor=actor, action="appraisal.report_save", obj=reporter, org_path=session.org_path)
    return reporter


def _set_status(
    actor: User | None, session: ReviewSession, status: str, action: str
) -> ReviewSession:
    ReviewSession.objects.filter(pk=session.pk).update(status=status)
    session.status = status
    audit(actor=actor, action=action, obj=session)
    return session


@transaction.atomic
def review_open(
    *, scope: Scope | None, actor: User | None, session: ReviewSession
) -> ReviewSession:
    """Voting opens when every pool holds at least its minimum number of raters."""
    scope = acting_scope(actor, scope)
    _require_run(scope, session)
    _require_draft(session)
    if not selectors.reporters(session).exists():
        raise ServiceError(gettext("请先添加述职单位。"))
    short = [(p, n) for p, n in selectors.pool_sizes(session) if n < p.min_size]
    if short:
        p, n = short[0]
        raise ServiceError(
            gettext("“%(pool)s”只有%(n)s人，至少需要%(min)s人。")
            % {"pool": p.get_kind_display(), "n": n, "min": p.min_size}
        )
    return _set_status(actor, session, ReviewStatus.OPEN, "appraisal.review_open")


@transaction.atomic
def review_close(
    *, scope: Scope | None, actor: User | None, session: ReviewSession
) -> ReviewSession:
    scope = acting_scope(actor, scope)
    _require_run(scope, session)
    if session.status != ReviewStatus.OPEN:
        raise ConflictError(gettext("只有评议中的述职评议才能截止投票。"))
    return _set_status(actor, session, ReviewStatus.CLOSED, "appraisal.review_close")


@transaction.atomic
def review_announce(
    *, scope: Scope | None, actor: User | None, session: ReviewSession
) -> ReviewSession:
    scope = acting_scope(actor, scope)
    _require_run(scope, session)
    if session.status != ReviewStatus.CLOSED:
        raise ConflictError(gettext("请先截止投票，再公布结果。"))
    return _set_status(actor, session, ReviewStatus.ANNOUNCED, "appraisal.review_announce")


def _ballot(
    *,
    actor: User | None,
    session: ReviewSession,
    rater: Rater,
    reporter: Reporter,
    grade: str,
    origin: str,
) -> Ballot:
    """Checks, then the one INSERT. Called inside the caller's transaction before it writes
    anything else: a second ballot (the unique constraint) raises ConflictError at once, and
    the transaction rolls back as a whole, so no savepoint is needed around the insert."""
    # ``rater.session`` was read with the rater, in this transaction: the status as it stands
    # now, not as the caller's copy of the session saw it.
    if rater.session.status != ReviewStatus.OPEN:
        raise ConflictError(gettext("本次述职评议不在投票时间内（已截止或尚未开始）。"))
    if reporter.session_id != session.pk or rater.session_id != session.pk:
        raise ForbiddenError(gettext("评议人或述职单位不属于本次述职评议。"))
    if grade not in GRADES[ReviewKind(session.kind)]:
        msg = gettext("请选择一个评价等次。")
        raise ServiceError(msg, fields={"grade": msg})
    try:
        return Ballot.objects.create(
            session=session,
            reporter=reporter,
            rater=rater,
            pool_id=rater.pool_id,
            grade=grade,
            origin=origin,
            entered_by=saved_user(actor) if origin == BallotOrigin.PAPER else None,
        )
    except IntegrityError:
        raise ConflictError(
            gettext("您已对“%(name)s”投过票，每人只能投一次。") % {"name": reporter.name}
        ) from None


@transaction.atomic
def ballot_cast(
    *,
    scope: Scope | None,
    actor: User | None,
    session: ReviewSession,
    reporter: Reporter,
    grade: str,
) -> Ballot:
    """A rater's own ballot from the phone. Anyone outside the session's pools is refused;
    the ballot's audit row names the session, never the rater's grade. Three statements: the
    rater with the session's status, the ballot, the audit row."""
    rater = selectors.rater_of(actor, session)
    if rater is None:
        raise ForbiddenError(gettext("您不在本次述职评议的评议人名单中，不能投票。"))
    ballot = _ballot(
        actor=actor,
        session=session,
        rater=rater,
        reporter=reporter,
        grade=grade,
        origin=BallotOrigin.PHONE,
    )
    audit(actor=actor, action="appraisal.ballot_cast", obj=session)
    return ballot


@transaction.atomic
def ballot_enter(
    *,
    scope: Scope | None,
    actor: User | None,
    rater: Rater,
    reporter: Reporter,
    grade: str,
) -> Ballot:
    """A paper ballot typed in by the organizing staff, counted with its origin."""
    scope = acting_scope(actor, scope)
    session = rater.session
    _require_run(scope, session)
    rater = Rater.objects.select_related("session").get(pk=rater.pk)
    ballot = _ballot(
        actor=actor,
        session=session,
        rater=rater,
        reporter=reporter,
        grade=grade,
        origin=BallotOrigin.PAPER,
    )
    audit(actor=actor, action="appraisal.ballot_enter", obj=session)
    return ballot


@transaction.atomic
def item_add(
    *,
    scope: Scope | None,
    actor: User | None,
    reporter: Reporter,
    title: str,
    owner: str,
    deadline: dt.date | None,
) -> RectificationItem:
    scope = acting_scope(actor, scope)
    _require_run(scope, reporter.session)
    errors = {}
    if not title.strip():
        errors["title"] = gettext("请填写整改事项。")
    if not owner.strip():
        errors["owner"] = gettext("请填写责任人。")
    if deadline is None:
        errors["deadline"] = gettext("请填写完成时限。")
    if errors or deadline is None:
        raise ServiceError(gettext("整改事项有误，请按提示修改。"), fields=errors)
    item = RectificationItem.objects.create(
        reporter=reporter, title=title.strip()[:200], owner=owner.strip()[:50], deadline=deadline
    )
    audit(actor=actor, action="appraisal.item_add", obj=item, org_path=reporter.session.org_path)
    return item


@transaction.atomic
def item_progress(
    *,
    scope: Scope | None,
    actor: User | None,
    item: RectificationItem,
    progress: int,
    note: str,
) -> RectificationItem:
    """Progress in percent; 100% closes the item (销号)."""
    scope = acting_scope(actor, scope)
    session = item.reporter.session
    own = item.reporter.org is not None and selectors.reaches(
        scope, selectors.MANAGE, item.reporter.org
    )
    require(own or selectors.may_run(scope, session), gettext(NOT_YOURS))
    if item.status == ItemStatus.CLOSED:
        raise ConflictError(gettext("该整改事项已销号。"))
    if isinstance(progress, bool) or not isinstance(progress, int) or not 0 <= progress <= 100:
        msg = gettext("进度应在0%至100%之间。")
        raise ServiceError(msg, fields={"progress": msg})
    if progress < item.progress:
        msg = gettext("进度不能低于上次填报的%(p)s%%。") % {"p": item.progress}
        raise ServiceError(msg, fields={"progress": msg})
    item.progress = progress
    item.note = note.strip()[:300]
    item.status = ItemStatus.CLOSED if progress == 100 else ItemStatus.OPEN
    item.save(update_fields=["progress", "note", "status"])
    audit(actor=actor, action="appraisal.item_progress", obj=item, org_path=session.org_path)
    return item
