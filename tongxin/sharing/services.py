"""Every write to the 共享小区 board: validated, atomic, audited."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext

from tongxin.accounts.models import Resident, User
from tongxin.core.audit import audit
from tongxin.core.errors import ConflictError, ForbiddenError, ServiceError
from tongxin.core.scope import Scope
from tongxin.sharing import text
from tongxin.sharing.models import (
    Direction,
    Listing,
    ListingKind,
    ListingReport,
    ListingStatus,
    ListingToken,
    Match,
    MatchStatus,
    Visibility,
)
from tongxin.sharing.selectors import Place, circles_q, place_of, staff_reach_q

HIDE_AFTER_REPORTS = 3  # distinct reporters


@dataclass
class ListingInput:
    direction: str
    kind: str
    title: str
    body: str = ""
    visibility: str = Visibility.COMPOUND
    available_from: dt.date | None = None
    available_until: dt.date | None = None


def _validate(data: ListingInput, today: dt.date) -> dict[str, str]:
    errors: dict[str, str] = {}
    if data.direction not in Direction.values:
        errors["direction"] = gettext("请选择发布需求还是提供服务。")
    if data.kind not in ListingKind.values:
        errors["kind"] = gettext("请选择类别。")
    if data.visibility not in Visibility.values:
        errors["visibility"] = gettext("请选择可见范围。")
    if not data.title.strip():
        errors["title"] = gettext("请填写标题，简要说明需要什么或能提供什么。")
    elif len(data.title.strip()) > 60:
        errors["title"] = gettext("标题不能超过60个字。")
    if len(data.body) > 500:
        errors["body"] = gettext("说明不能超过500个字。")
    start = data.available_from or today
    if start < today:
        errors["available_from"] = gettext("开始日期不能早于今天。")
    if data.available_until is not None:
        if data.available_until < start:
            errors["available_until"] = gettext("结束日期不能早于开始日期。")
        elif data.available_until > start + dt.timedelta(days=366):
            errors["available_until"] = gettext("有效期最长一年，请缩短结束日期。")
    return errors


def _as_self(actor: User, resident: Resident) -> None:
    """A resident acts on the board only as themself: the resident record is the actor's."""
    if resident.user_id != actor.pk:
        raise ForbiddenError(gettext("只能以本人的居民身份操作共享小区。"))


def contact_notice() -> str:
    return gettext(
        "为保护您的隐私，标题或说明中的电话号码、微信号等联系方式已被隐藏。"
        "对接双方确认后，系统会向对方显示您登记的手机号。"
    )


@transaction.atomic
def listing_create(*, actor: User, resident: Resident, data: ListingInput) -> tuple[Listing, bool]:
    """Returns the listing and whether contact details were masked in its text."""
    _as_self(actor, resident)
    today = timezone.localdate()
    errors = _validate(data, today)
    if errors:
        raise ServiceError(gettext("请按提示修改后再提交。"), fields=errors)
    title, masked_title = text.mask_contacts(data.title.strip())
    body, masked_body = text.mask_contacts(data.body.strip())
    place = place_of(resident)
    listing = Listing.objects.create(
        resident=resident,
        direction=data.direction,
        kind=data.kind,
        title=title,
        body=body,
        visibility=data.visibility,
        compound=place.compound,
        community=place.community,
        street=place.street,
        compound_path=place.compound.path,
        available_from=data.available_from or today,
        available_until=data.available_until,
        contact_masked=masked_title or masked_body,
    )
    ListingToken.objects.bulk_create(
        ListingToken(listing=listing, token=t) for t in text.tokens(f"{title} {body}")
    )
    audit(
        actor=actor,
        action="sharing.listing_create",
        obj=listing,
        diff={
            "direction": listing.direction,
            "kind": listing.kind,
            "visibility": listing.visibility,
            "contact_masked": listing.contact_masked,
        },
    )
    return listing, listing.contact_masked


def _own(resident: Resident, listing: Listing) -> None:
    if listing.resident_id != resident.pk:
        raise ForbiddenError(gettext("只能操作本人发布的信息。"))


@transaction.atomic
def listing_withdraw(*, actor: User, resident: Resident, listing: Listing) -> Listing:
    _as_self(actor, resident)
    _own(resident, listing)
    if listing.status not in (ListingStatus.OPEN, ListingStatus.HIDDEN):
        raise ConflictError(gettext("该信息已对接或已结束，不能撤回。"))
    listing.status = ListingStatus.WITHDRAWN
    listing.save(update_fields=["status"])
    Match.objects.filter(Q(need=listing) | Q(offer=listing), status=MatchStatus.PROPOSED).update(
        status=MatchStatus.CANCELLED
    )
    audit(actor=actor, action="sharing.listing_withdraw", obj=listing)
    return listing


# ---- matches ------------------------------------------------------------------------------


def _visible_to(listing: Listing, place: Place) -> bool:
    return Listing.objects.filter(circles_q(place), pk=listing.pk).exists()


@transaction.atomic
def match_propose(*, actor: User, resident: Resident, mine: Listing, other: Listing) -> Match:
    """The poster of `mine` proposes to pair it with `other`; proposing confirms their side."""
    _as_self(actor, resident)
    _own(resident, mine)
    if other.resident_id == resident.pk:
        raise ServiceError(gettext("不能与自己发布的信息对接。"))
    statuses = dict(
        Listing.objects.select_for_update()
        .filter(pk__in=[mine.pk, other.pk])
        .values_list("pk", "status")
    )
    if statuses.get(mine.pk) != ListingStatus.OPEN or statuses.get(other.pk) != ListingStatus.OPEN:
        raise ConflictError(gettext("只有发布中的信息才能发起对接，请刷新后重试。"))
    if mine.kind != other.kind or mine.direction == other.direction:
        raise ServiceError(gettext("只能把同一类别的需求和服务对接起来。"))
    if not _visible_to(other, place_of(resident)):
        raise ServiceError(gettext("对方的信息不在您的小区范围内，不能发起对接。"))
    need, offer = (mine, other) if mine.direction == Direction.NEED else (other, mine)
    if Match.objects.filter(need=need, offer=offer).exclude(status=MatchStatus.CANCELLED).exists():
        raise ConflictError(gettext("已经向对方发起过对接，请等待对方确认。"))
    now = timezone.now()
    try:
        with transaction.atomic():
            Match.objects.filter(need=need, offer=offer, status=MatchStatus.CANCELLED).delete()
            match = Match.objects.create(
                need=need,
                offer=offer,
                proposed_by=resident,
                compound_path=need.compound_path,
                need_confirmed_at=now if need is mine else None,
                offer_confirmed_at=now if offer is mine else None,
            )
    except IntegrityError:
        raise ConflictError(gettext("已经向对方发起过对接，请等待对方确认。")) from None
    audit(
        actor=actor,
        action="sharing.match_propose",
        obj=match,
        diff={"need": need.pk, "offer": offer.pk},
    )
    return match


def side_of(match: Match, resident: Resident) -> str | None:
    """ "need" or "offer": which side this resident is on; None for anyone else."""
    if match.need.resident_id == resident.pk:
        return "need"
    if match.offer.resident_id == resident.pk:
        return "offer"
    return None


def _side(match: Match, resident: Resident, action: str) -> str:
    side = side_of(match, resident)
    if side is None:
        raise ForbiddenError(
            gettext("只有对接双方本人可以%(action)s，其他人不能代为操作。") % {"action": action}
        )
    return side


@transaction.atomic
def match_confirm(*, actor: User, resident: Resident, match: Match) -> Match:
    _as_self(actor, resident)
    side = _side(match, resident, gettext("确认对接"))
    # Read the state again under a lock: the other side may have confirmed a moment ago.
    fresh = Match.objects.select_for_update().get(pk=match.pk)
    match.status = fresh.status
    match.need_confirmed_at, match.offer_confirmed_at = (
        fresh.need_confirmed_at,
        fresh.offer_confirmed_at,
    )
    if match.status != MatchStatus.PROPOSED:
        raise ConflictError(gettext("该对接已确认或已结束，无需再次确认。"))
    field = f"{side}_confirmed_at"
    if getattr(match, field) is not None:
        raise ConflictError(gettext("您已确认过，请等待对方确认。"))
    setattr(match, field, timezone.now())
    fields = [field]
    if match.need_confirmed_at and match.offer_confirmed_at:
        # Both listings leave the board; they must still be open (not taken by another match).
        taken = Listing.objects.filter(
            pk__in=[match.need_id, match.offer_id], status=ListingStatus.OPEN
        ).update(status=ListingStatus.MATCHED)
        if taken != 2:
            raise ConflictError(gettext("对方的信息已与他人对接或已撤回，本次对接无法确认。"))
        match.status = MatchStatus.CONFIRMED
        fields.append("status")
        Match.objects.filter(
            Q(need_id__in=[match.need_id, match.offer_id])
            | Q(offer_id__in=[match.need_id, match.offer_id]),
            status=MatchStatus.PROPOSED,
        ).exclude(pk=match.pk).update(status=MatchStatus.CANCELLED)
    match.save(update_fields=fields)
    audit(actor=actor, action="sharing.match_confirm", obj=match, diff={"side": side})
    return match


@transaction.atomic
def match_cancel(*, actor: User, resident: Resident, match: Match) -> Match:
    _as_self(actor, resident)
    _side(match, resident, gettext("取消对接"))
    if match.status != MatchStatus.PROPOSED:
        raise ConflictError(gettext("双方已确认的对接不能取消，如有变化请与对方沟通。"))
    match.status = MatchStatus.CANCELLED
    match.save(update_fields=["status"])
    audit(actor=actor, action="sharing.match_cancel", obj=match)
    return match


@transaction.atomic
def match_complete(*, actor: User, resident: Resident, match: Match) -> Match:
    _as_self(actor, resident)
    _side(match, resident, gettext("标记完成"))
    if match.status != MatchStatus.CONFIRMED:
        raise ConflictError(gettext("只有双方都确认后的对接才能标记完成。"))
    match.status = MatchStatus.COMPLETED
    match.completed_at = timezone.now()
    match.save(update_fields=["status", "completed_at"])
    audit(actor=actor, action="sharing.match_complete", obj=match)
    return match


@transaction.atomic
def match_feedback(
    *, actor: User, resident: Resident, match: Match, rating: int, feedback: str = ""
) -> Match:
    """Either side rates the other (1-5); the first feedback closes the match and both
    listings."""
    _as_self(actor, resident)
    side = _side(match, resident, gettext("评价"))
    if match.status not in (MatchStatus.COMPLETED, MatchStatus.CLOSED):
        raise ConflictError(gettext("对接完成后才能评价，请先标记完成。"))
    if getattr(match, f"{side}_rating") is not None:
        raise ConflictError(gettext("您已评价过这次对接。"))
    if not isinstance(rating, int) or not 1 <= rating <= 5:
        message = gettext("评分应为1到5分。")
        raise ServiceError(message, fields={"rating": message})
    feedback, _masked = text.mask_contacts(feedback.strip()[:300])
    setattr(match, f"{side}_rating", rating)
    setattr(match, f"{side}_feedback", feedback)
    fields = [f"{side}_rating", f"{side}_feedback"]
    if match.status != MatchStatus.CLOSED:
        match.status = MatchStatus.CLOSED
        fields.append("status")
        Listing.objects.filter(pk__in=[match.need_id, match.offer_id]).update(
            status=ListingStatus.CLOSED
        )
    match.save(update_fields=fields)
    audit(
        actor=actor,
        action="sharing.match_feedback",
        obj=match,
        diff={"side": side, "rating": rating},
    )
    return match


CONTACT_STATUSES = (MatchStatus.CONFIRMED, MatchStatus.COMPLETED, MatchStatus.CLOSED)


@transaction.atomic
def match_reveal_contact(*, actor: User, resident: Resident, match: Match) -> tuple[str, str]:
    """The other side's name and registered mobile number, once both sides confirmed.
    Every reveal is audited."""
    _as_self(actor, resident)
    side = _side(match, resident, gettext("查看联系方式"))
    if match.status not in CONTACT_STATUSES:
        raise ForbiddenError(gettext("双方都确认对接后才能查看对方的联系方式。"))
    other = match.offer.resident if side == "need" else match.need.resident
    audit(
        actor=actor,
        action="sharing.reveal_contact",
        obj=match,
        diff={"side": side, "resident": other.pk},
    )
    return other.name, other.reveal_phone()


# ---- moderation ---------------------------------------------------------------------------


@transaction.atomic
def listing_report(*, actor: User, resident: Resident, listing: Listing, reason: str) -> Listing:
    _as_self(actor, resident)
    if listing.resident_id == resident.pk:
        raise ServiceError(gettext("不能举报自己发布的信息。"))
    reason = reason.strip()
    if not reason:
        message = gettext("请写明举报理由。")
        raise ServiceError(message, fields={"reason": message})
    if len(reason) > 200:
        message = gettext("举报理由不能超过200个字。")
        raise ServiceError(message, fields={"reason": message})
    if not _visible_to(listing, place_of(resident)):
        raise ForbiddenError(gettext("该信息不在您的小区范围内。"))
    listing = Listing.objects.select_for_update().get(pk=listing.pk)
    if ListingReport.objects.filter(listing=listing, reporter=resident, dismissed=False).exists():
        raise ConflictError(gettext("您已举报过这条信息，工作人员会尽快处理。"))
    ListingReport.objects.create(listing=listing, reporter=resident, reason=reason)
    listing.report_count = ListingReport.objects.filter(listing=listing, dismissed=False).count()
    fields = ["report_count"]
    if listing.report_count >= HIDE_AFTER_REPORTS and listing.status == ListingStatus.OPEN:
        listing.status = ListingStatus.HIDDEN
        fields.append("status")
    listing.save(update_fields=fields)
    audit(
        actor=actor,
        action="sharing.listing_report",
        obj=listing,
        diff={"reports": listing.report_count, "status": listing.status},
    )
    return listing


REVIEW_DECISIONS = ("restore", "remove")


@transaction.atomic
def listing_review(*, scope: Scope, actor: User | None, listing: Listing, decision: str) -> Listing:
    """Staff (sharing.moderate over the listing's compound) restore or remove a reported
    listing; its reports are closed either way."""
    if not Listing.objects.filter(staff_reach_q(scope), pk=listing.pk).exists():
        raise ForbiddenError(gettext("该信息不在您的管辖范围内。"))
    if decision not in REVIEW_DECISIONS:
        raise ServiceError(gettext("请选择恢复显示或下架。"))
    if listing.status not in (ListingStatus.HIDDEN, ListingStatus.OPEN) or (
        listing.status == ListingStatus.OPEN and listing.report_count == 0
    ):
        raise ConflictError(gettext("该信息没有待处理的举报。"))
    before = listing.status
    listing.status = ListingStatus.OPEN if decision == "restore" else ListingStatus.REMOVED
    listing.report_count = 0
    listing.save(update_fields=["status", "report_count"])
    listing.reports.filter(dismissed=False).update(dismissed=True)
    if decision == "remove":
        Match.objects.filter(
            Q(need=listing) | Q(offer=listing), status=MatchStatus.PROPOSED
        ).update(status=MatchStatus.CANCELLED)
    audit(
        actor=actor,
        action=f"sharing.listing_{decision}",
        obj=listing,
        diff={"status": [before, listing.status]},
    )
    return listing
