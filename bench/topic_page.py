"""topic_page: the public topic page and the public forum page (issue 15: ≤ 100 ms server time
at city scale, constant query count). Ours: GET /deliberation/p/topics/<pk>/ and
/deliberation/p/forums/<pk>/ without login, the full request through django.test.Client, for
the demo topic with the most votes and actions and the forum with the most topics. Baseline: a
bare view rendering the topic's title and status and its forum's name from raw SQL. The query
count is also taken on the smallest topic (one vote) and forum (one public topic): the line's
``queries_smallest`` must equal ``queries`` (constant, whatever a page holds and however many
forums the city has)."""

from __future__ import annotations

from django.db import connection
from django.db.models import Count, Q
from django.http import HttpResponse
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils.html import escape

from bench.benchmarks import ensure_demo, raw_fetch, raw_sql
from bench.util import Context, report, timed_pair
from tongxin.deliberation.models import Forum, Topic

SQL = (
    "SELECT t.title, t.status, f.name FROM deliberation_topic t"
    " JOIN deliberation_forum f ON f.id = t.forum_id WHERE t.id = {p}"
)


def bare_view(pk: int) -> HttpResponse:
    title, status, forum = raw_fetch(raw_sql(SQL), (pk,))[0]
    return HttpResponse(f"<h1>{escape(title)}</h1><p>{escape(status)}</p><p>{escape(forum)}</p>")


def _queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as cq:
        r = client.get(url)
    assert r.status_code == 200, (url, r.status_code)
    return len(cq.captured_queries)


def run(ctx: Context) -> None:
    ensure_demo(ctx)
    topics = (
        Topic.objects.filter(public=True, status="closed", forum__active=True)
        .annotate(
            v=Count("votes", distinct=True),
            n=Count("votes", distinct=True) + Count("actions", distinct=True),
        )
        .filter(v__gte=1)
    )
    topic = topics.order_by("-n", "id").first()
    small_topic = topics.order_by("n", "id").first()
    forums = Forum.objects.filter(active=True).annotate(
        n=Count("topics", filter=Q(topics__public=True))
    )
    forum = forums.order_by("-n", "id").first()
    small_forum = forums.filter(n__gte=1).order_by("n", "id").first()
    assert topic and forum and small_topic and small_forum, "the demo has no deliberation data"
    client = Client()
    smallest = {
        "topic": _queries(client, f"/deliberation/p/topics/{small_topic.pk}/"),
        "forum": _queries(client, f"/deliberation/p/forums/{small_forum.pk}/"),
    }
    runs = 20
    for label, url, size in (
        ("topic", f"/deliberation/p/topics/{topic.pk}/", f"{topic.n} votes and actions"),
        ("forum", f"/deliberation/p/forums/{forum.pk}/", f"{forum.n} public topics"),
    ):

        def ours(url: str = url) -> bytes:
            r = client.get(url)
            assert r.status_code == 200, r.status_code
            return r.content

        ours_s, base_s, _html, _b = timed_pair(
            ours, lambda: bare_view(topic.pk), runs=runs, warmup=2
        )
        queries = _queries(client, url)
        report(
            ctx,
            "topic_page",
            n=Topic.objects.count(),
            ours=ours_s * 1000,
            baseline=base_s * 1000,
            unit="ms",
            target=("ours", 100),
            runs=runs,
            queries=queries,
            queries_smallest=smallest[label],
            constant_queries=queries == smallest[label],
            forums=Forum.objects.count(),
            write=label == "topic",
            note=f"GET {url.rsplit('/', 2)[0]}/… public {label} page ({size}), no login, full "
            "request; baseline: bare view, one raw SQL row",
        )
