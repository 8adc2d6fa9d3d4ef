"""The micro-project API: scope, money in fen, budget refusals, residents' ratings."""

from __future__ import annotations

from tests.helpers import is_chinese
from tests.projects.conftest import make_project
from tongxin.projects.models import BudgetLine, MicroProject


def post(c, url: str, body: dict | None = None):
    return c.post(f"/api/v1/projects{url}", body or {}, content_type="application/json")


def test_create_and_budget_through_the_api(pw, client_for):
    c = client_for(pw["alice"])
    r = post(
        c,
        "/",
        {
            "name": "最美阳台",
            "category_id": pw["cat_env"].pk,
            "lead_org_id": pw["comm_a_org"].pk,
            "area_id": pw["compound_a"].pk,
            "operator_id": pw["social"].pk,
            "budget_fen": 50_000,
        },
    )
    assert r.status_code == 201, r.content
    pid = r.json()["id"]
    assert (
        post(c, f"/{pid}/budget-lines", {"item": "花苗", "amount_fen": 30_000}).status_code == 201
    )
    r = post(c, f"/{pid}/budget-lines", {"item": "花盆", "amount_fen": 20_001})
    assert r.status_code == 400 and "超过项目预算" in r.json()["fields"]["amount_fen"]
    assert BudgetLine.objects.count() == 1
    assert (
        post(
            c, f"/{pid}/activities", {"title": "评比", "held_on": "2026-05-01", "participants": 80}
        ).status_code
        == 201
    )
    fig = c.get("/api/v1/projects/figures").json()
    assert fig["total"] == 1 and fig["participants"] == 80


def test_out_of_scope_choices_are_refused(pw, client_for):
    c = client_for(pw["alice"])
    r = post(
        c,
        "/",
        {
            "name": "越界",
            "category_id": pw["cat_env"].pk,
            "lead_org_id": pw["street_b"].pk,
            "area_id": pw["comm_b"].pk,
            "budget_fen": 100,
        },
    )
    assert r.status_code == 400 and is_chinese(r.json()["fields"]["lead_org_id"])
    assert not MicroProject.objects.exists()


def test_strangers_get_404(pw, client_for):
    p = make_project(pw)
    for who in ("charlie", "bella"):
        c = client_for(pw[who])
        assert c.get(f"/api/v1/projects/{p.pk}").status_code == 404
        r = post(c, f"/{p.pk}/budget-lines", {"item": "x", "amount_fen": 1})
        assert r.status_code == 404
        assert post(c, f"/{p.pk}/complete", {"outcome": "x"}).status_code == 404
    assert c.get("/api/v1/projects/").json()["count"] == 0  # bella: street B has none
    assert c.get("/api/v1/projects/suggestions").json() == []
    assert c.get("/api/v1/projects/figures").json()["total"] == 0
    r = post(
        c,
        "/suggestions/meeting",
        {
            "title": "越界录入",
            "category_id": pw["cat_env"].pk,
            "area_id": pw["comm_a"].pk,
            "meeting": "说事厅",
        },
    )
    assert r.status_code == 400 and "area" in r.json()["fields"]
    charlie = client_for(pw["charlie"])
    assert charlie.get("/api/v1/projects/").status_code == 404
    assert charlie.get("/api/v1/projects/figures").status_code == 404
    assert charlie.get("/api/v1/projects/suggestions").status_code == 404
    eve = client_for(pw["eve"].user)
    assert post(eve, f"/mine/{p.pk}/signup").status_code == 404
    assert eve.get("/api/v1/projects/mine").json()["count"] == 0
    assert not BudgetLine.objects.exists()


def test_resident_rating_once(pw, client_for):
    p = make_project(pw)
    c = client_for(pw["alice"])
    post(c, f"/{p.pk}/complete", {"outcome": "助餐点开张，每周300人次"})
    ann = client_for(pw["ann"].user)
    assert post(ann, f"/mine/{p.pk}/rating", {"score": 5}).status_code == 201
    r = post(ann, f"/mine/{p.pk}/rating", {"score": 4})
    assert r.status_code == 409 and "只能评价一次" in r.json()["message"]
    r = post(ann, "/suggestions", {"title": "希望增加助浴", "category_id": pw["cat_elder"].pk})
    assert r.status_code == 201 and r.json()["source"] == "online"
