"""The cockpit, the 大屏, the exports and the API on the demo town: each user starts at their
top, drills into what they reach and gets a 404 for anything else; the pages read the
rollups in a fixed number of queries; the 工作台 keeps its figures, now from the rollups."""

from __future__ import annotations

import io
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from python_calamine import CalamineWorkbook

from tongxin.core.metrics import all_metrics
from tongxin.core.scope import scope_for_user
from tongxin.insights import selectors
from tongxin.insights.models import Rollup
from tongxin.orgs.models import Organization

PAGES = [
    "/insights/{pk}/",
    "/insights/{pk}/screen/",
    "/insights/{pk}/export.xlsx",
    "/insights/{pk}/report/",
    "/insights/{pk}/report/?format=xlsx",
    "/api/v1/insights/nodes/{pk}",
    "/api/v1/insights/nodes/{pk}/trends?metric=members.total",
]


def _sheet(response) -> list[list[object]]:
    wb = CalamineWorkbook.from_filelike(io.BytesIO(b"".join(response.streaming_content)))
    return wb.get_sheet_by_index(0).to_python()


def test_every_node_is_open_inside_the_scope_and_404_outside(town_db, client):
    user = town_db["jiedao"]
    client.force_login(user)
    scope = scope_for_user(user)
    inside = outside = 0
    for org in Organization.objects.filter(depth__lte=4).order_by("path"):
        reach = scope.covers_org_subtree("orgs.view", org.path)
        for url in PAGES:
            r = client.get(url.format(pk=org.pk))
            assert r.status_code == (200 if reach else 404), (url, org.name)
        inside += reach
        outside += not reach
    assert inside and outside


def test_a_secretary_starts_at_the_branch_and_never_sees_above(town_db, client):
    client.force_login(town_db["zhibu"])
    r = client.get("/insights/")
    page = r.content.decode()
    root = selectors.cockpit_roots(scope_for_user(town_db["zhibu"]))[0]
    assert r.status_code == 200 and root.name in page
    parent = Organization.objects.get(path=root.path[:-4])
    assert parent.name not in page  # no breadcrumb above the user's top
    for url in PAGES:
        assert client.get(url.format(pk=parent.pk)).status_code == 404
    assert client.get("/insights/999999999/").status_code == 404


def test_a_resident_has_no_cockpit(town_db, client):
    client.force_login(town_db["jumin"])
    r = client.get("/insights/")
    assert r.status_code == 200 and "没有可汇总的管辖范围" in r.content.decode()
    assert "数据截至" not in r.content.decode()
    assert client.get("/api/v1/insights/nodes").status_code == 404
    assert client.get("/api/v1/insights/metrics").status_code == 404


def test_drilling_down_from_the_city_to_a_branch(town_db, client):
    client.force_login(town_db["zuzhibu"])
    url = "/insights/"
    seen = []
    for _level in range(6):
        r = client.get(url)
        assert r.status_code == 200
        kids = r.context["rows"]
        seen.append(r.context["view"].title)
        assert "数据截至" in r.content.decode()
        nxt = [k for k in kids if k.org.numchild and k.org.kind != "group"] or kids
        if not nxt or r.context["view"].node.kind == "branch":
            break
        url = f"/insights/{nxt[0].org.pk}/"
    assert r.context["view"].node.kind == "branch", seen
    # breadcrumbs lead back to the top
    crumbs = [o.name for o in r.context["view"].crumbs]
    assert crumbs[0] == seen[0] and crumbs[-1] == seen[-1]


@pytest.mark.parametrize("who", ["zuzhibu", "jiedao"])
def test_the_cockpit_reads_in_at_most_fifteen_queries(town_db, client, who):
    client.force_login(town_db[who])
    client.get("/insights/")
    with CaptureQueriesContext(connection) as q:
        r = client.get("/insights/")
    assert r.status_code == 200
    # session, user, grants, run, tops, node, tops again, crumbs, children, rollups, trend,
    # outlines (and the session save)
    assert len(q.captured_queries) <= 15, [x["sql"][:80] for x in q.captured_queries]


def test_the_table_sorts_by_any_metric(town_db, client):
    client.force_login(town_db["zuzhibu"])
    district = Organization.objects.get(depth=2)
    r = client.get(f"/insights/{district.pk}/?sort=members.total&dir=desc")
    values = [row.cells["members.total"].sort_value for row in r.context["rows"]]
    assert values == sorted(values, reverse=True) and len(values) > 5
    r = client.get(f"/insights/{district.pk}/?sort=members.total&dir=asc")
    values = [row.cells["members.total"].sort_value for row in r.context["rows"]]
    assert values == sorted(values)


def test_the_map_shows_the_streets_of_the_district(town_db, client):
    client.force_login(town_db["zuzhibu"])
    district = Organization.objects.get(depth=2)
    r = client.get(f"/insights/{district.pk}/?m=cases.reported")
    regions = r.context["regions"]["regions"]
    assert len(regions) == 3  # the town's three streets (街道 and 镇)
    assert all(g["geometry"]["type"] == "Polygon" and g["value"] for g in regions)


def test_the_export_lists_every_child_with_its_figures(town_db, client):
    client.force_login(town_db["zuzhibu"])
    district = Organization.objects.get(depth=2)
    r = client.get(f"/insights/{district.pk}/export.xlsx")
    rows = _sheet(r)
    names = [row[0] for row in rows[2:]]
    assert names[0] == district.name
    assert len(names) == 1 + Organization.objects.filter(depth=3).count()
    assert "数据截至" in rows[0][0]


def test_the_monthly_report(town_db, client):
    client.force_login(town_db["zuzhibu"])
    district = Organization.objects.get(depth=2)
    r = client.get(f"/insights/{district.pk}/report/")
    page = r.content.decode()
    assert "党建工作月报" in page and "召开会议" in page
    # Last month's stocks were never computed while it was current (the demo stores its
    # flows for twelve months, its stocks for this month only): "—", not 0.
    total = next(m for m in all_metrics() if m.key == "members.total")
    cell = re.search(re.escape(str(total.label)) + r".*?</td><td class=\"text-end\">([^<]*)<", page)
    assert cell is not None and cell.group(1) == "—", cell and cell.group(0)
    this_month = timezone.localdate().strftime("%Y-%m")
    page = client.get(f"/insights/{district.pk}/report/?month={this_month}").content.decode()
    cell = re.search(re.escape(str(total.label)) + r".*?</td><td class=\"text-end\">([^<]*)<", page)
    assert cell is not None and cell.group(1) not in ("—", "0"), cell and cell.group(0)
    r = client.get(f"/insights/{district.pk}/report/?month=2026-13")
    assert r.status_code == 200 and "月份应写作" in r.content.decode()
    r = client.get(f"/insights/{district.pk}/report/?month=abc&format=xlsx")
    assert "党建工作月报" in _sheet(r)[0][0]


def test_the_screen_refreshes_itself_and_names_no_person(town_db, client):
    client.force_login(town_db["zuzhibu"])
    r = client.get("/insights/screen/")
    page = r.content.decode()
    assert 'data-refresh="300"' in page and "数据截至" in page
    assert "周敏" not in page  # not even the signed-in 组织部 user's own name


def test_the_api_gives_figures_and_trends(town_db, client):
    client.force_login(town_db["zuzhibu"])
    data = client.get("/api/v1/insights/nodes").json()
    assert data["as_of"] and data["node"]["kind"] == "committee"
    figures = {f["metric"]: f["value"] for f in data["node"]["figures"]}
    assert figures["members.total"] == 5610
    district = data["children"][0]["id"]
    trend = client.get(
        f"/api/v1/insights/nodes/{district}/trends?metric=visits.total&metric=meetings.closed_pct"
    ).json()
    assert len(trend["months"]) == 12 and {s["metric"] for s in trend["series"]} == {
        "visits.total",
        "meetings.closed_pct",
    }
    assert sum(trend["series"][0]["values"]) > 0
    assert client.get(f"/api/v1/insights/nodes/{district}/trends?months=99").status_code == 422


def test_the_workbench_reads_its_head_figures_from_the_rollups(town_db, client):
    client.force_login(town_db["jiedao"])
    r = client.get("/")
    assert r.status_code == 200
    assert r.context["figures_as_of"] is not None
    assert r.context["member_total"] == sum(r.context["members"]["by_status"].values())
    assert r.context["org_total"] == sum(r.context["orgs"]["by_kind"].values())


def test_the_screen_shows_a_rate_it_cannot_divide_as_a_dash_and_the_others_with_their_sign(
    town_db, client
):
    """The 大屏's rates: "—" where nothing was closed (a branch: cases belong to areas), never
    "—%"; at the top the 按期办结率 of the twelve months, as the cockpit shows it."""
    client.force_login(town_db["zuzhibu"])
    run = selectors.latest_run()
    assert run is not None
    branch = Organization.objects.filter(kind="branch").order_by("path").first()
    assert branch is not None
    page = client.get(f"/insights/{branch.pk}/screen/").content.decode()
    assert "—%" not in page
    assert 'data-testid="kpi-on-time">—<' in page
    city = Organization.objects.get(depth=1)
    stored = Rollup.objects.get(
        tree="org", period="day", start=run.day, path=city.path, metric="cases.on_time_pct"
    ).value
    page = client.get("/insights/screen/").content.decode()
    assert f'data-testid="kpi-on-time">{stored:,.1f}%<' in page
    assert "—%" not in page
