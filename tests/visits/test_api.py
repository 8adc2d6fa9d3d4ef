"""三访 API: the same rules as the pages, and nothing of street A for charlie."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.utils import timezone

from tests.stranger_setup import scope_of
from tests.visits.conftest import record
from tongxin.cases.models import Case
from tongxin.visits.models import ProblemStatus, Visit, VisitProblem

pytestmark = pytest.mark.django_db
BASE = "/api/v1/visits"


def _first_category() -> str:
    from tongxin.cases.selectors import case_categories

    return case_categories().first().code


def post(c, url: str, body: dict):
    return c.post(url, data=json.dumps(body), content_type="application/json")


def _payload(world, **over) -> dict:
    body = {
        "kind": "home",
        "visited_on": timezone.localdate().isoformat(),
        "org_id": world["branch_a1"].pk,
        "area_id": world["compound_a"].pk,
        "people_met": "王大妈",
        "heard": "小区门口积水。",
        "household": "7幢",
        "problems": ["门口积水"],
    }
    body.update(over)
    return body


def test_record_raise_and_turn_into_a_case(world, client_for):
    c = client_for(world["bob"])
    r = post(c, f"{BASE}/", _payload(world))
    assert r.status_code == 201, r.content
    visit = r.json()
    assert visit["org_name"] == world["branch_a1"].name and visit["area_name"] == "紫金花园"
    assert [p["text"] for p in visit["problems"]] == ["门口积水"]
    r = post(c, f"{BASE}/{visit['id']}/problems", {"text": "电动车乱停"})
    assert r.status_code == 201 and r.json()["status"] == "open"
    pid = r.json()["id"]
    r = post(c, f"{BASE}/problems/{pid}/case", {"category": _first_category()})
    assert r.status_code == 200, r.content
    case = r.json()["case"]
    assert case["state"] == "reported" and case["light"] == "green"
    assert Case.objects.get().tracking_code == case["tracking_code"]
    r = post(c, f"{BASE}/problems/{pid}/case", {"category": _first_category()})
    assert r.status_code == 409 and "不能重复转办" in r.json()["message"]
    assert Case.objects.count() == 1
    detail = c.get(f"{BASE}/{visit['id']}").json()
    assert [p["status"] for p in detail["problems"]] == ["open", "case"]
    listing = c.get(f"{BASE}/").json()
    assert listing["count"] == 1 and listing["results"][0]["household"] == "7幢"
    brief = c.get(f"{BASE}/briefing").json()
    assert brief["total"] == 2 and brief["visits"] == 1
    assert [g["key"] for g in brief["groups"]] == ["open", "case:reported"]


def test_bad_input_changes_nothing(world, client_for):
    c = client_for(world["bob"])
    future = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    r = post(c, f"{BASE}/", _payload(world, visited_on=future))
    assert r.status_code == 400 and "不能晚于今天" in r.json()["fields"]["visited_on"]
    r = post(c, f"{BASE}/", _payload(world, problems=["积水", ""]))
    assert r.status_code == 400 and "不能为空" in r.json()["fields"]["problems"]
    assert not Visit.objects.exists() and not VisitProblem.objects.exists()
    v = record(world)
    r = post(c, f"{BASE}/{v.pk}/problems", {"text": " "})
    assert r.status_code == 400 and "不能为空" in r.json()["fields"]["text"]
    assert v.problems.count() == 1
    p = v.problems.get()
    r = post(c, f"{BASE}/problems/{p.pk}/case", {"category": "no-such-thing"})
    assert r.status_code == 400 and "事件类别" in r.json()["message"]
    p.refresh_from_db()
    assert p.status == ProblemStatus.OPEN and not Case.objects.exists()


def test_quotas(world, client_for):
    from tongxin.orgs.models import Unit
    from tongxin.visits import services

    units = [
        Unit.objects.create(name=f"单位{i}", sector="enterprise", area=world["compound_a"])
        for i in range(4)
    ]
    hh = [services.HouseholdInput(area=world["compound_a"], label=f"{i}号") for i in range(10)]
    services.assignment_create(
        scope=scope_of(world["alice"]),
        actor=world["alice"],
        leader=world["m_a1"],
        org=world["branch_a1"],
        units=units,
        households=hh,
    )
    r = client_for(world["alice"]).get(f"{BASE}/quotas")
    assert r.status_code == 200
    (row,) = r.json()["results"]
    assert row["leader_name"] == "张红" and row["units_target"] == 4 and row["home_target"] == 10


def test_charlie_gets_nothing(world, client_for, visit):
    from tongxin.orgs.models import Unit
    from tongxin.visits import services

    units = [
        Unit.objects.create(name=f"单位{i}", sector="enterprise", area=world["compound_a"])
        for i in range(4)
    ]
    hh = [services.HouseholdInput(area=world["compound_a"], label=f"{i}号") for i in range(10)]
    services.assignment_create(
        scope=scope_of(world["alice"]),
        actor=world["alice"],
        leader=world["m_a1"],
        org=world["branch_a1"],
        units=units,
        households=hh,
    )
    problem = visit.problems.get()
    c = client_for(world["charlie"])
    assert c.get(f"{BASE}/{visit.pk}").status_code == 404
    assert c.get(f"{BASE}/").json()["count"] == 0
    assert c.get(f"{BASE}/quotas").json()["count"] == 0
    assert c.get(f"{BASE}/briefing").json()["total"] == 0
    assert c.get(f"{BASE}/?org_id={world['street_a'].pk}").status_code == 404
    assert post(c, f"{BASE}/{visit.pk}/problems", {"text": "x"}).status_code == 404
    r = post(c, f"{BASE}/problems/{problem.pk}/case", {"category": _first_category()})
    assert r.status_code == 404
    # Recording in street A: org and place out of reach.
    assert post(c, f"{BASE}/", _payload(world)).status_code == 404
    r = post(c, f"{BASE}/", _payload(world, org_id=world["branch_b1"].pk))
    assert r.status_code == 404  # 紫金花园 is not charlie's to pick
    assert VisitProblem.objects.count() == 1 and not Case.objects.exists()
