"""Micro-projects: taxonomy, suggestions, 立项, budget lines, activities, ratings, figures,
scope (strangers see nothing), bad input refused in Chinese with nothing written."""

from __future__ import annotations

import datetime as dt
from contextlib import contextmanager

import pytest

from tests.helpers import is_chinese, texts
from tests.projects.conftest import make_project
from tests.stranger_setup import scope_of
from tongxin.core.errors import ServiceError
from tongxin.core.models import AuditLog
from tongxin.core.scope import scope_for_user
from tongxin.projects import selectors, services
from tongxin.projects.models import (
    Aspect,
    BudgetLine,
    MicroProject,
    NeedCategory,
    ProjectActivity,
    ProjectRating,
    Suggestion,
)


@contextmanager
def refused(field: str | None = None, contains: str = ""):
    def counts():
        return (
            MicroProject.objects.count(),
            BudgetLine.objects.count(),
            ProjectActivity.objects.count(),
            ProjectRating.objects.count(),
            Suggestion.objects.count(),
            AuditLog.objects.count(),
            list(MicroProject.objects.values_list("status", "budget_fen")),
            list(Suggestion.objects.values_list("status", "project_id")),
        )

    before = counts()
    with pytest.raises(ServiceError) as exc:
        yield exc
    err = exc.value
    assert is_chinese(err.message), err.message
    if field:
        assert field in err.fields and is_chinese(err.fields[field]), err.fields
        assert contains in err.fields[field], err.fields[field]
    else:
        assert contains in err.message
    assert counts() == before, "a refused operation must write nothing"


def test_default_taxonomy_is_5_aspects_and_21_categories(db):
    from tongxin.projects.taxonomy import DEFAULT_TAXONOMY

    assert len(DEFAULT_TAXONOMY) == 5 and sum(len(c) for _a, c in DEFAULT_TAXONOMY) == 21
    # loaded by the data migration (or put back by ensure_taxonomy after a flush)
    if not Aspect.objects.exists():
        from tests.projects.conftest import ensure_taxonomy

        ensure_taxonomy()
    assert Aspect.objects.count() == 5
    assert NeedCategory.objects.count() == 21


def test_suggestions_online_and_from_meetings_packaged_into_a_project(pw):
    online = services.suggestion_submit(
        actor=pw["ann"].user,
        resident=pw["ann"],
        title="老人吃饭难，希望有助餐点",
        body="电话13812345678",
        category=pw["cat_elder"],
    )
    assert online.area == pw["compound_a"] and "13812345678" not in online.body
    offline = services.suggestion_enter(
        scope=scope_of(pw["alice"]),
        actor=pw["alice"],
        area=pw["comm_a"],
        title="独居老人多",
        body="",
        category=pw["cat_elder"],
        meeting="11月墙门月光会",
    )
    scope = scope_for_user(pw["alice"])
    assert set(selectors.open_suggestions(scope)) == {online, offline}
    p = make_project(pw, suggestions=[online, offline])
    assert set(p.suggestions.all()) == {online, offline}
    online.refresh_from_db()
    assert online.status == "adopted"
    with refused("suggestions", "已处理过"):
        make_project(pw, suggestions=[online])


def test_budget_lines_over_the_budget_are_refused(pw):
    p = make_project(pw, budget_fen=100_000)  # 1,000.00 元
    services.budget_line_add(
        scope=scope_of(pw["alice"]),
        actor=pw["alice"],
        project=p,
        item="活动物料",
        amount_fen=60_000,
    )
    with refused("amount_fen", "超过项目预算1,000.00元"):
        services.budget_line_add(
            scope=scope_of(pw["alice"]),
            actor=pw["alice"],
            project=p,
            item="场地",
            amount_fen=40_001,
        )
    services.budget_line_add(
        scope=scope_of(pw["alice"]), actor=pw["alice"], project=p, item="场地", amount_fen=40_000
    )
    with refused("amount_fen", "大于0"):
        services.budget_line_add(
            scope=scope_of(pw["alice"]), actor=pw["alice"], project=p, item="误录", amount_fen=0
        )


def test_bad_project_input_is_refused(pw):
    with refused("budget_fen", "负数"):
        make_project(pw, budget_fen=-1)
    with refused("budget_fen", "100万元"):
        make_project(pw, budget_fen=100_000_001)
    with refused("area", "牵头党组织所在区域"):
        make_project(pw, area=pw["comm_b"])
    with refused("ends_on", "结束日期"):
        make_project(pw, starts_on=dt.date(2026, 5, 1), ends_on=dt.date(2026, 4, 1))
    with refused("name"):
        make_project(pw, name=" ")


def test_activities_ratings_and_figures(pw):
    p = make_project(pw)
    with refused("participants", "0到100000"):
        services.activity_add(
            scope=scope_of(pw["alice"]),
            actor=pw["alice"],
            project=p,
            title="助餐",
            held_on=dt.date(2026, 5, 1),
            participants=-3,
        )
    services.activity_add(
        scope=scope_of(pw["alice"]),
        actor=pw["alice"],
        project=p,
        title="助餐开张",
        held_on=dt.date(2026, 5, 1),
        participants=120,
    )
    p.refresh_from_db()
    assert p.status == "running"
    with refused(contains="结项后才能评价"):
        services.project_rate(actor=pw["ann"].user, resident=pw["ann"], project=p, score=5)
    with refused("outcome", "成效"):
        services.project_complete(
            scope=scope_of(pw["alice"]), actor=pw["alice"], project=p, outcome=""
        )
    services.project_complete(
        scope=scope_of(pw["alice"]), actor=pw["alice"], project=p, outcome="每周助餐300人次"
    )
    services.project_rate(actor=pw["ann"].user, resident=pw["ann"], project=p, score=5)
    with refused(contains="只能评价一次"):
        services.project_rate(actor=pw["ann"].user, resident=pw["ann"], project=p, score=4)
    with refused("score", "1到5"):
        services.project_rate(actor=pw["ann2"].user, resident=pw["ann2"], project=p, score=6)
    fig = selectors.project_figures(scope_for_user(pw["alice"]))
    assert fig is not None
    assert fig["total"] == 1 and fig["participants"] == 120 and fig["completed"] == 1
    assert fig["categories_answered"] == 1 and fig["aspects_answered"] == 1
    assert selectors.project_figures(scope_for_user(pw["charlie"])) is None
    bella = selectors.project_figures(scope_for_user(pw["bella"]))
    assert bella is not None and bella["total"] == 0 and bella["participants"] == 0


def test_residents_see_projects_where_they_live_only(pw, client_for):
    p = make_project(pw)
    c = client_for(pw["ann"].user)
    assert "颐养助餐点" in texts(c.get("/projects/mine/"))
    c.post(f"/projects/mine/{p.pk}/", {"action": "signup"})
    assert p.signups.count() == 1
    eve = client_for(pw["eve"].user)
    assert "颐养助餐点" not in texts(eve.get("/projects/mine/"))
    assert eve.get(f"/projects/mine/{p.pk}/").status_code == 404
    assert eve.post(f"/projects/mine/{p.pk}/", {"action": "signup"}).status_code == 404
    c = client_for(pw["ann"].user)  # the same test client, logged in as ann again
    r = c.post("/projects/mine/suggest/", {"title": "楼道堆物太多", "category": pw["cat_env"].pk})
    assert r.status_code == 302
    assert Suggestion.objects.get().area == pw["compound_a"]


STAFF_PAGES = [
    "/projects/",
    "/projects/new/",
    "/projects/{pk}/",
    "/projects/suggestions/",
    "/projects/suggestions/new/",
    "/projects/figures/",
]


def test_staff_pages_work_for_alice(pw, client_for):
    p = make_project(pw)
    c = client_for(pw["alice"])
    for url in STAFF_PAGES:
        r = c.get(url.format(pk=p.pk))
        assert r.status_code == 200, url
    assert "颐养助餐点" in texts(c.get("/projects/"))
    assert 'data-testid="projects-panel"' in texts(c.get("/"))


def test_strangers_see_nothing_of_street_a_projects(pw, client_for):
    p = make_project(pw)
    s = services.suggestion_enter(
        scope=scope_of(pw["alice"]),
        actor=pw["alice"],
        area=pw["comm_a"],
        title="独居老人多",
        body="",
        category=pw["cat_elder"],
        meeting="说事厅",
    )
    charlie = client_for(pw["charlie"])
    for url in STAFF_PAGES:
        assert charlie.get(url.format(pk=p.pk)).status_code == 404, url
    bella = client_for(pw["bella"])
    assert "颐养助餐点" not in texts(bella.get("/projects/"))
    assert "独居老人多" not in texts(bella.get("/projects/suggestions/"))
    assert bella.get(f"/projects/{p.pk}/").status_code == 404
    r = bella.post(f"/projects/{p.pk}/", {"action": "line", "line-item": "x", "line-amount": "1"})
    assert r.status_code == 404
    assert bella.post(f"/projects/suggestions/{s.pk}/decline/").status_code == 404
    s.refresh_from_db()
    assert s.status == "new" and not BudgetLine.objects.exists()


def test_the_budget_form_shows_the_refusal(pw, client_for):
    p = make_project(pw, budget_fen=10_000)
    c = client_for(pw["alice"])
    r = c.post(
        f"/projects/{p.pk}/", {"action": "line", "line-item": "物料", "line-amount": "100.01"}
    )
    assert r.status_code == 200 and "超过项目预算100.00元" in texts(r)
    assert not BudgetLine.objects.exists()


def test_create_through_the_page(pw, client_for):
    c = client_for(pw["alice"])
    r = c.post(
        "/projects/new/",
        {
            "name": "巧手屋",
            "category": pw["cat_env"].pk,
            "lead_org": pw["comm_a_org"].pk,
            "operator": pw["social"].pk,
            "area": pw["compound_a"].pk,
            "budget": "3000.50",
        },
    )
    p = MicroProject.objects.get()
    assert r["Location"] == f"/projects/{p.pk}/"
    assert p.budget_fen == 300_050 and p.lead_org_path == pw["comm_a_org"].path


# ---- query counts ---------------------------------------------------------------------------


@pytest.fixture(params=[3, 30], ids=["3 projects", "30 projects"])
def many(request, pw):
    for i in range(request.param):
        p = make_project(pw, name=f"项目{i}")
        services.activity_add(
            scope=scope_of(None),
            actor=None,
            project=p,
            title="活动",
            held_on=dt.date(2026, 5, 1),
            participants=10,
        )
        services.suggestion_enter(
            scope=scope_of(None),
            actor=None,
            area=pw["comm_a"],
            title=f"建议{i}",
            body="",
            category=pw["cat_env"],
            meeting="说事厅",
        )
    return request.param


def test_project_list_query_count_is_constant(pw, many, client_for, django_assert_num_queries):
    c = client_for(pw["alice"])
    # 1 session, 2 user, 3 role assignments, 4 COUNT, 5 the page's rows (lead org, operator,
    # category, aspect, area joined), 6 the category filter's choices, 7-9 session save
    with django_assert_num_queries(9):
        r = c.get("/projects/")
    assert r.status_code == 200 and f"共 {many} 条" in texts(r)


def test_suggestion_list_query_count_is_constant(pw, many, client_for, django_assert_num_queries):
    c = client_for(pw["alice"])
    # 1 session, 2 user, 3 role assignments, 4 the areas of the user's organizations,
    # 5 COUNT, 6 rows (category, aspect, area, project joined), 7 category choices, 8-10 session
    with django_assert_num_queries(10):
        r = c.get("/projects/suggestions/")
    assert r.status_code == 200


def test_figures_query_count_is_constant(pw, many, client_for, django_assert_num_queries):
    c = client_for(pw["alice"])
    # 1 session, 2 user, 3 role assignments, 4 project aggregates, 5 participants,
    # 6 projects per category, 7 areas of the user's organizations, 8 suggestion aggregates,
    # 9 categories with aspects, 10 the taxonomy's aspects, 11 their categories, 12-14 session
    with django_assert_num_queries(14):
        r = c.get("/projects/figures/")
    assert r.status_code == 200


def test_resident_list_query_count_is_constant(pw, many, client_for, django_assert_num_queries):
    c = client_for(pw["ann"].user)
    # 1 session, 2 user, 3 resident with home, 4 COUNT, 5 rows, 6 my suggestions,
    # 7 role assignments (navigation), 8-10 session save
    with django_assert_num_queries(10):
        r = c.get("/projects/mine/")
    assert r.status_code == 200
