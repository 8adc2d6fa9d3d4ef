"""考评 pages: the desk flows, the phone ballot, and charlie (a stranger) on every page."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from tests import factories
from tests.appraisal.conftest import (
    SYS,
    leaf_ids,
    make_session,
    make_set,
    open_assessment,
    reporter,
    submitted,
)
from tests.helpers import texts
from tests.stranger_setup import row_counts
from tongxin.appraisal.models import Assessment, Ballot, IndicatorSet, ReviewSession, Score
from tongxin.appraisal.services import review as rsvc

pytestmark = pytest.mark.django_db


def test_building_a_tree_and_publishing_it_through_the_page(world, client_for):
    c = client_for(world["alice"])
    r = c.post(
        "/appraisal/sets/new/",
        {
            "name": "2026年社区千分制",
            "org": world["street_a"].pk,
            "year": 2026,
            "level": "community",
            "appeal_days": 5,
        },
    )
    s = IndicatorSet.objects.get()
    assert r.status_code == 302
    url = f"/appraisal/sets/{s.pk}/"
    c.post(url, {"action": "indicator", "name": "基础工作", "weight": "0"})
    top = s.indicators.get()
    c.post(
        url,
        {
            "action": "indicator",
            "name": "三会一课",
            "weight": "990",
            "parent": top.pk,
            "check_method": "documents",
        },
    )
    body = texts(c.post(url, {"action": "publish"}, follow=True))
    assert "比1000分少10分" in body
    c.post(url, {"action": "indicator", "name": "阵地", "weight": "10", "parent": top.pk})
    c.post(url, {"action": "publish"})
    s.refresh_from_db()
    assert s.published
    r = c.post(url, {"action": "open", "org": world["comm_a_org"].pk, "quarter": 2})
    a = Assessment.objects.get()
    assert r["Location"] == f"/appraisal/assessments/{a.pk}/"


def test_a_quarter_walks_self_assessor_final_on_the_page(world, client_for):
    a = open_assessment(world, appeal_days=0)
    ids = leaf_ids(a)
    c = client_for(world["alice"])
    url = f"/appraisal/assessments/{a.pk}/"
    body = texts(
        c.post(url, {"action": "self_save", f"self_{ids['三会一课']}": "401"}, follow=True)
    )
    assert "不能超过该项分值400分" in body
    assert not Score.objects.filter(self_score__isnull=False).exists()
    c.post(url, {"action": "self_submit", **{f"self_{i}": "100" for i in ids.values()}})
    a.refresh_from_db()
    assert a.status == "submitted"
    body = texts(
        c.post(url, {"action": "assessor_save", f"assessor_{ids['阵地建设']}": "-3"}, follow=True)
    )
    assert "不能为负数" in body
    c.post(url, {"action": "assess", **{f"assessor_{i}": "90" for i in ids.values()}})
    c.post(url, {"action": "finalize"})
    a.refresh_from_db()
    assert a.status == "final" and a.final_total == 270
    body = texts(c.get(url))
    assert "270" in body and "组织生活达标率" in body
    assert "基础工作" in body and "各一级指标得分率" in body  # two axes: the table, no radar


def test_an_appeal_after_the_window_on_the_page_is_refused(world, client_for):
    a = submitted(world)
    ids = leaf_ids(a)
    from tongxin.appraisal.services import assessment as asvc

    asvc.assessor_score_save(**SYS, assessment=a, scores=dict.fromkeys(ids.values(), 1))
    asvc.assessment_assess(**SYS, assessment=a, today=timezone.localdate() - dt.timedelta(days=10))
    c = client_for(world["alice"])
    before = row_counts()
    body = texts(
        c.post(
            f"/appraisal/assessments/{a.pk}/",
            {"action": "appeal", "indicator": ids["阵地建设"], "reason": "补充材料"},
            follow=True,
        )
    )
    assert "申诉期已于" in body
    assert row_counts() == before


def test_phone_ballot_once_and_outsider_gets_404(world, client_for):
    session = make_session(world)
    rsvc.review_open(**SYS, session=session)
    rep = reporter(session)
    c = client_for(world["voters"][0])
    body = texts(c.get(f"/appraisal/v/{session.token}/"))
    assert rep.name in body and "较好" in body
    c.post(f"/appraisal/v/{session.token}/{rep.pk}/", {"grade": "good"})
    r = c.post(f"/appraisal/v/{session.token}/{rep.pk}/", {"grade": "poor"}, follow=True)
    assert "每人只能投一次" in texts(r)
    assert Ballot.objects.get().grade == "good"
    outsider = factories.user("outsider", "member", org=world["branch_a1"])
    c = client_for(outsider)
    assert c.get(f"/appraisal/v/{session.token}/").status_code == 404
    assert c.post(f"/appraisal/v/{session.token}/{rep.pk}/", {"grade": "good"}).status_code == 404
    assert Ballot.objects.count() == 1


def test_review_desk_paper_ballots_results_and_items(world, client_for):
    session = make_session(world)
    c = client_for(world["alice"])
    url = f"/appraisal/reviews/{session.pk}/"
    c.post(url, {"action": "open"})
    rep = reporter(session)
    for rater in world["upper_raters"]:
        c.post(url, {"action": "paper", "rater": rater.pk, "reporter": rep.pk, "grade": "good"})
    assert Ballot.objects.filter(origin="paper").count() == 5
    body = texts(c.get(url))
    assert "纸质5" in body and "不足5票不显示" in body
    c.post(url, {"action": "close"})
    c.post(url, {"action": "announce"})
    r = c.post(
        f"/appraisal/reporters/{rep.pk}/",
        {"action": "item", "title": "完善议事规则", "owner": "张红", "deadline": "2026-06-30"},
        follow=True,
    )
    assert "完善议事规则" in texts(r)


def _stranger_urls(world):
    a = open_assessment(world)
    session = make_session(world)
    rep = reporter(session)
    return (
        a,
        session,
        rep,
        [
            f"/appraisal/sets/{a.indicator_set_id}/",
            f"/appraisal/assessments/{a.pk}/",
            f"/appraisal/assessments/{a.pk}/evidence/1/",
            f"/appraisal/reviews/{session.pk}/",
            f"/appraisal/reporters/{rep.pk}/",
            f"/appraisal/reporters/{rep.pk}/attachment/",
            f"/appraisal/v/{session.token}/",
        ],
    )


def test_a_stranger_gets_404_on_every_page_and_changes_nothing(world, client_for):
    a, session, rep, urls = _stranger_urls(world)
    rsvc.review_open(**SYS, session=session)
    c = client_for(world["charlie"])
    for url in urls:
        assert c.get(url).status_code == 404, url
    before = row_counts()
    posts = [
        (
            f"/appraisal/sets/{a.indicator_set_id}/",
            {"action": "open", "org": world["comm_a_org"].pk, "quarter": 2},
        ),
        (f"/appraisal/assessments/{a.pk}/", {"action": "self_save", "self_1": "1"}),
        (f"/appraisal/reviews/{session.pk}/", {"action": "close"}),
        (
            f"/appraisal/reporters/{rep.pk}/",
            {"action": "item", "title": "x", "owner": "y", "deadline": "2026-01-01"},
        ),
        (f"/appraisal/v/{session.token}/{rep.pk}/", {"grade": "good"}),
    ]
    for url, data in posts:
        assert c.post(url, data).status_code == 404, url
    assert row_counts() == before
    assert ReviewSession.objects.get().status == "open"


def test_a_stranger_cannot_create_for_an_org_out_of_reach(world, client_for):
    c = client_for(world["charlie"])
    before = row_counts()
    c.post(
        "/appraisal/sets/new/",
        {"name": "x", "org": world["street_a"].pk, "year": 2026, "level": "community"},
    )
    c.post(
        "/appraisal/reviews/new/",
        {
            "title": "x",
            "org": world["street_a"].pk,
            "year": 2026,
            "kind": "org",
            "weight_members": 100,
        },
    )
    assert row_counts() == before


def test_the_dashboard_card_and_index(world, client_for):
    make_set(world)
    c = client_for(world["alice"])
    assert "2026年社区千分制" in texts(c.get("/appraisal/"))
    assert 'data-testid="panel-appraisal"' not in c.get("/").content.decode()  # nothing under way
    from tongxin.appraisal.models import IndicatorSet as S
    from tongxin.appraisal.services import assessment as asvc

    asvc.assessment_open(**SYS, indicator_set=S.objects.get(), org=world["comm_a_org"], quarter=1)
    assert 'data-testid="panel-appraisal"' in c.get("/").content.decode()


def test_the_assessed_community_finds_its_quarter_on_the_index(world, client_for):
    """The set belongs to the street; the community it assesses sees its own quarter listed
    (not the street's set), and a stranger sees neither."""
    from tongxin.appraisal.services import assessment as asvc

    s = make_set(world)
    a = asvc.assessment_open(**SYS, indicator_set=s, org=world["comm_a_org"], quarter=1)
    shequ = factories.user("shequ", "street_secretary", org=world["comm_a_org"])
    body = texts(client_for(shequ).get("/appraisal/"))
    assert "暂无考评标准" in body and "紫金社区党委 · 2026年第1季度" in body
    assert (
        f"/appraisal/assessments/{a.pk}/" in client_for(shequ).get("/appraisal/").content.decode()
    )
    stranger = texts(client_for(world["charlie"]).get("/appraisal/"))
    assert "紫金社区党委 · 2026年第1季度" not in stranger and "本单位暂无千分制考评" in stranger
