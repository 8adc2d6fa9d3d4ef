"""ballot_post: 1,000 述职评议 ballots through the full stack (issue 14: seconds per 1,000, aim
≤ 3× the bare view). Ours: 50 raters signed in on their own django.test.Client, each POSTing a
grade for each of 20 reporters to /appraisal/v/<token>/<reporter>/ (every middleware, the
session, the rater check, the session's status, the ballot row, the audit row and the
redirect). Baseline (the target line): a bare view inserting one ballot row for the signed-in
user, served through the same stack (django.test.Client, every middleware, the session and
login_required, which any ballot view needs to know who votes). Also printed: the bare view
called directly through RequestFactory (no middleware, no session, no sign-in): that ratio
includes what Django's request cycle itself costs. Smaller is better."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.test import Client, RequestFactory, override_settings
from django.urls import path

from bench.benchmarks import ensure_demo
from bench.util import Context, report, timed_pair
from config import urls as root_urls
from tongxin.accounts.models import RoleAssignment, User
from tongxin.appraisal.models import Ballot, PoolKind, Rater, ReviewKind, ReviewSession
from tongxin.appraisal.services import review as rsvc
from tongxin.core.scope import Scope
from tongxin.orgs.models import Organization

RATERS, REPORTERS = 50, 20
ALL = Scope.everything()


def bare_view(request: HttpRequest) -> HttpResponse:
    Ballot.objects.create(
        session_id=request.POST["s"],
        reporter_id=request.POST["r"],
        rater_id=request.POST["v"],
        pool_id=request.POST["p"],
        grade="good",
        origin="phone",
    )
    return HttpResponse("ok")


@login_required
def served_bare_view(request: HttpRequest) -> HttpResponse:
    """The same insert, for the signed-in user, served at /bench/ballot/ through every
    middleware (ROOT_URLCONF=bench.ballot_post)."""
    assert request.user.is_authenticated
    return bare_view(request)


urlpatterns = [path("bench/ballot/", served_bare_view), *root_urls.urlpatterns]


def run(ctx: Context) -> None:
    ensure_demo(ctx)
    ra = RoleAssignment.objects.filter(user__username="jiedao", org__isnull=False).first()
    assert ra is not None and ra.org is not None
    street = ra.org
    session = rsvc.review_create(
        scope=ALL,
        actor=None,
        org=street,
        title="投票基准",
        year=2026,
        kind=ReviewKind.ORG,
        pools=[rsvc.PoolInput(PoolKind.MEMBERS, 100, 5)],
    )
    pool = session.pools.get()
    clients: list[Client] = []
    raters: list[Rater] = []
    for i in range(RATERS):
        user = User.objects.create_user(username=f"bench_rater_{i}", password=None)
        raters.append(
            rsvc.rater_add(scope=ALL, actor=None, pool=pool, name=f"评议人{i}", user=user)
        )
        c = Client()
        c.force_login(user)
        clients.append(c)
    orgs = Organization.objects.filter(path__startswith=street.path).exclude(pk=street.pk)
    reporters = [
        rsvc.reporter_add(scope=ALL, actor=None, session=session, org=o)
        for o in orgs.order_by("path")[:REPORTERS]
    ]
    rsvc.review_open(scope=ALL, actor=None, session=session)
    factory = RequestFactory()
    urls = [f"/appraisal/v/{session.token}/{r.pk}/" for r in reporters]

    def clear() -> None:
        Ballot.objects.filter(session=session).delete()

    def ours() -> int:
        for c in clients:
            for url in urls:
                r = c.post(url, {"grade": "good"})
                assert r.status_code == 302, r.content[:300]
        return Ballot.objects.filter(session=session).count()

    def baseline() -> int:
        for v in raters:
            for rep in reporters:
                data = {"s": session.pk, "r": rep.pk, "v": v.pk, "p": pool.pk}
                bare_view(factory.post("/bench/", data))
        return Ballot.objects.filter(session=session).count()

    def served_baseline() -> int:
        for c, v in zip(clients, raters, strict=True):
            for rep in reporters:
                data = {"s": session.pk, "r": rep.pk, "v": v.pk, "p": pool.pk}
                r = c.post("/bench/ballot/", data)
                assert r.status_code == 200, r.status_code
        return Ballot.objects.filter(session=session).count()

    runs = 3
    n = len(clients) * len(urls)
    with override_settings(ROOT_URLCONF="bench.ballot_post"):
        ours_s, served_s, n_ours, n_served = timed_pair(
            ours, served_baseline, runs=runs, warmup=0, before_ours=clear, before_baseline=clear
        )
    assert n_ours == n_served == n, (n_ours, n_served, n)
    ours2_s, base_s, n_ours, n_base = timed_pair(
        ours, baseline, runs=runs, warmup=0, before_ours=clear, before_baseline=clear
    )
    assert n_ours == n_base == n, (n_ours, n_base, n)
    clear()
    ReviewSession.objects.filter(pk=session.pk).delete()
    User.objects.filter(username__startswith="bench_rater_").delete()
    report(
        ctx,
        "ballot_post",
        n=n,
        ours=ours_s * 1000 / n,
        baseline=served_s * 1000 / n,
        unit="s/1000",
        target=("ratio", 3.0),
        runs=runs,
        note="ours: POST /appraisal/v/<token>/<reporter>/ via django.test.Client by 50 signed-in "
        "raters × 20 reporters; baseline: a bare login_required view inserting one ballot row, "
        "POSTed by the same signed-in clients through the same middleware; seconds per 1,000 "
        "ballots",
    )
    report(
        ctx,
        "ballot_post",
        n=n,
        ours=ours2_s * 1000 / n,
        baseline=base_s * 1000 / n,
        unit="s/1000",
        target=("ratio", 3.0),
        runs=runs,
        write=False,
        note="the same ballots; baseline: the bare view called directly via RequestFactory (no "
        "middleware, session or sign-in): the ratio includes Django's own request cycle",
    )
