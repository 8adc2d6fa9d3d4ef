"""power_register: the public 小微权力 register and the street's overview. Ours: GET
/powers/public/ anonymously (every instance past its draft, newest first, paginated, names
masked), the full request through django.test.Client. Baseline: a bare view rendering the same
20 rows and the count from raw SQL. A second line times GET /powers/ as the org_dept user at
the city root (per village, fifty a page: items, running, completed and stuck), against the
same bare view."""

from __future__ import annotations

from django.db import connection
from django.http import HttpResponse
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils.html import escape

from bench.benchmarks import ensure_demo, explain, raw_fetch, raw_sql
from bench.util import Context, report, save_plans, timed_pair
from tongxin.accounts.models import User

ROWS_SQL = (
    "SELECT i.id, i.title, i.status, i.applicant, t.name, a.name FROM powers_powerinstance i"
    " JOIN powers_poweritem t ON t.id = i.item_id JOIN geo_area a ON a.id = t.area_id"
    " WHERE i.status <> {p} ORDER BY i.id DESC LIMIT 20"
)
COUNT_SQL = "SELECT COUNT(*) FROM powers_powerinstance WHERE status <> {p}"


def bare_view() -> HttpResponse:
    params = ("draft",)
    count = raw_fetch(raw_sql(COUNT_SQL), params)[0][0]
    rows = raw_fetch(raw_sql(ROWS_SQL), params)
    body = "".join(
        f'<li><a href="/powers/public/instances/{r[0]}/">{escape(r[1])}</a>'
        f"{escape(r[2])} {escape(r[3][:1])}** {escape(r[4])} {escape(r[5])}</li>"
        for r in rows
    )
    return HttpResponse(f"<p>{count}</p><ul>{body}</ul>")


def run(ctx: Context) -> None:
    ensure_demo(ctx)
    anonymous = Client()

    def ours() -> bytes:
        r = anonymous.get("/powers/public/")
        assert r.status_code == 200, r.status_code
        return r.content

    runs = 15
    ours_s, base_s, html, bare = timed_pair(ours, bare_view, runs=runs, warmup=2)
    first = raw_fetch(raw_sql(ROWS_SQL), ("draft",))[0][0]
    assert f"/powers/public/instances/{first}/".encode() in html
    assert str(first).encode() in bare.content
    with CaptureQueriesContext(connection) as cq:
        ours()
    n = raw_fetch(raw_sql(COUNT_SQL), ("draft",))[0][0]
    report(
        ctx,
        "power_register",
        n=n,
        ours=ours_s * 1000,
        baseline=base_s * 1000,
        unit="ms",
        target=("ours", 100),
        runs=runs,
        queries=len(cq.captured_queries),
        note="GET /powers/public/ anonymously (every public instance), full request; "
        "baseline: bare view, raw SQL count + 20 rows",
    )
    plans = {
        "register count": explain(
            next(q["sql"] for q in cq.captured_queries if "COUNT(" in q["sql"])
        ),
    }

    staff = Client()
    staff.force_login(User.objects.get(username="zuzhibu"))

    def overview() -> bytes:
        r = staff.get("/powers/")
        assert r.status_code == 200, r.status_code
        return r.content

    over_s, base2_s, _h, _b = timed_pair(overview, bare_view, runs=runs, warmup=2)
    with CaptureQueriesContext(connection) as cq2:
        overview()
    report(
        ctx,
        "power_register",
        n=n,
        ours=over_s * 1000,
        baseline=base2_s * 1000,
        unit="ms",
        target=("ours", 300),
        runs=runs,
        queries=len(cq2.captured_queries),
        write=False,
        note="GET /powers/ as org_dept at the city root: the first 50 villages' items, "
        "running, completed and stuck instances (of the whole reach's count of places), "
        "and the stuck list",
    )
    save_plans(ctx, "power_register", plans)
