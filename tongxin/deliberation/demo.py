"""Demo 议事 (seeds 001/004: "居民说事厅…等协商议事平台2200余个"; 象山村民说事 2010: 694 meetings,
1,218 topics, 88.5% resolved): about 2,200 forums for the city and proportionally 24 for the
town, one per community first (村民说事 in villages, 居民说事厅 elsewhere), then compounds
(墙门月光会, 小巷公议会, 圆桌听证会, 小区公约表决); each with a year of topics in every state,
sessions on its 说事日, votes counted with their origin (some missing their quorum), action
items (some overdue) and residents' ratings. The story compound (jumin's) comes first and has a
vote open today."""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from typing import Any

from django.utils import timezone

from tongxin.accounts.models import Resident
from tongxin.core.demodata import DemoContext
from tongxin.deliberation.models import (
    ActionItem,
    Attendance,
    Ballot,
    Forum,
    ForumKind,
    Household,
    HouseholdMember,
    Rating,
    Session,
    Topic,
    TopicSource,
    TopicStatus,
    Vote,
    VoteOption,
    VoteStatus,
)
from tongxin.deliberation.services.voting import decide
from tongxin.geo.models import Area, AreaLevel
from tongxin.orgs.models import Organization

FORUMS = {"town": 24, "city": 2200}
TOPICS_PER_FORUM = {"town": 14, "city": 6}
# Topics and meeting places fit the place: a community's residents do not discuss collective
# land, nor does a village meet in a compound's pavilion.
TITLES = [
    "3幢楼道堆物清理",
    "小区停车位重新划线",
    "加装电梯费用分摊",
    "广场舞音量扰民",
    "垃圾分类投放点搬迁",
    "老年食堂开办时间",
    "小区公约修订",
    "电动车集中充电棚",
    "物业费调整听证",
    "绿化带改建停车位",
    "健身器材更新",
    "外墙渗水维修基金使用",
    "流浪猫喂养规范",
    "河道保洁责任分工",
]
VILLAGE_TITLES = [
    "村道路灯安装",
    "村集体土地流转",
    "河道保洁责任分工",
    "村规民约修订",
    "农田灌溉渠修缮",
    "垃圾分类投放点搬迁",
    "老年食堂开办时间",
    "广场舞音量扰民",
    "文化礼堂活动安排",
    "村道拓宽占地补偿",
]
PLACES = ["党群服务站议事室", "社区会议室", "小区凉亭"]
VILLAGE_PLACES = ["村文化礼堂", "村委会议室", "党群服务站议事室"]
VILLAGE_KIND = "村民说事"


def _kinds() -> dict[str, ForumKind]:
    return {k.name: k for k in ForumKind.objects.all()}


def _story_compound(ctx: DemoContext) -> int | None:
    if ctx.story_compound_id:
        return ctx.story_compound_id
    r = Resident.objects.filter(user__username="jumin").values_list("home_id", flat=True).first()
    return r


def _places(ctx: DemoContext, n: int) -> list[tuple[Area, Organization, str]]:
    """(area, host org, kind name) for n forums: communities first, then compounds."""
    hosts: dict[int, Organization] = {}
    for o in Organization.objects.filter(
        area__level=AreaLevel.COMMUNITY, kind__in=["committee", "general_branch", "branch"]
    ).order_by("path"):
        hosts.setdefault(o.area_id or 0, o)
    communities = {a.pk: a for a in Area.objects.filter(pk__in=hosts)}
    story = _story_compound(ctx)
    compounds = list(
        Area.objects.filter(level=AreaLevel.COMPOUND).only("id", "path", "name", "level")
    )
    by_path = {a.path: a for a in communities.values()}
    out: list[tuple[Area, Organization, str]] = []
    comm = sorted(communities.values(), key=lambda a: a.path)
    for a in comm[: max(1, n // 2)]:
        village = a.name.endswith("村")
        out.append((a, hosts[a.pk], "村民说事" if village else "居民说事厅"))
    compounds.sort(key=lambda c: (c.pk != story, c.path))
    compound_kinds = ["墙门月光会", "小巷公议会", "圆桌听证会", "小区公约表决"]
    i = 0
    for c in compounds:
        if len(out) >= n:
            break
        parent = by_path.get(c.path[:-4])
        if parent is None:
            continue
        out.append((c, hosts[parent.pk], compound_kinds[i % len(compound_kinds)]))
        i += 1
    while len(out) < n and comm:  # a city with fewer compounds than forums: more per community
        a = comm[len(out) % len(comm)]
        out.append((a, hosts[a.pk], "小巷公议会"))
    return out[:n]


def load(ctx: DemoContext) -> None:
    rng: random.Random = ctx.rng
    kinds = _kinds()
    if not kinds:
        return
    places = _places(ctx, FORUMS[ctx.scale])
    if not places:
        return
    forums = [
        Forum(
            name=f"{area.name}{kind}",
            kind=kinds[kind],
            area=area,
            area_path=area.path,
            host_org=org,
            host_org_path=org.path,
            meeting_days="10,25" if kind in ("村民说事", "居民说事厅") else "",
            household_vote=kinds[kind].household_vote,
        )
        for area, org, kind in places
    ]
    Forum.objects.bulk_create(forums)
    # Residents of each forum's place; households (two neighbours of one home) where needed.
    residents: dict[str, list[int]] = defaultdict(list)
    prefixes = {f.area_path for f in forums}
    plen = {len(p) for p in prefixes}
    homes: dict[int, int] = {}
    for rid, path, home_id in Resident.objects.values_list("id", "home__path", "home_id"):
        homes[rid] = home_id
        for n in plen:
            if path[:n] in prefixes:
                residents[path[:n]].append(rid)
    household_paths = {f.area_path for f in forums if f.household_vote}
    area_path_of = dict(Area.objects.filter(pk__in=set(homes.values())).values_list("id", "path"))
    households, members = [], []
    seen: set[int] = set()
    for p in sorted(household_paths):
        rids = [r for r in residents[p] if r not in seen]
        for j in range(0, len(rids), 2):
            pair = rids[j : j + 2]
            home = homes[pair[0]]
            households.append(
                Household(area_id=home, area_path=area_path_of[home], label=f"{j // 2 + 1}号")
            )
            members.append(pair)
            seen.update(pair)
    Household.objects.bulk_create(households)
    HouseholdMember.objects.bulk_create(
        [
            HouseholdMember(household=h, resident_id=r)
            for h, pair in zip(households, members, strict=True)
            for r in pair
        ]
    )
    household_of = {r: h.pk for h, pair in zip(households, members, strict=True) for r in pair}
    households_in: dict[str, int] = defaultdict(int)
    for h in households:
        for p in household_paths:
            if h.area_path.startswith(p):
                households_in[p] += 1
    _topics(ctx, rng, forums, residents, household_of, households_in)


def _topics(
    ctx: DemoContext,
    rng: random.Random,
    forums: list[Forum],
    residents: dict[str, list[int]],
    household_of: dict[int, int],
    households_in: dict[str, int],
) -> None:
    now = timezone.now()
    today = ctx.today
    per = TOPICS_PER_FORUM[ctx.scale]
    story = _story_compound(ctx)
    topics: list[Topic] = []
    for f in forums:
        people = residents.get(f.area_path, [])
        titles = VILLAGE_TITLES if f.kind.name == VILLAGE_KIND else TITLES
        for k in range(per):
            age = int(365 * (1 - k / per)) + rng.randrange(0, 10)
            if k == per - 1:
                status = TopicStatus.RAISED
            elif k == per - 2 and f.area_id == story:
                status = TopicStatus.DELIBERATING  # the story's open vote
            elif age < 30:
                status = rng.choice([TopicStatus.RAISED, TopicStatus.DELIBERATING])
            elif age < 90:
                status = rng.choice(
                    [TopicStatus.DELIBERATING, TopicStatus.ACTING, TopicStatus.RATING]
                )
            else:
                status = rng.choices(
                    [
                        TopicStatus.CLOSED,
                        TopicStatus.ACTING,
                        TopicStatus.MERGED,
                        TopicStatus.REFERRED,
                        TopicStatus.DECLINED,
                    ],
                    [70, 12, 6, 8, 4],
                )[0]
            raised = now - dt.timedelta(days=age, hours=rng.randrange(0, 12))
            decided = status in (TopicStatus.ACTING, TopicStatus.RATING, TopicStatus.CLOSED)
            topics.append(
                Topic(
                    forum=f,
                    title=titles[(k + f.pk) % len(titles)],
                    body="居民反映，希望议事平台协商解决。",
                    status=status,
                    public=rng.random() > 0.05,
                    source=rng.choice(list(TopicSource.values)),
                    resident_id=rng.choice(people) if people and rng.random() < 0.6 else None,
                    raised_by_name="" if people else "居民代表",
                    area_path=f.area_path,
                    host_org_path=f.host_org_path,
                    decision="经议事会协商，同意实施，由相关责任方限期办理。" if decided else "",
                    raised_at=raised,
                    decided_at=raised + dt.timedelta(days=12) if decided else None,
                    closed_at=raised + dt.timedelta(days=60)
                    if status == TopicStatus.CLOSED
                    else None,
                )
            )
    Topic.objects.bulk_create(topics)
    agenda, votes, attendance = [], [], []
    Agenda = Session.topics.through
    voted = [
        t
        for t in topics
        if t.status
        in (TopicStatus.DELIBERATING, TopicStatus.ACTING, TopicStatus.RATING, TopicStatus.CLOSED)
    ]
    sessions = [
        Session(
            forum=t.forum,
            held_at=t.raised_at + dt.timedelta(days=10),
            place=rng.choice(VILLAGE_PLACES if t.forum.kind.name == VILLAGE_KIND else PLACES),
            parties=rng.sample(["residents", "deputies", "property", "departments"], 2),
            code=f"{rng.randrange(1_000_000):06d}",
            minutes="与会居民充分发表意见，形成共识。"
            if t.status != TopicStatus.DELIBERATING
            else "",
        )
        for t in voted
    ]
    Session.objects.bulk_create(sessions)
    for t, s in zip(voted, sessions, strict=True):
        agenda.append(Agenda(session=s, topic=t))
    agenda += _coming_sessions(rng, today, forums, topics, story)
    Agenda.objects.bulk_create(agenda)
    options, ballots, ratings, actions = [], [], [], []
    for t, s in zip(voted, sessions, strict=True):
        f = t.forum
        people = residents.get(f.area_path, [])
        mine = f.area_id == story
        if not people or (rng.random() < 0.4 and not mine):
            continue
        is_open = t.status == TopicStatus.DELIBERATING and (mine or rng.random() < 0.3)
        eligible = households_in.get(f.area_path, 0) if f.household_vote else len(people)
        if eligible == 0:
            continue
        v = Vote(
            topic=t,
            session=s,
            question=f"是否同意：{t.title}",
            status=VoteStatus.OPEN if is_open else VoteStatus.CLOSED,
            household_vote=f.household_vote,
            quorum_percent=f.kind.quorum_percent,
            pass_percent=f.kind.pass_percent,
            pass_inclusive=f.kind.pass_inclusive,
            pass_basis=f.kind.pass_basis,
            area_path=f.area_path,
            closes_at=now + dt.timedelta(days=3) if is_open else s.held_at + dt.timedelta(days=3),
            eligible=eligible,
        )
        votes.append(v)
    Vote.objects.bulk_create(votes)
    for v in votes:
        opts = [
            VoteOption(vote=v, label=label, order=i)
            for i, label in enumerate(["同意", "不同意", "弃权"])
        ]
        options.extend(opts)
    VoteOption.objects.bulk_create(options)
    by_vote: dict[int, list[VoteOption]] = defaultdict(list)
    for o in options:
        by_vote[o.vote_id].append(o)
    for v in votes:
        people = residents.get(v.area_path, [])
        share = rng.choice([0.1, 0.3, 0.5, 0.7, 0.8])
        voters = rng.sample(people, max(1, int(len(people) * share)))
        keys: set[str] = set()
        opts = by_vote[v.pk]
        counts = [0, 0, 0]
        for rid in voters:
            key = f"h{household_of[rid]}" if v.household_vote and rid in household_of else f"r{rid}"
            if (v.household_vote and rid not in household_of) or key in keys:
                continue
            keys.add(key)
            i = rng.choices([0, 1, 2], [70, 20, 10])[0]
            counts[i] += 1
            paper = rng.random() < 0.3
            ballots.append(
                Ballot(
                    vote=v,
                    option=opts[i],
                    voter_key=key,
                    resident_id=rid,
                    origin="paper" if paper else "online",
                )
            )
            if v.session_id:
                attendance.append(Attendance(session_id=v.session_id, resident_id=rid))
            opts[i].online += 0 if paper else 1
            opts[i].paper += 1 if paper else 0
            if v.topic.status == TopicStatus.CLOSED and rng.random() < 0.6:
                ratings.append(
                    Rating(
                        topic=v.topic,
                        resident_id=rid,
                        value=rng.choices(["satisfied", "basic", "unsatisfied"], [70, 22, 8])[0],
                    )
                )
        if v.status == VoteStatus.CLOSED:
            result, winner = decide(
                eligible=v.eligible,
                cast=sum(counts),
                counts=counts,
                quorum_percent=v.quorum_percent,
                pass_percent=v.pass_percent,
                inclusive=v.pass_inclusive,
                basis=v.pass_basis,
            )
            v.cast, v.result = sum(counts), result
            v.winner = opts[winner] if winner is not None else None
            v.closed_at = v.closes_at
        else:
            for o in opts:
                o.online = o.paper = 0
    Ballot.objects.bulk_create(ballots)
    Attendance.objects.bulk_create(attendance, ignore_conflicts=True)
    Vote.objects.bulk_update(votes, ["cast", "result", "winner", "closed_at"])
    VoteOption.objects.bulk_update(options, ["online", "paper"])
    Rating.objects.bulk_create(ratings, ignore_conflicts=True)
    owners = [("property", "物业服务中心"), ("org", "社区居委会"), ("department", "街道城建办")]
    for t in topics:
        if t.status not in (TopicStatus.ACTING, TopicStatus.RATING, TopicStatus.CLOSED):
            continue
        assert t.decided_at is not None
        for j in range(rng.randrange(1, 3)):
            kind, name = owners[(t.pk + j) % len(owners)]
            deadline = timezone.localdate(t.decided_at) + dt.timedelta(
                days=rng.choice([15, 30, 60])
            )
            done = t.status != TopicStatus.ACTING or (deadline < today and rng.random() < 0.3)
            actions.append(
                ActionItem(
                    topic=t,
                    title=f"{t.title}：落实第{j + 1}项",
                    owner_kind=kind,
                    owner_name=name,
                    deadline=deadline,
                    progress=100 if done else rng.choice([10, 40, 70]),
                    done_at=t.decided_at + dt.timedelta(days=20) if done else None,
                )
            )
    ActionItem.objects.bulk_create(actions)
    by_status: dict[str, int] = defaultdict(int)
    for t in topics:
        by_status[t.status] += 1
    ctx.say(
        f"协商议事：{len(forums)} 个议事平台，{len(topics)} 个议题，{len(sessions)} 次议事会，"
        f"{len(votes)} 次表决（{len(ballots)} 张选票），{len(actions)} 项办理事项"
    )


def _coming_sessions(
    rng: random.Random,
    today: dt.date,
    forums: list[Forum],
    topics: list[Topic],
    story: int | None,
) -> list[Any]:
    """The story forum's meetings on the demo's today at 19:30 (residents check in with its
    code, the host by member card: both only on the day) and a week later, each with the
    forum's topics in 议 on its agenda. Returns the agenda rows."""
    forum = next((f for f in forums if f.area_id == story), forums[0])
    open_topics = [
        t for t in topics if t.forum_id == forum.pk and t.status == TopicStatus.DELIBERATING
    ]
    if not open_topics:
        return []
    village = forum.kind.name == VILLAGE_KIND
    evening = dt.time(19, 30)
    sessions = [
        Session(
            forum=forum,
            held_at=timezone.make_aware(dt.datetime.combine(today + dt.timedelta(days=d), evening)),
            place=(VILLAGE_PLACES if village else PLACES)[0],
            parties=["residents", "property"] if not village else ["residents", "deputies"],
            code=f"{rng.randrange(1_000_000):06d}",
            invited_note="村两委成员、村民代表" if village else "楼道长、物业服务中心",
        )
        for d in (0, 7)
    ]
    Session.objects.bulk_create(sessions)
    return [Session.topics.through(session=s, topic=t) for s in sessions for t in open_topics]


def wipe() -> None:
    for model in (Rating, ActionItem, Ballot, VoteOption, Vote, Attendance, Session, Topic):
        model.objects.all().delete()
    HouseholdMember.objects.all().delete()
    Household.objects.all().delete()
    Forum.objects.all().delete()
