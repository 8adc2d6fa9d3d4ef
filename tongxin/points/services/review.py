"""民主评议党员 (annual, per branch): the members' self-assessments and anonymous mutual
ballots, the branch committee's proposed grades with the year's 锋领指数 as evidence, and the
党员大会's decision. 优秀 at most one third of the members reviewed; 不合格 only with a reason
and a follow-up (《中国共产党党员权利保障条例》, 民主评议党员 practice)."""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext

from tongxin.accounts.models import User
from tongxin.core.audit import audit
from tongxin.core.errors import ConflictError, ServiceError
from tongxin.core.scope import Scope, in_scope, require
from tongxin.members.models import Member
from tongxin.orgs.models import Organization, OrgKind
from tongxin.orgs.selectors import org_queryset
from tongxin.points.closing import standings
from tongxin.points.models import (
    BallotCast,
    BallotTally,
    Grade,
    MemberReview,
    ReviewGrade,
    ReviewState,
    SelfAssessment,
)
from tongxin.points.selectors import review_points_until

MANAGE = "members.manage"
MAX_TEXT = 2000


def _manages(scope: Scope, org: Organization) -> bool:
    return in_scope(org_queryset(scope, MANAGE), org)


def _branch_members(review: MemberReview) -> list[Member]:
    return list(Member.objects.filter(org_id=review.org_id).order_by("id"))


def _own_review_member(actor: User, review: MemberReview) -> Member:
    member = (
        Member.objects.filter(pk=actor.member_id, org_id=review.org_id).first()
        if actor.member_id is not None
        else None
    )
    require(
        member is not None,
        gettext("您不是这个支部的党员，不能参加它的民主评议。"),
    )
    assert member is not None
    if review.state != ReviewState.OPEN:
        raise ConflictError(gettext("自评和互评已经结束，不能再提交。"), code="closed")
    return member


@transaction.atomic
def review_open(*, actor: User, scope: Scope, org: Organization, year: int) -> MemberReview:
    require(_manages(scope, org), gettext("这个支部不在您的管理范围内，不能组织民主评议。"))
    if org.kind != OrgKind.BRANCH:
        msg = gettext("民主评议党员以党支部为单位进行，请选择一个党支部。")
        raise ServiceError(msg, fields={"org": msg})
    if not 2000 <= year <= timezone.localdate().year:
        msg = gettext("年度应在2000年到今年之间。")
        raise ServiceError(msg, fields={"year": msg})
    try:
        with transaction.atomic():
            review = MemberReview.objects.create(
                org=org, org_path=org.path, year=year, opened_by=actor
            )
    except IntegrityError:
        raise ConflictError(gettext("这个支部今年的民主评议已经开始。"), code="exists") from None
    audit(
        actor=actor, action="points.review_open", obj=review, org_path=org.path, diff={"year": year}
    )
    return review


@transaction.atomic
def review_self_assess(*, actor: User, review: MemberReview, text: str) -> SelfAssessment:
    """A member's own self-assessment (once)."""
    member = _own_review_member(actor, review)
    text = (text or "").strip()
    if not text or len(text) > MAX_TEXT:
        msg = gettext("请填写个人自评（2000字以内）。")
        raise ServiceError(msg, fields={"text": msg})
    try:
        with transaction.atomic():
            row = SelfAssessment.objects.create(review=review, member=member, text=text)
    except IntegrityError:
        raise ConflictError(gettext("您已经提交过自评。"), code="exists") from None
    audit(
        actor=actor,
        action="points.review_self",
        obj=review,
        org_path=review.org_path,
        diff={"member": member.pk},
    )
    return row


@transaction.atomic
def review_ballot(*, actor: User, review: MemberReview, grades: dict[int, str]) -> int:
    """A member's mutual-assessment ballot: a grade for each other member of the branch, once.
    Only the tally keeps the grades; who voted is kept apart from what they gave."""
    voter = _own_review_member(actor, review)
    others = {m.pk for m in _branch_members(review)} - {voter.pk}
    errors: dict[str, str] = {}
    if set(grades) != others:
        errors["grades"] = gettext("请为本支部其他每一名党员各选一个等次（不评自己）。")
    if any(g not in Grade.values for g in grades.values()):
        errors["grades"] = gettext("等次只能是优秀、合格、基本合格或不合格。")
    if errors:
        raise ServiceError(gettext("请按提示修改后再提交。"), fields=errors)
    try:
        with transaction.atomic():
            BallotCast.objects.create(review=review, voter=voter)
    except IntegrityError:
        raise ConflictError(gettext("您已经投过票，每人只能投一次。"), code="voted") from None
    for member_id, grade in grades.items():
        BallotTally.objects.get_or_create(review=review, member_id=member_id, grade=grade)
        BallotTally.objects.filter(review=review, member_id=member_id, grade=grade).update(
            count=F("count") + 1
        )
    # The audit row says that a ballot was cast, not what it said.
    audit(
        actor=actor,
        action="points.review_ballot",
        obj=review,
        org_path=review.org_path,
        diff={"ballots": 1},
    )
    return len(grades)


def _check_grades(n: int, grades: dict[int, tuple[str, str, str]]) -> dict[str, str]:
    errors: dict[str, str] = {}
    excellent = sum(1 for g, _r, _f in grades.values() if g == Grade.EXCELLENT)
    if excellent * 3 > n:
        errors["grades"] = gettext(
            "评为优秀的不能超过参评党员的三分之一：本支部参评%(n)d人，最多%(max)d人评为优秀，"
            "现提出%(k)d人。"
        ) % {"n": n, "max": n // 3, "k": excellent}
    for member_id, (grade, reason, follow_up) in grades.items():
        if grade not in Grade.values:
            errors[f"grade_{member_id}"] = gettext("等次只能是优秀、合格、基本合格或不合格。")
        elif grade == Grade.UNQUALIFIED:
            if not reason.strip():
                errors[f"reason_{member_id}"] = gettext("评为不合格须写明理由。")
            if not follow_up.strip():
                errors[f"follow_up_{member_id}"] = gettext(
                    "评为不合格须写明组织处置和帮扶措施（如限期改正、劝其退党）。"
                )
        if len(reason) > 300 or len(follow_up) > 300:
            errors[f"reason_{member_id}"] = gettext("理由和措施请各控制在300字以内。")
    return errors


@transaction.atomic
def review_propose(
    *,
    actor: User,
    scope: Scope,
    review: MemberReview,
    grades: dict[int, tuple[str, str, str]],
) -> list[ReviewGrade]:
    """The branch committee's proposed grade for every member (grade, reason, follow-up), with
    each member's 锋领指数 for the year recorded beside it as evidence."""
    require(_manages(scope, review.org), gettext("这个支部不在您的管理范围内。"))
    if review.state == ReviewState.DECIDED:
        raise ConflictError(gettext("党员大会已经作出决定，不能再修改意见。"), code="decided")
    members = {m.pk for m in _branch_members(review)}
    errors = _check_grades(len(members), grades)
    if set(grades) != members:
        errors["grades"] = gettext("请为本支部每一名党员提出等次意见。")
    if errors:
        msg = errors.get("grades") or gettext("请按提示修改后再提交。")
        raise ServiceError(msg, fields=errors)
    until = review_points_until(review)
    scores = {s.member_id: s.score for s in standings(Q(org_id=review.org_id), until)}
    ReviewGrade.objects.filter(review=review).delete()
    rows = ReviewGrade.objects.bulk_create(
        ReviewGrade(
            review=review,
            member_id=member_id,
            proposed=grade,
            reason=reason.strip(),
            follow_up=follow_up.strip(),
            points_score=scores.get(member_id, 0),
        )
        for member_id, (grade, reason, follow_up) in sorted(grades.items())
    )
    MemberReview.objects.filter(pk=review.pk).update(state=ReviewState.PROPOSED)
    review.state = ReviewState.PROPOSED
    audit(
        actor=actor,
        action="points.review_propose",
        obj=review,
        org_path=review.org_path,
        diff={"grades": {str(k): v[0] for k, v in grades.items()}},
    )
    return rows


@transaction.atomic
def review_decide(
    *,
    actor: User,
    scope: Scope,
    review: MemberReview,
    decided_on: dt.date,
    changes: dict[int, str] | None = None,
) -> MemberReview:
    """The 党员大会's decision: the proposed grades, with the meeting's changes, become final
    (the same one-third and 不合格 rules apply)."""
    require(_manages(scope, review.org), gettext("这个支部不在您的管理范围内。"))
    if review.state != ReviewState.PROPOSED:
        raise ConflictError(
            gettext("支委会提出等次意见后，才能记录党员大会的决定；已决定的不能再改。"),
            code="state",
        )
    if decided_on > timezone.localdate():
        msg = gettext("党员大会日期不能晚于今天。")
        raise ServiceError(msg, fields={"decided_on": msg})
    rows = {g.member_id: g for g in ReviewGrade.objects.filter(review=review)}
    changes = changes or {}
    unknown = set(changes) - set(rows)
    if unknown:
        msg = gettext("只能改变本次参评党员的等次。")
        raise ServiceError(msg, fields={"changes": msg})
    final = {pk: (changes.get(pk, g.proposed), g.reason, g.follow_up) for pk, g in rows.items()}
    errors = _check_grades(len(rows), final)
    if errors:
        msg = errors.get("grades") or gettext("请按提示修改后再提交。")
        raise ServiceError(msg, fields=errors)
    for pk, g in rows.items():
        g.final = final[pk][0]
    ReviewGrade.objects.bulk_update(list(rows.values()), ["final"])
    MemberReview.objects.filter(pk=review.pk).update(
        state=ReviewState.DECIDED, decided_on=decided_on, decided_by=actor
    )
    review.refresh_from_db()
    audit(
        actor=actor,
        action="points.review_decide",
        obj=review,
        org_path=review.org_path,
        diff={
            "decided_on": decided_on.isoformat(),
            "changes": {str(k): v for k, v in changes.items()},
        },
    )
    return review
