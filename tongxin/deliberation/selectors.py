"""Every read of forums and topics. Staff reach a forum by its host organization's path (org
grants) or its place (area grants): under VIEW to read, under MANAGE to host; residents see the
forums of the places they live in; anyone sees a forum's public page and its public topics, with
residents' names masked."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.db.models import Count, Model, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext

from tongxin.accounts.models import Resident
from tongxin.accounts.selectors import residents_of
from tongxin.core.errors import ServiceError
from tongxin.core.registry import StoredFigures
from tongxin.core.scope import NOTHING, Scope, subtree_q
from tongxin.deliberation.models import (
    OPEN_STATUSES,
    ActionItem,
    Attendance,
    Ballot,
    Forum,
    ForumKind,
    Household,
    HouseholdMember,
    Rating,
    Satisfaction,
    Session,
    Topic,
    TopicStatus,
    Vote,
    VoteOption,
    VoteStatus,
)
from tongxin.geo.models import Area, AreaLevel
from tongxin.members.models import Member
from tongxin.members.selectors import members_of_place
from tongxin.orgs.models import Organization
from tongxin.sharing.selectors import staff_reach_q
from tongxin.sharing.text import tokens

VIEW = "deliberation.view"  # the staff pages and the 工作台 card, read only
MANAGE = "deliberation.manage"  # hosting: forums, topics through 议 and 办, sessions, votes
FORUM_AREA_LEVELS = [AreaLevel.COMMUNITY, AreaLevel.COMPOUND]
PUBLIC_HIDDEN = (TopicStatus.MERGED, TopicStatus.DECLINED)


def mask_name(name: str) -> str:
    """林安 → 林*; a resident's name on a public page."""
    return (name[:1] + "*" * max(1, len(name) - 1)) if name else ""


def reach_q(scope: Scope, perm: str = VIEW, *, via: str = "") -> Q:
    """Forums or topics in reach under ``perm``: their host organization's path under an org
    grant, or their place under an area grant. ``via`` reaches them through a relation:
    "forum__" from a session, "topic__" from a vote, an action or a rating."""
    if scope.is_superuser:
        return Q()
    grants = scope.grants.get(perm, [])
    parts = [g.q(f"{via}host_org_path") for g in grants if g.kind == "org"]
    parts += [g.q(f"{via}area_path") for g in grants if g.kind == "area"]
    if not parts:
        return NOTHING
    out = parts[0]
    for p in parts[1:]:
        out |= p
    return out


def _pk(pk: object) -> int:
    try:
        return int(str(pk))
    except ValueError:
        raise Http404(gettext("不存在。")) from None


# ---- staff --------------------------------------------------------------------------------


def forum_kinds() -> QuerySet[ForumKind]:
    return ForumKind.objects.all()


def forum_list(scope: Scope, *, kind: int | None = None, perm: str = VIEW) -> QuerySet[Forum]:
    qs = Forum.objects.filter(reach_q(scope, perm))
    if kind:
        qs = qs.filter(kind_id=kind)
    return qs.select_related("kind", "area", "host_org").order_by("area_path", "id")


def get_forum_for(scope: Scope, pk: object, perm: str = VIEW) -> Forum:
    try:
        return forum_list(scope, perm=perm).get(pk=_pk(pk))
    except Forum.DoesNotExist:
        raise Http404(gettext("议事平台不存在或不在您的管辖范围内。")) from None


def topic_list(
    scope: Scope, *, forum: Forum | None = None, status: str = "", perm: str = VIEW
) -> QuerySet[Topic]:
    qs = Topic.objects.filter(reach_q(scope, perm))
    if forum is not None:
        qs = qs.filter(forum=forum)
    if status:
        qs = qs.filter(status=status)
    return qs.select_related("forum", "resident").order_by("-id")


def get_topic_for(scope: Scope, pk: object, perm: str = VIEW) -> Topic:
    try:
        return topic_list(scope, perm=perm).get(pk=_pk(pk))
    except Topic.DoesNotExist:
        raise Http404(gettext("议题不存在或不在您的管辖范围内。")) from None


def may_host(scope: Scope, forum: Forum) -> bool:
    """Whether the user hosts this forum (MANAGE over it), not only reads it: the pages show
    their forms to hosts only."""
    return scope.has(MANAGE) and Forum.objects.filter(reach_q(scope, MANAGE), pk=forum.pk).exists()


def get_session_for(scope: Scope, pk: object, perm: str = VIEW) -> Session:
    try:
        return (
            Session.objects.filter(reach_q(scope, perm, via="forum__"))
            .select_related("forum")
            .get(pk=_pk(pk))
        )
    except Session.DoesNotExist:
        raise Http404(gettext("议事会不存在或不在您的管辖范围内。")) from None


def get_vote_for(scope: Scope, pk: object, perm: str = VIEW) -> Vote:
    try:
        return (
            Vote.objects.filter(reach_q(scope, perm, via="topic__"))
            .select_related("topic__forum")
            .get(pk=_pk(pk))
        )
    except Vote.DoesNotExist:
        raise Http404(gettext("表决不存在或不在您的管辖范围内。")) from None


def get_action_for(scope: Scope, pk: object, perm: str = VIEW) -> ActionItem:
    try:
        return (
            ActionItem.objects.filter(reach_q(scope, perm, via="topic__"))
            .select_related("topic__forum")
            .get(pk=_pk(pk))
        )
    except ActionItem.DoesNotExist:
        raise Http404(gettext("办理事项不存在或不在您的管辖范围内。")) from None


def agenda_choices(forum: Forum) -> QuerySet[Topic]:
    """Topics a session's agenda may hold: the forum's topics in 议."""
    return Topic.objects.filter(forum=forum, status=TopicStatus.DELIBERATING).order_by("-id")


def host_org_choices(scope: Scope) -> QuerySet[Organization]:
    return Organization.objects.filter(scope.orgs_q(MANAGE)).order_by("path")


def _hosted_areas(scope: Scope) -> QuerySet[Area]:
    """Areas a host reaches: by an area grant, or through the area of a granted organization."""
    return Area.objects.filter(staff_reach_q(scope, MANAGE, "path"))


def area_choices(scope: Scope) -> QuerySet[Area]:
    """Where a host may set up a forum: communities, villages and compounds in reach."""
    return _hosted_areas(scope).filter(level__in=FORUM_AREA_LEVELS).order_by("path")


def reaches_area(scope: Scope, area: Area) -> bool:
    return _hosted_areas(scope).filter(pk=area.pk).exists()


def residents_in(scope: Scope, topic: Topic) -> QuerySet[Resident]:
    """Residents of a topic's place, for its host (paper ballots are entered for them)."""
    if not Topic.objects.filter(reach_q(scope, MANAGE), pk=topic.pk).exists():
        return Resident.objects.none()
    return residents_of(topic.area_path).order_by("name")


def card_holders(forum: Forum) -> QuerySet[Member]:
    """Party members whose card checks them in at the forum's meetings: the members of its
    place (members.selectors.members_of_place) and of its host organization's subtree."""
    return Member.objects.filter(
        Q(pk__in=members_of_place(forum.area_path).values("pk"))
        | subtree_q("org_path", forum.host_org_path)
    )


def similar_open_topics(forum: Forum, title: str, exclude: int | None = None) -> list[Topic]:
    """Open topics of the same forum sharing words with ``title`` (jieba): offered as a merge."""
    words = set(tokens(title))
    if not words:
        return []
    qs = Topic.objects.filter(forum=forum, status__in=OPEN_STATUSES).only("id", "title")
    if exclude:
        qs = qs.exclude(pk=exclude)
    need = max(1, min(2, len(words) // 2))
    out = [t for t in qs.order_by("-id")[:200] if len(words & set(tokens(t.title))) >= need]
    return out[:5]


# ---- residents ----------------------------------------------------------------------------


def _prefixes(path: str) -> list[str]:
    return [path[:i] for i in range(4, len(path) + 1, 4)]


def resident_forums(resident: Resident) -> QuerySet[Forum]:
    """The forums of the places a resident lives in (their compound and community)."""
    return (
        Forum.objects.filter(area_path__in=_prefixes(resident.home.path), active=True)
        .select_related("kind", "area")
        .order_by("-area_path", "id")
    )


def resident_topics(resident: Resident) -> QuerySet[Topic]:
    """Public topics of their forums, and their own (public or not)."""
    return (
        Topic.objects.filter(
            Q(forum__in=resident_forums(resident), public=True) | Q(resident=resident)
        )
        .exclude(status__in=PUBLIC_HIDDEN)
        .select_related("forum")
        .order_by("-id")
    )


def get_topic_for_resident(resident: Resident, pk: object) -> Topic:
    try:
        return resident_topics(resident).get(pk=_pk(pk))
    except Topic.DoesNotExist:
        raise Http404(gettext("议题不存在。")) from None


def open_votes_for(resident: Resident, topic: Topic) -> list[Vote]:
    return list(topic.votes.filter(status=VoteStatus.OPEN).prefetch_related("options"))


def session_of_topic(topic: Topic, pk: object) -> Session:
    """A session with the topic on its agenda (a refusal, not a 404: the form named it)."""
    try:
        return Session.objects.select_related("forum").get(pk=int(str(pk)), topics=topic)
    except (Session.DoesNotExist, ValueError):
        raise ServiceError(gettext("请选择本议题的议事会。")) from None


def open_option(topic: Topic, pk: object) -> VoteOption:
    try:
        return VoteOption.objects.select_related("vote__topic").get(
            pk=int(str(pk)), vote__topic=topic, vote__status=VoteStatus.OPEN
        )
    except (VoteOption.DoesNotExist, ValueError):
        raise ServiceError(gettext("请选择一个正在表决的选项。")) from None


def resident_sees(resident: Resident, topic: Topic) -> bool:
    """``resident_topics``' rule for one topic already read with its forum (a test holds the
    two to the same answers): public topics of the forums of the places the resident lives
    in, and their own, except merged and declined ones."""
    if topic.status in PUBLIC_HIDDEN:
        return False
    if topic.resident_id == resident.pk:
        return True
    forum = topic.forum
    return topic.public and forum.active and forum.area_path in _prefixes(resident.home.path)


# The columns a phone ballot reads of the option, its vote, topic and forum (each model's in
# the order of its fields): what the rules (``resident_sees``, ``voting._ballot``) and the
# ballot's audit row use. Anything else read off these instances is a deferred field: one query
# more, never a wrong value.
_OPEN_OPTION_COLUMNS: tuple[tuple[type[Model], tuple[str, ...]], ...] = (
    (VoteOption, ("id", "vote_id", "label")),
    (Vote, ("id", "topic_id", "status", "household_vote", "area_path", "closes_at")),
    (Topic, ("id", "forum_id", "status", "public", "resident_id", "area_path", "host_org_path")),
    (Forum, ("id", "area_path", "active")),
)
_Converters = list[tuple[Any, list[Any]]]  # per column: its expression and converters
_open_option_sql: dict[str, tuple[str, _Converters]] = {}


def _open_option_query() -> tuple[str, _Converters]:
    """The SQL of ``resident_open_option`` and each column's converters, built once per
    database vendor: a ballot is posted thousands of times an hour, and compiling the same
    three-join queryset each time cost more than running it."""
    cached = _open_option_sql.get(connection.vendor)
    if cached is not None:
        return cached
    q = connection.ops.quote_name
    columns: list[str] = []
    converters: _Converters = []
    for alias, (model, names) in zip("ovtf", _OPEN_OPTION_COLUMNS, strict=True):
        fields = [f for f in model._meta.concrete_fields if f.attname in names]
        assert [f.attname for f in fields] == list(names), (model, names)  # from_db's order
        for f in fields:
            columns.append(f"{alias}.{q(f.column or f.attname)}")
            col = f.get_col(alias)
            converters.append(
                (col, connection.ops.get_db_converters(col) + f.get_db_converters(connection))
            )
    t = {m: q(m._meta.db_table) for m, _n in _OPEN_OPTION_COLUMNS}
    pk, vote_id, topic_id, forum_id = q("id"), q("vote_id"), q("topic_id"), q("forum_id")
    # Names from the models' metadata, quoted; the values are parameters.
    sql = (
        f"SELECT {', '.join(columns)} FROM {t[VoteOption]} o"  # noqa: S608
        f" INNER JOIN {t[Vote]} v ON v.{pk} = o.{vote_id}"
        f" INNER JOIN {t[Topic]} t ON t.{pk} = v.{topic_id}"
        f" INNER JOIN {t[Forum]} f ON f.{pk} = t.{forum_id}"
        f" WHERE o.{pk} = %s AND v.{topic_id} = %s AND v.{q('status')} = %s"
    )
    _open_option_sql[connection.vendor] = (sql, converters)
    return sql, converters


def _db_id(value: object) -> int | None:
    try:
        n = int(str(value))
    except ValueError:
        return None
    return n if 0 < n < 2**63 else None


def resident_open_option(
    resident: Resident, topic_pk: object, option_pk: object
) -> VoteOption | None:
    """The open option a resident chose, with its vote, topic and forum, on a topic they may see
    (``resident_sees``): a phone ballot's reads in one query of primary-key joins, its SQL
    built once (``_open_option_query``). None when any part fails; ``get_topic_for_resident``
    and ``open_option`` then say which."""
    option_id, topic_id = _db_id(option_pk), _db_id(topic_pk)
    if option_id is None or topic_id is None:
        return None
    sql, fields = _open_option_query()
    with connection.cursor() as cur:
        cur.execute(sql, [option_id, topic_id, VoteStatus.OPEN.value])
        row = cur.fetchone()
    if row is None:
        return None
    values = list(row)
    for i, (col, converters) in enumerate(fields):
        for convert in converters:
            values[i] = convert(values[i], col, connection)
    objs, start = [], 0
    for model, names in _OPEN_OPTION_COLUMNS:
        objs.append(
            model.from_db(connection.alias, list(names), values[start : start + len(names)])
        )
        start += len(names)
    option, vote, topic, forum = objs
    assert isinstance(option, VoteOption) and isinstance(vote, Vote)
    assert isinstance(topic, Topic) and isinstance(forum, Forum)
    topic.forum = forum
    vote.topic = topic
    option.vote = vote
    return option if resident_sees(resident, topic) else None


# What a voting page reads with the resident (``page_resident(request, related=...)``): the
# household, so that a ballot's key costs no query of its own.
VOTER_RELATED = ("delib_household",)


def voter_key(vote: Vote, resident: Resident) -> str | None:
    """The key of the resident's ballot: their household's in a household vote (None when they
    are in no registered household), else their own."""
    if not vote.household_vote:
        return f"r{resident.pk}"
    if Resident.delib_household.is_cached(resident):  # read with the resident (VOTER_RELATED)
        member = getattr(resident, "delib_household", None)
        h = member.household_id if member is not None else None
    else:
        h = (
            HouseholdMember.objects.filter(resident_id=resident.pk)
            .values_list("household_id", flat=True)
            .first()
        )
    return f"h{h}" if h else None


def my_ballot(vote: Vote, resident: Resident) -> Ballot | None:
    key = voter_key(vote, resident)
    if key is None:
        return None
    return Ballot.objects.filter(vote=vote, voter_key=key).select_related("option").first()


def session_attendance(session: Session) -> list[Attendance]:
    """Who checked in at a session (for its host's page), latest first; one query."""
    return list(
        session.attendance.select_related("resident", "member")
        .only("id", "method", "created_at", "resident__name", "member__name")
        .order_by("-id")
    )


def attended(resident: Resident, sessions: list[Session]) -> set[int]:
    ids = [s.pk for s in sessions]
    return set(
        Attendance.objects.filter(resident=resident, session_id__in=ids).values_list(
            "session_id", flat=True
        )
    )


def took_part(topic: Topic, resident: Resident) -> bool:
    """评 is for those who took part: who raised it, attended a session on it, or voted on it."""
    return (
        topic.resident_id == resident.pk
        or Attendance.objects.filter(session__topics=topic, resident=resident).exists()
        or Ballot.objects.filter(vote__topic=topic, resident=resident).exists()
    )


def my_rating(topic: Topic, resident: Resident) -> Rating | None:
    return Rating.objects.filter(topic=topic, resident=resident, round=topic.rating_round).first()


# ---- tally --------------------------------------------------------------------------------


@dataclass
class Tally:
    eligible: int
    cast: int
    online: int
    paper: int
    rows: list[tuple[VoteOption, int, int]] = field(default_factory=list)  # option, online, paper


def eligible_count(vote: Vote) -> int:
    """Residents of the place, or the households of the place in a household vote."""
    if vote.household_vote:
        return Household.objects.filter(area_path__startswith=vote.area_path).count()
    return residents_of(vote.area_path).count()


def tally(vote: Vote) -> Tally:
    """Ballots per option and origin: one grouped query over the vote's ballots."""
    options = list(vote.options.all())
    counts: dict[tuple[int, str], int] = {
        (r["option_id"], r["origin"]): r["n"]
        for r in Ballot.objects.filter(vote=vote)
        .order_by()
        .values("option_id", "origin")
        .annotate(n=Count("id"))
    }
    rows = [(o, counts.get((o.pk, "online"), 0), counts.get((o.pk, "paper"), 0)) for o in options]
    online = sum(r[1] for r in rows)
    paper = sum(r[2] for r in rows)
    return Tally(vote.eligible, online + paper, online, paper, rows)


# ---- public pages -------------------------------------------------------------------------


def public_forum(pk: object) -> Forum:
    try:
        return (
            Forum.objects.filter(active=True)
            .select_related("kind", "area", "host_org")
            .get(pk=_pk(pk))
        )
    except Forum.DoesNotExist:
        raise Http404(gettext("议事平台不存在。")) from None


def public_topics(forum: Forum) -> QuerySet[Topic]:
    return (
        Topic.objects.filter(forum=forum, public=True)
        .exclude(status__in=PUBLIC_HIDDEN)
        .only("id", "title", "status", "raised_at", "forum_id")
        .order_by("-id")
    )


def overdue_actions(forum: Forum, today: dt.date | None = None) -> QuerySet[ActionItem]:
    today = today or timezone.localdate()
    return (
        ActionItem.objects.filter(
            topic__forum=forum, topic__public=True, done_at__isnull=True, deadline__lt=today
        )
        .select_related("topic")
        .only("id", "title", "owner_name", "deadline", "progress", "topic__id", "topic__title")
        .order_by("deadline")
    )


def forum_figures(forum: Forum) -> dict[str, int]:
    row = (
        Topic.objects.filter(forum=forum)
        .order_by()
        .aggregate(
            raised=Count("id", filter=~Q(status__in=PUBLIC_HIDDEN)),
            done=Count("id", filter=Q(status=TopicStatus.CLOSED)),
            acting=Count("id", filter=Q(status=TopicStatus.ACTING)),
        )
    )
    return {k: v or 0 for k, v in row.items()}


def public_topic(pk: object) -> Topic:
    """A public topic of an active forum; someone's private topic is a 404 like a missing one."""
    try:
        return (
            Topic.objects.filter(public=True, forum__active=True)
            .exclude(status__in=PUBLIC_HIDDEN)
            .select_related("forum__kind", "forum__area", "forum__host_org", "resident")
            .get(pk=_pk(pk))
        )
    except Topic.DoesNotExist:
        raise Http404(gettext("议题不存在或未公开。")) from None


def topic_detail(topic: Topic) -> dict[str, Any]:
    """Sessions, votes (not drafts) with their options, actions, ratings: a fixed number of
    queries whatever the topic holds."""
    sessions = list(topic.sessions.order_by("held_at"))
    votes = list(
        topic.votes.exclude(status=VoteStatus.DRAFT).prefetch_related("options").order_by("id")
    )
    actions = list(topic.actions.order_by("deadline", "id"))
    ratings = {
        r["value"]: r["n"]
        for r in Rating.objects.filter(topic=topic, round=topic.rating_round)
        .order_by()
        .values("value")
        .annotate(n=Count("id"))
    }
    rating_rows = [(label, ratings.get(value, 0)) for value, label in Satisfaction.choices]
    return {
        "sessions": sessions,
        "votes": votes,
        "actions": actions,
        "ratings": rating_rows,
        "rated": sum(ratings.values()),
        "today": timezone.localdate(),
        "raised_by": mask_name(topic.resident.name if topic.resident else topic.raised_by_name),
    }


# ---- figures ------------------------------------------------------------------------------


def figures(scope: Scope) -> dict[str, object] | None:
    """The 工作台 card: topics raised / in 议 / in 办 / rated, and satisfaction. Two queries."""
    if not scope.has(VIEW):
        return None
    topics = Topic.objects.filter(reach_q(scope)).exclude(status__in=PUBLIC_HIDDEN)
    row = topics.order_by().aggregate(
        raised=Count("id"),
        deliberating=Count("id", filter=Q(status__in=OPEN_STATUSES)),
        acting=Count("id", filter=Q(status=TopicStatus.ACTING)),
        rated=Count("id", filter=Q(status=TopicStatus.CLOSED)),
    )
    r = Rating.objects.filter(reach_q(scope, via="topic__")).aggregate(
        n=Count("id"), good=Count("id", filter=~Q(value="unsatisfied"))
    )
    out: dict[str, object] = {k: v or 0 for k, v in row.items()}
    out["satisfaction"] = round(100 * r["good"] / r["n"]) if r["n"] else None
    return out


STORED_KEYS = (
    *(f"deliberation.topics.{s.value}" for s in TopicStatus),
    "deliberation.satisfaction_pct",
)


def stored_figures(request: object, scope: Scope, f: StoredFigures) -> dict[str, object] | None:
    """``figures``' card from the stored figures of the user's top of scope."""
    if not scope.has(VIEW):
        return None

    def n(*statuses: str) -> int:
        return sum(f.count(f"deliberation.topics.{s}") for s in statuses)

    rate = f.rate("deliberation.satisfaction_pct")
    return {
        "raised": n(*(s for s in TopicStatus.values if s not in PUBLIC_HIDDEN)),
        "deliberating": n(*OPEN_STATUSES),
        "acting": n(TopicStatus.ACTING),
        "rated": n(TopicStatus.CLOSED),
        "satisfaction": None if rate is None else round(rate),
    }
