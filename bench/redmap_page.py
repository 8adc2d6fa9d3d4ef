"""redmap_page: the 初心图谱 at its full size (issue 16: the map data for 400 sites and the list
≤ 100 ms server time). Ours: GET /redmap/map.json (every open site as a marker, the districts'
boxes) plus GET /redmap/ (the filter bar, the counts by kind and the first page of the list),
both through django.test.Client as a member (every middleware, the session, the Scope).
Baseline: a bare view answering the same markers, count and 20 rows from raw SQL. A town has
fewer sites than the city's 400 红色示范基地 and 200 初心学堂: the benchmark adds sites up to 600."""

from __future__ import annotations

import json
import secrets

from django.http import HttpResponse
from django.test import Client
from django.utils import timezone
from django.utils.html import escape

from bench.benchmarks import ensure_demo, raw_fetch
from bench.util import Context, report, timed_pair
from tongxin.accounts.models import User
from tongxin.core.bulk import bulk_insert
from tongxin.redmap.models import RedSite

TOTAL = 600
POINTS_SQL = (
    "SELECT id, name, kind, latitude, longitude, address FROM redmap_redsite"
    " WHERE is_active ORDER BY id"
)
COUNT_SQL = "SELECT COUNT(*) FROM redmap_redsite WHERE is_active"
ROWS_SQL = (
    "SELECT s.id, s.name, s.kind, s.address, a.name FROM redmap_redsite s"
    " JOIN geo_area a ON a.id = s.area_id WHERE s.is_active"
    " ORDER BY s.area_path, s.name, s.id LIMIT 20"
)


def top_up() -> int:
    """Copies of the demo's sites (moved a little) until there are TOTAL."""
    have = list(RedSite.objects.order_by("id")[:50])
    n = RedSite.objects.count()
    if n >= TOTAL or not have:
        return n
    next_id = (RedSite.objects.order_by("-id").values_list("id", flat=True).first() or 0) + 1
    now = timezone.now()
    rows = []
    for i in range(TOTAL - n):
        s = have[i % len(have)]
        rows.append(
            (
                next_id + i,
                f"{s.name}·{i}",
                s.kind,
                s.address,
                s.area_id,
                s.area_path,
                s.org_id,
                s.org_path,
                s.latitude + (i % 17) * 0.001,
                s.longitude + (i % 13) * 0.001,
                s.radius_m,
                json.dumps(s.opening_hours),
                "[]",
                s.capacity,
                s.story,
                secrets.token_hex(16),
                True,
                now,
            )
        )
    cols = [
        "id",
        "name",
        "kind",
        "address",
        "area_id",
        "area_path",
        "org_id",
        "org_path",
        "latitude",
        "longitude",
        "radius_m",
        "opening_hours",
        "closed_dates",
        "capacity",
        "story",
        "door_secret",
        "is_active",
        "created_at",
    ]
    bulk_insert(RedSite._meta.db_table, cols, rows)
    return RedSite.objects.count()


def bare_view() -> tuple[HttpResponse, HttpResponse]:
    points = [
        {"id": r[0], "name": r[1], "kind": r[2], "lat": r[3], "lng": r[4], "address": r[5]}
        for r in raw_fetch(POINTS_SQL, ())
    ]
    count = raw_fetch(COUNT_SQL, ())[0][0]
    body = "".join(
        f'<li><a href="/redmap/sites/{r[0]}/">{escape(r[1])}</a> {r[2]} {escape(r[4])}'
        f" {escape(r[3])}</li>"
        for r in raw_fetch(ROWS_SQL, ())
    )
    return (
        HttpResponse(json.dumps({"points": points}), content_type="application/json"),
        HttpResponse(f"<p>{count}</p><ul>{body}</ul>"),
    )


def run(ctx: Context) -> None:
    ensure_demo(ctx)
    n = top_up()
    client = Client()
    client.force_login(User.objects.get(username="dangyuan"))

    def ours() -> tuple[bytes, bytes]:
        m = client.get("/redmap/map.json")
        page = client.get("/redmap/")
        assert m.status_code == 200 and page.status_code == 200
        return m.content, page.content

    runs = 15
    ours_s, base_s, (data, _html), (bare_json, _bare) = timed_pair(
        ours, bare_view, runs=runs, warmup=2
    )
    assert len(json.loads(data)["points"]) == len(json.loads(bare_json.content)["points"]) == n
    report(
        ctx,
        "redmap_page",
        n=n,
        ours=ours_s * 1000,
        baseline=base_s * 1000,
        unit="ms",
        target=("ours", 100),
        runs=runs,
        note="GET /redmap/map.json + GET /redmap/ as a member, full requests; baseline: bare "
        "view, raw SQL markers + count + 20 rows; n = open sites",
    )
