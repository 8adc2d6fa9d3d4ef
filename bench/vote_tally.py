"""vote_tally (issue 15): (1) tallying a one-vote-per-household vote of a 3,000-household
compound, ≤ 50 ms: ours is selectors.tally + the rule (voting.decide), the baseline the same
GROUP BY in raw SQL; (2) 1,000 ballots posted through the full stack (POST of the resident's
topic page: session, resident, scope of the place, household key, unique insert, audit row,
redirect), seconds per 1,000 against a bare view inserting the same rows, aim ≤ 3×: the target
line is the bare view served through the same stack and sign-in; the bare view called directly
through RequestFactory is printed too (that ratio includes Django's own request cycle)."""

from __future__ import annotations

import datetime as dt

from django.apps import apps
from django.contrib.auth.decorators import login_required
from django.contrib.auth.hashers import make_password
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.test import Client, RequestFactory, override_settings
from django.urls import path
from django.utils import timezone

from bench.benchmarks import ensure_demo, raw_fetch, raw_sql
from bench.util import Context, report, timed_pair
from config import urls as root_urls
from tongxin.accounts.models import Resident, User
from tongxin.core.scope import Scope
from tongxin.deliberation import kinds, selectors
from tongxin.deliberation.models import (
    Ballot,
    Forum,
    ForumKind,
    Household,
    HouseholdMember,
    Topic,
    Vote,
)
from tongxin.deliberation.services import forums, topics, voting
from tongxin.geo.models import Area, AreaLevel
from tongxin.orgs.models import Organization

HOUSEHOLDS = 3000
POSTED = 1000
TALLY_SQL = (
    "SELECT option_id, origin, COUNT(*) FROM deliberation_ballot WHERE vote_id = {p}"
    " GROUP BY option_id, origin"
)


def _compound() -> tuple[Area, Organization]:
    org = (
        Organization.objects.filter(area__level=AreaLevel.COMMUNITY).select_related("area").first()
    )
    assert org is not None and org.area is not None
    # The area tree is kept sorted by name (treebeard's node_order_by): a child whose name sorts
    # before a sibling's moves that sibling's subtree to new paths, which the rows that copy an
    # area's path (forums, topics, households) would not follow. The name extends the last
    # sibling's, so the compound goes last and no other path changes.
    last = org.area.get_children().order_by("-name").values_list("name", flat=True).first()
    compound = org.area.add_child(name=f"{last or ''}议事基准小区", level=AreaLevel.COMPOUND)
    return compound, org


def _residents(compound: Area) -> list[Resident]:
    password = make_password(None)
    users = User.objects.bulk_create(
        [User(username=f"bench_vote_{i}", password=password) for i in range(HOUSEHOLDS)]
    )
    residents = Resident.objects.bulk_create(
        [Resident(user=u, name=f"居民{i}", home=compound) for i, u in enumerate(users)]
    )
    households = Household.objects.bulk_create(
        [
            Household(area=compound, area_path=compound.path, label=f"{i}号")
            for i in range(HOUSEHOLDS)
        ]
    )
    HouseholdMember.objects.bulk_create(
        [
            HouseholdMember(household=h, resident=r)
            for h, r in zip(households, residents, strict=True)
        ]
    )
    return residents


def run(ctx: Context) -> None:
    ensure_demo(ctx)
    kinds.load(apps, None)
    system = Scope.everything()
    compound, org = _compound()
    residents = _residents(compound)
    forum = forums.forum_create(
        scope=system,
        actor=None,
        name="议事基准小区公约表决",
        kind=ForumKind.objects.get(name="小区公约表决"),
        area=compound,
        host_org=org,
    )
    topic = topics.topic_enter(scope=system, actor=None, forum=forum, title="小区公约修订")
    topics.topic_accept(scope=system, actor=None, topic=topic)
    far = timezone.now() + dt.timedelta(days=7)
    vote = voting.vote_create(
        scope=system,
        actor=None,
        topic=topic,
        question="是否同意修订后的小区公约",
        options=["同意", "不同意", "弃权"],
        closes_at=far,
    )
    assert vote.eligible == HOUSEHOLDS
    options = list(vote.options.all())

    # (1) the tally of 2,400 household ballots (80% turnout, 2,160 yes: over two thirds of all
    # 3,000 households), 30% of them on paper
    Ballot.objects.bulk_create(
        [
            Ballot(
                vote=vote,
                option=options[0 if i % 10 < 9 else 1],
                voter_key=f"h{i}",
                resident=r,
                origin="paper" if i % 10 < 3 else "online",
            )
            for i, r in enumerate(residents[: HOUSEHOLDS * 8 // 10])
        ]
    )

    def ours() -> str:
        t = selectors.tally(vote)
        result, _w = voting.decide(
            eligible=t.eligible,
            cast=t.cast,
            counts=[a + b for _o, a, b in t.rows],
            quorum_percent=vote.quorum_percent,
            pass_percent=vote.pass_percent,
            inclusive=vote.pass_inclusive,
            basis=vote.pass_basis,
        )
        return result

    runs = 20
    ours_s, base_s, result, rows = timed_pair(
        ours, lambda: raw_fetch(raw_sql(TALLY_SQL), (vote.pk,)), runs=runs, warmup=2
    )
    assert result == "passed" and sum(r[2] for r in rows) == HOUSEHOLDS * 8 // 10, (result, rows)
    report(
        ctx,
        "vote_tally",
        n=HOUSEHOLDS,
        ours=ours_s * 1000,
        baseline=base_s * 1000,
        unit="ms",
        target=("ours", 50),
        runs=runs,
        note="tally of a 3,000-household vote (2,400 ballots, online and paper) with the rule; "
        "baseline: the raw GROUP BY",
    )

    # (2) 1,000 ballots posted through the full stack vs a bare insert view
    Ballot.objects.filter(vote=vote).delete()
    voters = residents[:POSTED]
    clients = []
    for r in voters:
        c = Client()
        c.force_login(r.user)
        clients.append(c)
    url = f"/deliberation/mine/topics/{topic.pk}/"
    factory = RequestFactory()

    def bare_view(request: HttpRequest) -> HttpResponse:
        Ballot.objects.create(
            vote_id=vote.pk,
            option_id=int(request.POST["option"]),
            voter_key=request.POST["key"],
            resident_id=int(request.POST["r"]),
            origin="online",
        )
        return HttpResponse("ok")

    def post_all() -> int:
        for c in clients:
            r = c.post(url, {"action": "vote", "option": options[0].pk})
            assert r.status_code == 302, r.status_code
        return Ballot.objects.filter(vote=vote).count()

    def bare_all() -> int:
        for i, r in enumerate(voters):
            bare_view(factory.post("/b/", {"option": options[0].pk, "key": f"x{i}", "r": r.pk}))
        return POSTED

    def clear() -> None:
        Ballot.objects.filter(vote=vote).delete()

    runs = 3
    ours_s, base_s, posted, _n = timed_pair(
        post_all, bare_all, runs=runs, before_ours=clear, before_baseline=clear
    )
    assert posted == POSTED, posted
    report(
        ctx,
        "vote_tally",
        n=POSTED,
        ours=ours_s,
        baseline=base_s,
        unit="s",
        target=("ratio", 3),
        runs=runs,
        write=False,
        note="1,000 ballots POSTed by 1,000 signed-in residents through the resident topic page "
        "(full stack, audit row each); baseline: bare view inserting the row, via RequestFactory",
    )

    # The same 1,000 POSTs to a bare insert view served through the same stack (middleware,
    # session, login_required: any ballot view must know who votes): what the framework alone
    # costs per ballot. The target line of the full-stack part.
    state["vote"], state["option"] = vote.pk, options[0].pk
    with override_settings(ROOT_URLCONF="bench.vote_tally"):

        def bare_posts() -> int:
            for i, c in enumerate(clients):
                r = c.post("/bench/ballot/", {"key": f"y{i}", "r": voters[i].pk})
                assert r.status_code == 200, r.status_code
            return POSTED

        ours2_s, bare2_s, _p, _n2 = timed_pair(
            post_all, bare_posts, runs=runs, before_ours=clear, before_baseline=clear
        )
    report(
        ctx,
        "vote_tally",
        n=POSTED,
        ours=ours2_s,
        baseline=bare2_s,
        unit="s",
        target=("ratio", 3),
        runs=runs,
        write=False,
        note="the same 1,000 ballots; baseline: a bare login_required insert view behind the "
        "same middleware and signed-in session (django.test.Client)",
    )
    _cleanup(compound, forum, topic, vote)


state: dict[str, int] = {}


@login_required
def _served_bare(request: HttpRequest) -> HttpResponse:
    assert request.user.is_authenticated
    Ballot.objects.create(
        vote_id=state["vote"],
        option_id=state["option"],
        voter_key=request.POST["key"],
        resident_id=int(request.POST["r"]),
        origin="online",
    )
    return HttpResponse("ok")


urlpatterns = [path("bench/ballot/", _served_bare), *root_urls.urlpatterns]


def _cleanup(compound: Area, forum: Forum, topic: Topic, vote: Vote) -> None:
    vote.delete()
    Topic.objects.filter(pk=topic.pk).delete()
    Forum.objects.filter(pk=forum.pk).delete()
    Household.objects.filter(area=compound).delete()
    User.objects.filter(username__startswith="bench_vote_").delete()
    connection.close()
