"""points_page: a member's own 锋领指数 page and their branch's ranking page, full requests
through django.test.Client, against a bare view that renders the same figures from raw SQL
(the branch members' year totals and the member's ledger page)."""

from __future__ import annotations

from django.db import connection
from django.http import HttpResponse
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils.html import escape

from bench.benchmarks import ensure_demo, raw_fetch, raw_sql
from bench.util import Context, report, timed_pair
from tongxin.accounts.models import User
from tongxin.points.scores import today_month

TOTALS_SQL = (
    "SELECT m.id, m.name, COALESCE(SUM(s.total), 0) FROM members_member m "
    "LEFT JOIN points_monthlyscore s ON s.member_id = m.id AND s.period >= {p} "
    "WHERE m.org_id = {p} GROUP BY m.id, m.name ORDER BY 3 DESC"
)
LEDGER_SQL = (
    'SELECT e."on", e.category, e.source_note, e.granted FROM points_pointentry e '
    'WHERE e.member_id = {p} AND e.period >= {p} ORDER BY e.period DESC, e."on" DESC, e.id DESC '
    "LIMIT 20"
)


def bare_view(member_id: int, org_id: int, with_ledger: bool) -> HttpResponse:
    year = today_month().replace(month=1)
    rows = raw_fetch(raw_sql(TOTALS_SQL), (year.isoformat(), org_id))
    body = "".join(f"<tr><td>{escape(r[1])}</td><td>{r[2]}</td></tr>" for r in rows)
    if with_ledger:
        ledger = raw_fetch(raw_sql(LEDGER_SQL), (member_id, year.isoformat()))
        body += "".join(f"<tr><td>{escape(str(v))}</td></tr>" for r in ledger for v in r)
    return HttpResponse(f"<table>{body}</table>")


def run(ctx: Context) -> None:
    ensure_demo(ctx)
    member_user = User.objects.select_related("member").get(username="dangyuan")
    assert member_user.member is not None
    member = member_user.member
    mine = Client()
    mine.force_login(member_user)
    staff = Client()
    staff.force_login(User.objects.get(username="zhibu"))
    pages = [
        ("/points/mine/", mine, True, "GET /points/mine/ as the member dangyuan"),
        (f"/points/?org={member.org_id}", staff, False, "GET /points/?org=<branch> as zhibu"),
    ]
    for i, (url, client, with_ledger, note) in enumerate(pages):

        def ours(url: str = url, client: Client = client) -> bytes:
            r = client.get(url)
            assert r.status_code == 200, r.status_code
            return r.content

        runs = 15
        ours_s, base_s, html, _bare = timed_pair(
            ours,
            lambda w=with_ledger: bare_view(member.pk, member.org_id, w),
            runs=runs,
            warmup=2,
        )
        assert member.name.encode() in html
        with CaptureQueriesContext(connection) as cq:
            ours()
        report(
            ctx,
            "points_page",
            n=1,
            ours=ours_s * 1000,
            baseline=base_s * 1000,
            unit="ms",
            target=("ours", 100),
            runs=runs,
            queries=len(cq.captured_queries),
            write=i == 0,
            note=note
            + "; baseline: bare view, raw SQL year totals of the branch"
            + (" + 20 ledger rows" if with_ledger else ""),
        )
