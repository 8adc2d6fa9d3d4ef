"""board_page: the 共享小区 board at city scale. Ours: GET /sharing/board/ as the org_dept user
at the city root (every listing in the city, newest first, paginated), the full request through
django.test.Client. Baseline: a bare view rendering the same 20 rows and the count from raw SQL.
A second line times a resident's home page (their compound's board)."""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.http import HttpResponse
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils.html import escape

from bench.benchmarks import bounds, ensure_demo, explain, raw_fetch, raw_sql
from bench.util import Context, report, save_plans, timed_pair
from tongxin.accounts.models import User
from tongxin.orgs.models import Organization

ROWS_SQL = (
    "SELECT l.id, l.title, l.direction, l.kind, a.name, l.visibility, l.status, l.report_count,"
    " l.created_at FROM sharing_listing l JOIN geo_area a ON a.id = l.compound_id"
    " WHERE l.compound_path >= {p} AND l.compound_path <= {p}"
    " ORDER BY l.compound_path DESC, l.id DESC LIMIT 20"
)
COUNT_SQL = (
    "SELECT COUNT(*) FROM sharing_listing WHERE compound_path >= {p} AND compound_path <= {p}"
)


def bare_view(params: tuple[str, str]) -> HttpResponse:
    count = raw_fetch(raw_sql(COUNT_SQL), params)[0][0]
    rows = raw_fetch(raw_sql(ROWS_SQL), params)
    body = "".join(
        f'<tr><td><a href="/sharing/board/{r[0]}/">{escape(r[1])}</a></td>'
        + "".join(f"<td>{escape(str(v))}</td>" for v in r[2:])
        + "</tr>"
        for r in rows
    )
    return HttpResponse(f"<p>{count}</p><table>{body}</table>")


def run(ctx: Context) -> None:
    ensure_demo(ctx)
    city = Organization.objects.get(depth=1)
    assert city.area is not None
    params = bounds(city.area.path)
    client = Client()
    client.force_login(User.objects.get(username="zuzhibu"))

    def ours() -> bytes:
        r = client.get("/sharing/board/")
        assert r.status_code == 200, r.status_code
        return r.content

    runs = 15
    ours_s, base_s, html, bare = timed_pair(ours, lambda: bare_view(params), runs=runs, warmup=2)
    first = raw_fetch(raw_sql(ROWS_SQL), params)[0][0]
    assert f"/sharing/board/{first}/".encode() in html and str(first).encode() in bare.content
    with CaptureQueriesContext(connection) as cq:
        ours()
    n = raw_fetch(raw_sql(COUNT_SQL), params)[0][0]
    report(
        ctx,
        "board_page",
        n=n,
        ours=ours_s * 1000,
        baseline=base_s * 1000,
        unit="ms",
        target=("ours", 150),
        runs=runs,
        queries=len(cq.captured_queries),
        note="GET /sharing/board/ as org_dept at the city root (all listings), full request; "
        "baseline: bare view, raw SQL count + 20 rows",
    )
    listing_qs = [q["sql"] for q in cq.captured_queries if "sharing_listing" in q["sql"]]
    plans = {
        "board count": explain(next(q for q in listing_qs if "COUNT(" in q)),
        "board rows": explain(next(q for q in listing_qs if "LIMIT" in q)),
    }

    resident = Client()
    resident.force_login(User.objects.get(username="jumin"))

    def home() -> Any:
        r = resident.get("/sharing/")
        assert r.status_code == 200, r.status_code
        return r

    home_s, base2_s, _r, _b = timed_pair(home, lambda: bare_view(params), runs=runs, warmup=2)
    with CaptureQueriesContext(connection) as cq2:
        home()
    report(
        ctx,
        "board_page",
        n=n,
        ours=home_s * 1000,
        baseline=base2_s * 1000,
        unit="ms",
        target=("ours", 150),
        runs=runs,
        queries=len(cq2.captured_queries),
        write=False,
        note="GET /sharing/ as the resident jumin (their compound's board)",
    )
    save_plans(ctx, "board_page", plans)
