"""topic_page: the public topic page and the public forum page (issue 15: ≤ 100 ms server time
at city scale, constant query count). Ours: GET /deliberation/p/topics/<pk>/ and
/deliberation/p/forums/<pk>/ without login, the full request through django.test.Client, for
the demo topic with the most votes and actions and the forum with the most topics. Baseline: a
bare view rendering the topic's title and status and its forum's name from raw SQL."""

from __future__ import annotations

from django.db import connection
from django.db.models import Count
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


def run(ctx: Context) -> None:
    ensure_demo(ctx)
    topic = (
        Topic.objects.filter(public=True, status="closed")
        .annotate(n=Count("votes", distinct=True) + Count("actions", distinct=True))
        .order_by("-n", "id")
        .first()
    )
    forum = Forum.objects.annotate(n=Count("topics")).order_by("-n", "id").first()
    assert topic is not None and forum is not None, "the demo has no deliberation data"
    client = Client()
    runs = 20
    for label, url in (
        ("topic", f"/deliberation/p/topics/{topic.pk}/"),
        ("forum", f"/deliberation/p/forums/{forum.pk}/"),
    ):

        def ours(url: str = url) -> bytes:
            r = client.get(url)
            assert r.status_code == 200, r.status_code
            return r.content

        ours_s, base_s, _html, _b = timed_pair(
            ours, lambda: bare_view(topic.pk), runs=runs, warmup=2
        )
        with CaptureQueriesContext(connection) as cq:
            ours()
        report(
            ctx,
            "topic_page",
            n=Topic.objects.count(),
            ours=ours_s * 1000,
            baseline=base_s * 1000,
            unit="ms",
            target=("ours", 100),
            runs=runs,
            queries=len(cq.captured_queries),
            write=label == "topic",
            note=f"GET {url.rsplit('/', 2)[0]}/… public {label} page, no login, full request; "
            "baseline: bare view, one raw SQL row",
        )
