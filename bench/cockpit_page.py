"""cockpit_page: the 数据驾驶舱 and the 工作台 at the city root and at a district, read from the
rollups. Ours: the full request through django.test.Client (the 组织部 user at the root; a
district 组织部 user made here at the district). Baseline: a bare view reading the same
figures of the node and its children from the rollup table with hand-written SQL and
printing them as a table. Each line reports server time and the query count (target ≤ 15)."""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.http import HttpResponse
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils.html import escape

from bench.benchmarks import bounds, ensure_demo, raw_fetch, raw_sql
from bench.util import Context, report, timed_pair
from tongxin.accounts.models import Role, RoleAssignment, User
from tongxin.insights.models import RollupRun
from tongxin.insights.rollups import rollup_refresh
from tongxin.orgs.models import Organization

CHILDREN_SQL = (
    "SELECT id, path, name FROM orgs_organization"
    " WHERE path >= {p} AND path <= {p} AND depth = {p} ORDER BY path"
)
FIGURES_SQL = (
    "SELECT path, metric, value FROM insights_rollup"
    " WHERE tree = 'org' AND period = 'day' AND start = {p} AND path IN ({{paths}})"
)


def bare_view(node: Organization, day: Any) -> HttpResponse:
    lo, hi = bounds(node.path)
    kids = raw_fetch(raw_sql(CHILDREN_SQL), (lo, hi, node.depth + 1))
    paths = [node.path] + [k[1] for k in kids]
    holders = ", ".join(["%s" if connection.vendor == "postgresql" else "?"] * len(paths))
    sql = raw_sql(FIGURES_SQL).replace("{paths}", holders)
    figures: dict[str, dict[str, float]] = {}
    for path, metric, value in raw_fetch(sql, (day.isoformat(), *paths)):
        figures.setdefault(path, {})[metric] = value
    names = {k[1]: k[2] for k in kids}
    names[node.path] = node.name
    body = "".join(
        f"<tr><td>{escape(names[p])}</td>"
        + "".join(f"<td>{escape(m)}={v}</td>" for m, v in sorted(figures.get(p, {}).items()))
        + "</tr>"
        for p in paths
    )
    return HttpResponse(f"<table>{body}</table>")


def _district_user(district: Organization) -> User:
    user, _ = User.objects.get_or_create(username="bench_district")
    RoleAssignment.objects.get_or_create(
        user=user, role=Role.objects.get(code="org_dept"), org=district
    )
    return user


def run(ctx: Context) -> None:
    ensure_demo(ctx)
    if not RollupRun.objects.exists():
        rollup_refresh(months=12)
    run_ = RollupRun.objects.order_by("-finished_at").first()
    assert run_ is not None
    city = Organization.objects.get(depth=1)
    district = Organization.objects.filter(depth=2).order_by("path").first()
    assert district is not None
    root_client, district_client = Client(), Client()
    root_client.force_login(User.objects.get(username="zuzhibu"))
    district_client.force_login(_district_user(district))
    cases = [
        ("cockpit_root", root_client, "/insights/", city),
        ("cockpit_district", root_client, f"/insights/{district.pk}/", district),
        ("workbench_root", root_client, "/", city),
        ("workbench_district", district_client, "/", district),
    ]
    runs = 15
    for i, (label, client, url, node) in enumerate(cases):

        def ours(client: Client = client, url: str = url) -> bytes:
            r = client.get(url)
            assert r.status_code == 200, (url, r.status_code)
            return r.content

        ours_s, base_s, _html, bare = timed_pair(
            ours, lambda node=node: bare_view(node, run_.day), runs=runs, warmup=2
        )
        assert node.name.encode() in bare.content
        with CaptureQueriesContext(connection) as cq:
            ours()
        report(
            ctx,
            "cockpit_page" if i == 0 else f"cockpit_page.{label}",
            n=Organization.objects.filter(path__startswith=node.path).count(),
            ours=ours_s * 1000,
            baseline=base_s * 1000,
            unit="ms",
            target=("ours", 100),
            runs=runs,
            write=i == 0,
            queries=len(cq.captured_queries),
            note=f"GET {url} ({label}), full request; baseline: bare view, the node's and its "
            "children's rollups by raw SQL",
        )
