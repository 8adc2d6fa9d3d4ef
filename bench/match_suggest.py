"""match_suggest: suggestions for a listing among the open listings of the demo (100,000 at
city scale). Ours: tongxin.sharing.selectors.suggestions (the listing's tokens, then one query:
same kind, opposite direction, in the poster's circles, overlapping window, ranked by circle
and shared jieba tokens). Baseline: a hand-written candidate query on the same index (same
street, kind, direction, open; newest 10), without circles, time window or text ranking."""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext

from bench.benchmarks import ensure_demo, explain, raw_fetch, raw_sql
from bench.util import Context, report, save_plans, timed_pair
from tongxin.sharing import selectors
from tongxin.sharing.models import Listing, ListingStatus

SAMPLE = 25
BASELINE_SQL = (
    "SELECT id, title FROM sharing_listing WHERE street_id = {p} AND kind = {p} "
    "AND direction = {p} AND status = 'open' AND resident_id <> {p} ORDER BY id DESC LIMIT 10"
)


def run(ctx: Context) -> None:
    ensure_demo(ctx)
    open_listings = Listing.objects.filter(status=ListingStatus.OPEN)
    n = open_listings.count()
    step = max(n // SAMPLE, 1)
    ids = list(open_listings.order_by("id").values_list("id", flat=True)[::step][:SAMPLE])
    sample = list(Listing.objects.filter(pk__in=ids).order_by("id"))
    sql = raw_sql(BASELINE_SQL)
    opposite = {"need": "offer", "offer": "need"}

    def ours() -> list[list[int]]:
        return [[s.pk for s in selectors.suggestions(x)] for x in sample]

    def baseline() -> list[list[Any]]:
        return [
            raw_fetch(sql, (x.street_id, x.kind, opposite[x.direction], x.resident_id))
            for x in sample
        ]

    runs = 7
    ours_s, base_s, found, _raw = timed_pair(ours, baseline, runs=runs, warmup=1)
    per = 1000 / len(sample)
    with CaptureQueriesContext(connection) as cq:
        selectors.suggestions(sample[0])
        list(selectors.suggestions(sample[0]))
    report(
        ctx,
        "match_suggest",
        n=n,
        ours=ours_s * per,
        baseline=base_s * per,
        unit="ms",
        target=("ours", 200),
        runs=runs,
        sample=len(sample),
        found_avg=round(sum(len(f) for f in found) / len(found), 1),
        queries_per_listing=len(cq.captured_queries) // 2,
        note="per listing, median of runs over a sample spread across the city; ours: "
        "tokens + the ranked suggestion query; baseline: raw candidate query, no ranking",
    )
    save_plans(ctx, "match_suggest", {"suggestions": explain(cq.captured_queries[-1]["sql"])})
