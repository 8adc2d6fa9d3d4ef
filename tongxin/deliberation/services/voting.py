"""表决: options, who may vote (residents of the place; one vote per household where the forum
says so), the forum kind's quorum and pass threshold copied onto the vote, online and paper
ballots counted with their origin. A vote that misses its quorum is 未达法定人数, never passed."""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext

from tongxin.accounts.models import Resident, User
from tongxin.core.errors import ConflictError, ForbiddenError, ServiceError
from tongxin.core.scope import Scope
from tongxin.deliberation import selectors
from tongxin.deliberation.models import (
    Ballot,
    BallotOrigin,
    PassBasis,
    Session,
    Topic,
    TopicStatus,
    Vote,
    VoteOption,
    VoteResult,
    VoteStatus,
)
from tongxin.deliberation.services.common import (
    _as_self,
    _audit,
    _lives_in,
    _public_text,
    _refuse,
    _require_topic,
)

MAX_OPTIONS = 10


def decide(
    *,
    eligible: int,
    cast: int,
    counts: list[int],
    quorum_percent: int,
    pass_percent: int,
    inclusive: bool,
    basis: str,
) -> tuple[str, int | None]:
    """(result, index of the winning option). Integer arithmetic: 2/3 is never a float."""
    if eligible <= 0 or cast * 100 < quorum_percent * eligible or cast == 0:
        return VoteResult.NO_QUORUM, None
    top = max(counts)
    if counts.count(top) > 1:
        return VoteResult.REJECTED, None
    base = cast if basis == PassBasis.CAST else eligible
    ok = top * 100 >= pass_percent * base if inclusive else top * 100 > pass_percent * base
    return (VoteResult.PASSED, counts.index(top)) if ok else (VoteResult.REJECTED, None)


def _open(vote: Vote) -> None:
    vote.eligible = selectors.eligible_count(vote)
    if vote.eligible == 0:
        raise ServiceError(
            gettext("该地还没有登记有投票权的居民（一户一票时为住户），不能开始表决。")
        )
    vote.status = VoteStatus.OPEN


@transaction.atomic
def vote_create(
    *,
    scope: Scope,
    actor: User | None,
    topic: Topic,
    question: str,
    options: list[str],
    closes_at: dt.datetime | None,
    session: Session | None = None,
    open_now: bool = True,
    now: dt.datetime | None = None,
) -> Vote:
    _require_topic(scope, topic)
    if topic.status != TopicStatus.DELIBERATING:
        raise ConflictError(gettext("只有议事中的议题可以发起表决。"))
    now = now or timezone.now()
    if closes_at is not None and timezone.is_naive(closes_at):
        closes_at = timezone.make_aware(closes_at)  # a time without zone is Beijing time
    errors: dict[str, str] = {}
    text, _masked = _public_text(question)
    labels = [_public_text(o)[0][:60] for o in options if o.strip()]
    if not text:
        errors["question"] = gettext("请写明表决的事项。")
    if len(labels) < 2:
        errors["options"] = gettext("请至少填写两个选项，例如“同意”和“不同意”。")
    elif len(labels) > MAX_OPTIONS or len(set(labels)) != len(labels):
        errors["options"] = gettext("选项最多10个，且不能重复。")
    if closes_at is None or closes_at <= now:
        errors["closes_at"] = gettext("截止时间应晚于现在。")
    if session is not None and session.forum_id != topic.forum_id:
        errors["session"] = gettext("议事会应是本议事平台的。")
    _refuse(errors)
    assert closes_at is not None
    kind = topic.forum.kind
    vote = Vote(
        topic=topic,
        session=session,
        question=text[:200],
        household_vote=topic.forum.household_vote,
        quorum_percent=kind.quorum_percent,
        pass_percent=kind.pass_percent,
        pass_inclusive=kind.pass_inclusive,
        pass_basis=kind.pass_basis,
        area_path=topic.area_path,
        closes_at=closes_at,
    )
    if open_now:
        _open(vote)
    vote.save()
    VoteOption.objects.bulk_create(
        [VoteOption(vote=vote, label=label, order=i) for i, label in enumerate(labels)]
    )
    _audit(actor, "vote_create", vote, topic, {"options": labels, "open": open_now})
    return vote


@transaction.atomic
def vote_open(*, scope: Scope, actor: User | None, vote: Vote) -> Vote:
    _require_topic(scope, vote.topic)
    if vote.status != VoteStatus.DRAFT:
        raise ConflictError(gettext("该表决已经开始过了。"))
    if vote.closes_at <= timezone.now():
        raise ServiceError(gettext("截止时间已过，请重新发起表决。"))
    _open(vote)
    vote.save(update_fields=["status", "eligible"])
    _audit(actor, "vote_open", vote, vote.topic)
    return vote


def _ballot(
    *,
    actor: User | None,
    vote: Vote,
    resident: Resident,
    option: VoteOption,
    origin: str,
    now: dt.datetime,
) -> Ballot:
    if vote.status != VoteStatus.OPEN:
        raise ConflictError(gettext("该表决不在投票中（尚未开始或已经结束）。"))
    if origin == BallotOrigin.ONLINE and now >= vote.closes_at:
        raise ConflictError(gettext("投票已经截止，不能再投票。"))
    if option.vote_id != vote.pk:
        msg = gettext("请选择本表决的一个选项。")
        raise ServiceError(msg, fields={"option": msg})
    if not _lives_in(resident, vote.area_path):
        raise ForbiddenError(gettext("只有本地居民可以参加这次表决。"))
    key = selectors.voter_key(vote, resident)
    if key is None:
        raise ServiceError(gettext("这次表决一户一票，您还没有登记住户，请先到社区登记门牌。"))
    # The caller's transaction has written nothing yet: a second ballot (the unique key)
    # raises ConflictError at once and the transaction rolls back whole, so the insert needs
    # no savepoint of its own.
    try:
        return Ballot.objects.create(
            vote=vote,
            option=option,
            voter_key=key,
            resident=resident,
            origin=origin,
            entered_by=actor,
        )
    except IntegrityError:
        who = gettext("您家已经有人投过票了（一户一票）。") if vote.household_vote else ""
        raise ConflictError(who or gettext("您已经投过票了，每人只能投一票。")) from None


@transaction.atomic
def ballot_cast(
    *,
    actor: User | None,
    resident: Resident,
    vote: Vote,
    option: VoteOption,
    now: dt.datetime | None = None,
) -> Ballot:
    """A resident votes online, on the phone. One insert (the unique key refuses a second vote
    of the same person or household), and the audit row."""
    _as_self(actor, resident)
    ballot = _ballot(
        actor=actor,
        vote=vote,
        resident=resident,
        option=option,
        origin=BallotOrigin.ONLINE,
        now=now or timezone.now(),
    )
    _audit(actor, "ballot_cast", ballot, vote.topic, {"vote": vote.pk})
    return ballot


@transaction.atomic
def ballot_enter_paper(
    *, scope: Scope, actor: User | None, vote: Vote, resident: Resident, option: VoteOption
) -> Ballot:
    """A paper ballot (会场、上门) entered by staff for a resident of the place, counted with its
    origin; until the host closes the vote."""
    _require_topic(scope, vote.topic)
    ballot = _ballot(
        actor=actor,
        vote=vote,
        resident=resident,
        option=option,
        origin=BallotOrigin.PAPER,
        now=timezone.now(),
    )
    _audit(actor, "ballot_enter_paper", ballot, vote.topic, {"vote": vote.pk})
    return ballot


@transaction.atomic
def vote_close(
    *, scope: Scope, actor: User | None, vote: Vote, now: dt.datetime | None = None
) -> Vote:
    """Count and publish: per option online and paper ballots, the result by the vote's rule.
    Before the deadline only when everyone eligible has voted."""
    _require_topic(scope, vote.topic)
    if vote.status != VoteStatus.OPEN:
        raise ConflictError(gettext("只有投票中的表决可以结束计票。"))
    now = now or timezone.now()
    t = selectors.tally(vote)
    if now < vote.closes_at and t.cast < vote.eligible:
        raise ConflictError(gettext("投票尚未截止，还有人（户）没有投票，请到截止时间后再计票。"))
    result, winner = decide(
        eligible=vote.eligible,
        cast=t.cast,
        counts=[online + paper for _o, online, paper in t.rows],
        quorum_percent=vote.quorum_percent,
        pass_percent=vote.pass_percent,
        inclusive=vote.pass_inclusive,
        basis=vote.pass_basis,
    )
    for option, online, paper in t.rows:
        option.online, option.paper = online, paper
    VoteOption.objects.bulk_update([r[0] for r in t.rows], ["online", "paper"])
    vote.cast = t.cast
    vote.result = result
    vote.winner = t.rows[winner][0] if winner is not None else None
    vote.status = VoteStatus.CLOSED
    vote.closed_at = now
    vote.save(update_fields=["cast", "result", "winner", "status", "closed_at"])
    _audit(actor, "vote_close", vote, vote.topic, {"result": result, "cast": t.cast})
    return vote


def close_due_votes(now: dt.datetime | None = None) -> int:
    """Periodic: votes past their deadline are counted (the system acts; idempotent)."""
    now = now or timezone.now()
    n = 0
    for vote in Vote.objects.filter(status=VoteStatus.OPEN, closes_at__lte=now).select_related(
        "topic"
    ):
        vote_close(scope=Scope.everything(), actor=None, vote=vote, now=now)
        n += 1
    return n
