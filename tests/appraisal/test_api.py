"""/api/v1/appraisal: every operation, its bad input and the stranger."""

from __future__ import annotations

import pytest

from tests.appraisal.conftest import SYS, leaf_ids, make_session, open_assessment, reporter
from tests.stranger_setup import row_counts
from tongxin.appraisal.models import Ballot
from tongxin.appraisal.services import review as rsvc

pytestmark = pytest.mark.django_db
J = "application/json"
A = "/api/v1/appraisal"


def test_a_quarter_through_the_api(world, client_for):
    a = open_assessment(world, appeal_days=0)
    ids = leaf_ids(a)
    c = client_for(world["alice"])
    assert c.get(f"{A}/sets/").json()["count"] == 1
    d = c.get(f"{A}/sets/{a.indicator_set_id}/").json()
    assert d["leaf_total"] == "1000.0" and len(d["indicators"]) == 5
    r = c.post(
        f"{A}/assessments/{a.pk}/self-scores/", {"scores": {ids["三会一课"]: 500}}, content_type=J
    )
    assert r.status_code == 400 and f"self_{ids['三会一课']}" in r.json()["fields"]
    r = c.post(
        f"{A}/assessments/{a.pk}/self-scores/",
        {"scores": dict.fromkeys(ids.values(), 100), "submit": True},
        content_type=J,
    )
    assert r.json()["status"] == "submitted"
    r = c.post(
        f"{A}/assessments/{a.pk}/assessor-scores/",
        {"scores": {ids["阵地建设"]: -1}},
        content_type=J,
    )
    assert r.status_code == 400
    r = c.post(
        f"{A}/assessments/{a.pk}/assessor-scores/",
        {"scores": dict.fromkeys(ids.values(), 50), "submit": True},
        content_type=J,
    )
    assert r.json()["status"] == "assessed"
    r = c.post(
        f"{A}/assessments/{a.pk}/appeals/",
        {"indicator_id": ids["阵地建设"], "reason": "x"},
        content_type=J,
    )
    assert r.status_code == 409 and "申诉期已于" in r.json()["message"]
    r = c.post(f"{A}/assessments/{a.pk}/finalize/")
    assert r.json()["status"] == "final" and r.json()["final_total"] == "150.0"


def test_ballots_and_results_through_the_api(world, client_for):
    session = make_session(world)
    rsvc.review_open(**SYS, session=session)
    rep = reporter(session)
    for u in world["voters"][:5]:
        r = client_for(u).post(
            f"{A}/ballots/{session.token}/",
            {"reporter_id": rep.pk, "grade": "good"},
            content_type=J,
        )
        assert r.status_code == 201 and r.json()["origin"] == "phone"
    r = client_for(world["voters"][0]).post(
        f"{A}/ballots/{session.token}/", {"reporter_id": rep.pk, "grade": "good"}, content_type=J
    )
    assert r.status_code == 409
    res = client_for(world["alice"]).get(f"{A}/reviews/{session.pk}/results/").json()
    assert res[0]["pools"][0]["score"] == 100 and res[0]["pools"][1]["score"] is None
    assert res[0]["grade"] == "good"
    assert client_for(world["alice"]).get(f"{A}/reviews/").json()["count"] == 1


def test_the_stranger_gets_404_everywhere_and_changes_nothing(world, client_for):
    a = open_assessment(world)
    ids = leaf_ids(a)
    session = make_session(world)
    rsvc.review_open(**SYS, session=session)
    rep = reporter(session)
    c = client_for(world["charlie"])
    before = row_counts()
    assert c.get(f"{A}/sets/").json()["count"] == 0
    assert c.get(f"{A}/reviews/").json()["count"] == 0
    for url in (
        f"{A}/sets/{a.indicator_set_id}/",
        f"{A}/assessments/{a.pk}/",
        f"{A}/reviews/{session.pk}/results/",
    ):
        assert c.get(url).status_code == 404, url
    for url, body in (
        (f"{A}/sets/{a.indicator_set_id}/publish/", {}),
        (f"{A}/assessments/{a.pk}/self-scores/", {"scores": {ids["三会一课"]: 1}}),
        (f"{A}/assessments/{a.pk}/assessor-scores/", {"scores": {ids["三会一课"]: 1}}),
        (f"{A}/assessments/{a.pk}/appeals/", {"indicator_id": ids["三会一课"], "reason": "x"}),
        (f"{A}/assessments/{a.pk}/finalize/", {}),
        (f"{A}/ballots/{session.token}/", {"reporter_id": rep.pk, "grade": "good"}),
    ):
        assert c.post(url, body, content_type=J).status_code == 404, url
    assert row_counts() == before
    assert not Ballot.objects.exists()
