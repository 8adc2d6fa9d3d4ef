"""说 and 议: topics raised by residents or entered by staff (or turned from a case, a 共享小区
listing or a micro-project suggestion), accepted, merged or referred to a case by the host, put
on a deliberation meeting's agenda (attendance by the session's code or by member card) and
decided."""

from __future__ import annotations

import datetime as dt
import secrets

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext

from tongxin.accounts.models import Resident, User
from tongxin.cases.models import Case, Category
from tongxin.cases.selectors import case_queryset
from tongxin.cases.services import case_report
from tongxin.core.errors import ConflictError, ForbiddenError, ServiceError
from tongxin.core.scope import Scope, in_scope, require
from tongxin.deliberation import selectors
from tongxin.deliberation.models import (
    OPEN_STATUSES,
    Attendance,
    AttendanceMethod,
    Forum,
    PartyKind,
    Session,
    Topic,
    TopicSource,
    TopicStatus,
)
from tongxin.deliberation.services.common import (
    _as_self,
    _audit,
    _lives_in,
    _public_text,
    _refuse,
    _require_forum,
    _require_topic,
)
from tongxin.meetings import card
from tongxin.projects.models import Suggestion
from tongxin.projects.selectors import suggestion_list
from tongxin.sharing.models import Listing
from tongxin.sharing.selectors import staff_reach_q

MAX_AGENDA = 20


def _check_text(title: str, body: str) -> tuple[str, str, bool]:
    errors: dict[str, str] = {}
    clean_title, masked_t = _public_text(title)
    clean_body, masked_b = _public_text(body)
    if not clean_title:
        errors["title"] = gettext("请用一句话写明要议的事，例如“3幢楼道堆物清理”。")
    elif len(clean_title) > 100:
        errors["title"] = gettext("议题不能超过100个字，详情请写在说明里。")
    if len(clean_body) > 2000:
        errors["body"] = gettext("说明不能超过2000个字。")
    _refuse(errors)
    return clean_title, clean_body, masked_t or masked_b


def _new_topic(forum: Forum, **fields: object) -> Topic:
    return Topic.objects.create(
        forum=forum,
        area_path=forum.area_path,
        host_org_path=forum.host_org_path,
        raised_at=timezone.now(),
        **fields,
    )


@transaction.atomic
def topic_raise(
    *,
    actor: User | None,
    resident: Resident,
    forum: Forum,
    title: str,
    body: str = "",
    public: bool = True,
) -> tuple[Topic, bool]:
    """说: a resident raises a topic at a forum of their place, from the phone; (topic, whether
    contact details or markup were masked)."""
    _as_self(actor, resident)
    if not forum.active or not _lives_in(resident, forum.area_path):
        raise ForbiddenError(gettext("只能在您居住的社区、村或小区的议事平台提出议题。"))
    clean_title, clean_body, masked = _check_text(title, body)
    topic = _new_topic(
        forum,
        title=clean_title,
        body=clean_body,
        public=public,
        source=TopicSource.RESIDENT,
        resident=resident,
        entered_by=actor,
    )
    _audit(actor, "topic_raise", topic, topic, {"masked": masked})
    return topic, masked


@transaction.atomic
def topic_enter(
    *,
    scope: Scope,
    actor: User | None,
    forum: Forum,
    title: str,
    body: str = "",
    raised_by_name: str = "",
    public: bool = True,
) -> Topic:
    """说: staff enter a topic raised on a 说事日 or in a meeting."""
    _require_forum(scope, forum)
    clean_title, clean_body, _masked = _check_text(title, body)
    topic = _new_topic(
        forum,
        title=clean_title,
        body=clean_body,
        public=public,
        source=TopicSource.STAFF,
        raised_by_name=raised_by_name.strip()[:50],
        entered_by=actor,
    )
    _audit(actor, "topic_enter", topic, topic)
    return topic


@transaction.atomic
def topic_from_source(
    *,
    scope: Scope,
    actor: User | None,
    forum: Forum,
    case: Case | None = None,
    listing: Listing | None = None,
    suggestion: Suggestion | None = None,
) -> Topic:
    """说 in one step: a case, a 共享小区 listing or a micro-project suggestion in reach, of the
    forum's place, becomes a topic linked to it."""
    _require_forum(scope, forum)
    sources = [s for s in (case, listing, suggestion) if s is not None]
    if len(sources) != 1:
        raise ServiceError(gettext("请选择一件事件、一条共享信息或一条微项目建议转为议题。"))
    if case is not None:
        require(in_scope(case_queryset(scope), case), gettext("该事件不在您的管辖范围内。"))
        path, title, body, kind = case.area_path, case.title, case.description, TopicSource.CASE
        link: dict[str, object] = {"case": case}
    elif listing is not None:
        reach = Listing.objects.filter(staff_reach_q(scope, "sharing.moderate"))
        require(in_scope(reach, listing), gettext("该共享信息不在您的管辖范围内。"))
        path, title, body, kind = (
            listing.compound_path,
            listing.title,
            listing.body,
            TopicSource.LISTING,
        )
        link = {"listing": listing}
    else:
        assert suggestion is not None
        require(in_scope(suggestion_list(scope), suggestion), gettext("该建议不在您的管辖范围内。"))
        path, title, body = suggestion.area_path, suggestion.title, suggestion.body
        kind = TopicSource.SUGGESTION
        link = {"suggestion": suggestion}
    if not path.startswith(forum.area_path):
        raise ServiceError(gettext("这件事不在该议事平台所在的地方，请选择当地的议事平台。"))
    if Topic.objects.filter(**link).exclude(status=TopicStatus.MERGED).exists():
        raise ConflictError(gettext("这件事已经转为议题了。"))
    clean_title, clean_body, _masked = _check_text(title[:100], body[:2000])
    topic = _new_topic(
        forum, title=clean_title, body=clean_body, source=kind, entered_by=actor, **link
    )
    _audit(actor, "topic_from_source", topic, topic, {"source": kind})
    return topic


def _host_step(scope: Scope, topic: Topic, allowed: tuple[str, ...], message: str) -> None:
    _require_topic(scope, topic)
    if topic.status not in allowed:
        raise ConflictError(message)


@transaction.atomic
def topic_accept(*, scope: Scope, actor: User | None, topic: Topic) -> Topic:
    """议: the host accepts a raised topic for deliberation."""
    _host_step(scope, topic, (TopicStatus.RAISED,), gettext("只有待受理的议题可以受理。"))
    topic.status = TopicStatus.DELIBERATING
    topic.save(update_fields=["status"])
    _audit(actor, "topic_accept", topic, topic)
    return topic


@transaction.atomic
def topic_merge(*, scope: Scope, actor: User | None, topic: Topic, into: Topic) -> Topic:
    """议: a topic repeating an open one of the same forum is merged into it."""
    _host_step(scope, topic, OPEN_STATUSES, gettext("只有待受理或议事中的议题可以合并。"))
    if into.pk == topic.pk or into.forum_id != topic.forum_id or into.status not in OPEN_STATUSES:
        raise ServiceError(gettext("只能合并到同一议事平台中另一个未办结的议题。"))
    topic.status = TopicStatus.MERGED
    topic.merged_into = into
    topic.save(update_fields=["status", "merged_into"])
    _audit(actor, "topic_merge", topic, topic, {"into": into.pk})
    return topic


def topic_refer(
    *, scope: Scope, actor: User | None, topic: Topic, category: Category | None
) -> Topic:
    """议: a topic that is a problem to fix rather than a matter to deliberate is referred to
    cases (网格呼叫): a case is reported at the forum's place, and the link kept both ways."""
    _host_step(scope, topic, OPEN_STATUSES, gettext("只有待受理或议事中的议题可以转办。"))
    if category is None:
        msg = gettext("请选择转办事件的类别。")
        raise ServiceError(msg, fields={"category": msg})
    with transaction.atomic():
        case = case_report(
            actor=actor,
            scope=scope,
            area=topic.forum.area,
            category=category,
            title=topic.title,
            description=topic.body or topic.title,
            source="web",
        )
        topic.case = case
        topic.status = TopicStatus.REFERRED
        topic.save(update_fields=["case", "status"])
        _audit(actor, "topic_refer", topic, topic, {"case": case.tracking_code})
    return topic


@transaction.atomic
def topic_decide(
    *, scope: Scope, actor: User | None, topic: Topic, decision: str, act: bool = True
) -> Topic:
    """议 → 办: the host records what was agreed (after any vote has closed); a topic agreed not
    to be acted on is closed."""
    _host_step(scope, topic, (TopicStatus.DELIBERATING,), gettext("只有议事中的议题可以议定。"))
    text, _masked = _public_text(decision)
    if not text:
        msg = gettext("请写明议定的结论。")
        raise ServiceError(msg, fields={"decision": msg})
    if topic.votes.filter(status="open").exists():
        raise ConflictError(gettext("还有表决没有结束，请先结束表决再议定。"))
    now = timezone.now()
    topic.decision = text[:2000]
    topic.decided_at = now
    topic.status = TopicStatus.ACTING if act else TopicStatus.CLOSED
    if not act:
        topic.closed_at = now
    topic.save(update_fields=["decision", "decided_at", "status", "closed_at"])
    _audit(actor, "topic_decide", topic, topic, {"act": act})
    return topic


# ---- sessions -----------------------------------------------------------------------------


@transaction.atomic
def session_schedule(
    *,
    scope: Scope,
    actor: User | None,
    forum: Forum,
    held_at: dt.datetime | None,
    place: str,
    topics: list[Topic],
    parties: list[str],
    invited_note: str = "",
) -> Session:
    """议: a deliberation meeting with its agenda (topics in 议) and invited parties; it gets a
    six-digit code residents enter to check in."""
    _require_forum(scope, forum)
    errors: dict[str, str] = {}
    if held_at is None:
        errors["held_at"] = gettext("请填写议事会的时间。")
    if not place.strip():
        errors["place"] = gettext("请填写议事会的地点。")
    if not topics:
        errors["topics"] = gettext("请至少选择一个议事中的议题列入议程。")
    elif len(topics) > MAX_AGENDA:
        errors["topics"] = gettext("一次议事会的议程不超过20个议题。")
    elif any(t.forum_id != forum.pk or t.status != TopicStatus.DELIBERATING for t in topics):
        errors["topics"] = gettext("议程只能包括本平台已受理、正在议事的议题。")
    bad = [p for p in parties if p not in PartyKind.values]
    if bad or not parties:
        errors["parties"] = gettext("请选择邀请参加的各方。")
    _refuse(errors)
    assert held_at is not None
    session = Session.objects.create(
        forum=forum,
        held_at=held_at,
        place=place.strip()[:100],
        parties=sorted(set(parties)),
        invited_note=_public_text(invited_note)[0][:300],
        code=f"{secrets.randbelow(1_000_000):06d}",
        created_by=actor,
    )
    session.topics.set(topics)
    _audit(actor, "session_schedule", session, forum, {"topics": [t.pk for t in topics]})
    return session


@transaction.atomic
def session_checkin(
    *,
    actor: User | None,
    resident: Resident,
    session: Session,
    code: str,
    now: dt.datetime | None = None,
) -> Attendance:
    """A resident of the forum's place checks in with the code shown at the meeting, on the
    meeting's day."""
    _as_self(actor, resident)
    forum = session.forum
    if not _lives_in(resident, forum.area_path):
        raise ForbiddenError(gettext("您不住在该议事平台所在的地方，不能签到。"))
    if not secrets.compare_digest(code.strip(), session.code):
        msg = gettext("签到码不对，请核对会场公布的6位签到码。")
        raise ServiceError(msg, fields={"code": msg})
    _on_the_day(session, now)
    try:
        with transaction.atomic():
            attendance = Attendance.objects.create(session=session, resident=resident)
    except IntegrityError:
        raise ConflictError(gettext("您已经签到过了。")) from None
    _audit(actor, "session_checkin", attendance, forum)
    return attendance


def _on_the_day(session: Session, now: dt.datetime | None) -> None:
    today = timezone.localtime(now or timezone.now()).date()
    if today != timezone.localtime(session.held_at).date():
        raise ConflictError(gettext("只能在议事会当天签到。"))


@transaction.atomic
def session_card_checkin(
    *,
    scope: Scope,
    actor: User | None,
    session: Session,
    text: str,
    now: dt.datetime | None = None,
) -> Attendance:
    """The host marks a Party member present by the member card (tongxin.meetings.card): the
    QR of the member's 我的卡 scanned, or its short code typed, on the meeting's day. The
    member must be of the forum's place or of its host organization's subtree
    (selectors.card_holders); the member's resident profile, when there is one, is marked with
    them, so that 评 counts them as having taken part. A refusal writes nothing (the card's use
    record is undone with it)."""
    forum = session.forum
    _require_forum(scope, forum)
    if not text.strip():
        msg = gettext("请扫描党员“我的卡”上的二维码，或输入卡上的6位签到码。")
        raise ServiceError(msg, fields={"card": msg})
    _on_the_day(session, now)
    holders = selectors.card_holders(forum)
    member_id, how = card.verify(
        text.strip(),
        context=f"deliberation:{session.pk}",
        candidates=holders.values_list("pk", flat=True),
    )
    member = holders.filter(pk=member_id).first()
    if member is None:
        raise ForbiddenError(
            gettext("该党员不住在本议事平台所在的地方，也不属于主持议事的党组织，不能在本场签到。"),
            code="not_invited",
        )
    resident = Resident.objects.filter(user__member_id=member.pk).first()
    seen = Q(member=member) | (Q(resident=resident) if resident is not None else Q(pk__in=[]))
    if Attendance.objects.filter(seen, session=session).exists():
        raise ConflictError(gettext("%(name)s 已经签到过了。") % {"name": member.name})
    try:
        with transaction.atomic():
            attendance = Attendance.objects.create(
                session=session,
                member=member,
                resident=resident,
                method=AttendanceMethod.CARD_QR if how == "qr" else AttendanceMethod.CARD_CODE,
            )
    except IntegrityError:
        raise ConflictError(gettext("%(name)s 已经签到过了。") % {"name": member.name}) from None
    _audit(actor, "session_card_checkin", attendance, forum, {"member": member.pk, "how": how})
    return attendance


@transaction.atomic
def session_minutes(*, scope: Scope, actor: User | None, session: Session, minutes: str) -> Session:
    _require_forum(scope, session.forum)
    text, _masked = _public_text(minutes)
    if not text:
        msg = gettext("请填写会议纪要。")
        raise ServiceError(msg, fields={"minutes": msg})
    session.minutes = text[:5000]
    session.save(update_fields=["minutes"])
    _audit(actor, "session_minutes", session, session.forum)
    return session
