"""/api/v1/points/reviews: 民主评议党员 through the API. The whole year's review (open, self-
assessments, mutual ballots, the committee's proposal with points, the 党员大会's decision);
each bad input refused with a Chinese message and nothing written; a stranger gets 404."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from tests import factories
from tongxin.points.models import (
    BallotCast,
    BallotTally,
    MemberReview,
    ReviewGrade,
    ReviewState,
    SelfAssessment,
)

pytestmark = pytest.mark.django_db
API = "/api/v1/points/reviews"


def this_year() -> int:
    return timezone.localdate().year


def post(c, url, body):
    return c.post(url, body, content_type="application/json")


@pytest.fixture
def branch(rules):
    """Branch A1 with six members (at most two 优秀) and accounts for two of them."""
    w = rules
    w["more"] = [factories.member(w["branch_a1"], name=f"党员{i}") for i in range(4)]
    w["zhang"] = factories.user("zhanghong", "member", org=w["branch_a1"], member=w["m_a1"])
    w["li"] = factories.user("liming", "member", org=w["branch_a1"], member=w["m_a1b"])
    w["wang"] = factories.user("wangfang", "member", org=w["branch_a2"], member=w["m_a2"])
    return w


def members(w):
    return [w["m_a1"], w["m_a1b"], *w["more"]]


@pytest.fixture
def opened(branch, client_for):
    r = post(
        client_for(branch["bob"]), API, {"org_id": branch["branch_a1"].pk, "year": this_year()}
    )
    assert r.status_code == 201, r.content
    return MemberReview.objects.get(pk=r.json()["id"])


def proposal(w, excellent=0):
    return {
        "grades": [
            {"member_id": m.pk, "grade": "excellent" if i < excellent else "qualified"}
            for i, m in enumerate(members(w))
        ]
    }


def marks(w, voter):
    return {
        "grades": [
            {"member_id": m.pk, "grade": "qualified"} for m in members(w) if m.pk != voter.pk
        ]
    }


def test_the_whole_review_through_the_api(branch, opened, client_for):
    w = branch
    zhang = client_for(w["zhang"])
    mine = zhang.get(f"{API}/mine").json()
    assert mine["id"] == opened.pk and not mine["voted"] and not mine["assessed"]
    assert {p["name"] for p in mine["others"]} == {"李明", "党员0", "党员1", "党员2", "党员3"}
    assert (
        post(zhang, f"{API}/{opened.pk}/self", {"text": "认真学习，带头服务。"}).status_code == 201
    )
    r = post(zhang, f"{API}/{opened.pk}/ballot", marks(w, w["m_a1"]))
    assert r.status_code == 201 and r.json()["graded"] == 5
    li = client_for(w["li"])
    body = marks(w, w["m_a1b"])
    body["grades"][0] = {"member_id": w["m_a1"].pk, "grade": "excellent"}
    assert post(li, f"{API}/{opened.pk}/ballot", body).status_code == 201
    assert li.get(f"{API}/mine").json()["voted"] is True

    bob = client_for(w["bob"])
    detail = bob.get(f"{API}/{opened.pk}").json()
    assert detail["ballots"] == 2 and detail["state"] == "open"
    zh = next(row for row in detail["rows"] if row["member_id"] == w["m_a1"].pk)
    assert zh["self_assessment"] == "认真学习，带头服务。"
    assert zh["tally"] == {"excellent": 1}
    # Before the proposal, the points year as it stands (the base score: nothing earned).
    assert float(zh["points_score"]) == 60 and zh["proposed"] == ""

    done = post(bob, f"{API}/{opened.pk}/proposal", proposal(w, excellent=2))
    assert done.status_code == 200, done.content
    assert done.json()["state"] == "proposed"
    assert all(float(row["points_score"]) == 60 for row in done.json()["rows"])

    decided = post(
        bob,
        f"{API}/{opened.pk}/decision",
        {
            "decided_on": timezone.localdate().isoformat(),
            "changes": [{"member_id": w["m_a1b"].pk, "grade": "basic"}],
        },
    )
    assert decided.status_code == 200, decided.content
    assert decided.json()["state"] == "decided"
    assert ReviewGrade.objects.get(member=w["m_a1b"]).final == "basic"
    listed = bob.get(API).json()
    assert listed["count"] == 1 and listed["results"][0]["state"] == "decided"


def test_excellent_above_one_third_is_refused_with_the_numbers(branch, opened, client_for):
    r = post(client_for(branch["bob"]), f"{API}/{opened.pk}/proposal", proposal(branch, 3))
    assert r.status_code == 400
    msg = r.json()["message"]
    assert "参评6人" in msg and "最多2人" in msg and "现提出3人" in msg
    assert not ReviewGrade.objects.exists()
    assert MemberReview.objects.get().state == ReviewState.OPEN


def test_the_meeting_cannot_raise_excellent_above_one_third(branch, opened, client_for):
    w = branch
    bob = client_for(w["bob"])
    assert post(bob, f"{API}/{opened.pk}/proposal", proposal(w, 2)).status_code == 200
    r = post(
        bob,
        f"{API}/{opened.pk}/decision",
        {
            "decided_on": timezone.localdate().isoformat(),
            "changes": [{"member_id": w["more"][3].pk, "grade": "excellent"}],
        },
    )
    assert r.status_code == 400 and "现提出3人" in r.json()["message"]
    assert MemberReview.objects.get().state == ReviewState.PROPOSED
    assert not ReviewGrade.objects.exclude(final="").exists()


def test_unqualified_without_a_reason_is_a_field_error(branch, opened, client_for):
    w = branch
    body = proposal(w)
    body["grades"][1]["grade"] = "unqualified"
    r = post(client_for(w["bob"]), f"{API}/{opened.pk}/proposal", body)
    assert r.status_code == 400
    assert f"reason_{w['m_a1b'].pk}" in r.json()["fields"]
    assert f"follow_up_{w['m_a1b'].pk}" in r.json()["fields"]
    assert not ReviewGrade.objects.exists()


def test_an_unknown_grade_is_refused(branch, opened, client_for):
    body = proposal(branch)
    body["grades"][0]["grade"] = "great"
    r = post(client_for(branch["bob"]), f"{API}/{opened.pk}/proposal", body)
    assert r.status_code == 400 and "优秀、合格、基本合格或不合格" in str(r.json()["fields"])
    assert not ReviewGrade.objects.exists()


def test_a_proposal_naming_a_member_twice_is_refused(branch, opened, client_for):
    body = proposal(branch)
    body["grades"].append({"member_id": branch["m_a1"].pk, "grade": "excellent"})
    r = post(client_for(branch["bob"]), f"{API}/{opened.pk}/proposal", body)
    assert r.status_code == 400 and "只能出现一次" in r.json()["fields"]["grades"]
    assert not ReviewGrade.objects.exists()


def test_a_second_ballot_is_refused_and_counts_once(branch, opened, client_for):
    w = branch
    zhang = client_for(w["zhang"])
    assert post(zhang, f"{API}/{opened.pk}/ballot", marks(w, w["m_a1"])).status_code == 201
    again = post(zhang, f"{API}/{opened.pk}/ballot", marks(w, w["m_a1"]))
    assert again.status_code == 409 and "只能投一次" in again.json()["message"]
    assert BallotCast.objects.count() == 1
    assert BallotTally.objects.get(member=w["m_a1b"], grade="qualified").count == 1


def test_a_ballot_that_grades_oneself_is_refused(branch, opened, client_for):
    w = branch
    body = {"grades": [{"member_id": m.pk, "grade": "qualified"} for m in members(w)]}
    r = post(client_for(w["zhang"]), f"{API}/{opened.pk}/ballot", body)
    assert r.status_code == 400 and "不评自己" in r.json()["fields"]["grades"]
    assert not BallotCast.objects.exists() and not BallotTally.objects.exists()


def test_a_ballot_naming_a_member_twice_is_refused(branch, opened, client_for):
    w = branch
    body = marks(w, w["m_a1"])
    body["grades"].append({"member_id": w["m_a1b"].pk, "grade": "excellent"})
    r = post(client_for(w["zhang"]), f"{API}/{opened.pk}/ballot", body)
    assert r.status_code == 400 and "grades" in r.json()["fields"]
    assert not BallotCast.objects.exists()


def test_a_ballot_or_self_assessment_after_the_review_closed_is_refused(branch, opened, client_for):
    w = branch
    assert post(client_for(w["bob"]), f"{API}/{opened.pk}/proposal", proposal(w)).status_code == 200
    zhang = client_for(w["zhang"])
    r = post(zhang, f"{API}/{opened.pk}/ballot", marks(w, w["m_a1"]))
    assert r.status_code == 409 and "已经结束" in r.json()["message"]
    r = post(zhang, f"{API}/{opened.pk}/self", {"text": "补交自评"})
    assert r.status_code == 409 and "已经结束" in r.json()["message"]
    assert not BallotCast.objects.exists() and not SelfAssessment.objects.exists()
    assert zhang.get(f"{API}/mine").status_code == 404


def test_a_decision_after_the_decision_is_refused(branch, opened, client_for):
    w = branch
    bob = client_for(w["bob"])
    today = timezone.localdate().isoformat()
    assert post(bob, f"{API}/{opened.pk}/proposal", proposal(w)).status_code == 200
    assert post(bob, f"{API}/{opened.pk}/decision", {"decided_on": today}).status_code == 200
    again = post(bob, f"{API}/{opened.pk}/decision", {"decided_on": today})
    assert again.status_code == 409
    late = post(bob, f"{API}/{opened.pk}/proposal", proposal(w, 1))
    assert late.status_code == 409 and "不能再修改" in late.json()["message"]
    assert not ReviewGrade.objects.filter(proposed="excellent").exists()


def test_a_decision_dated_in_the_future_is_a_field_error(branch, opened, client_for):
    w = branch
    bob = client_for(w["bob"])
    assert post(bob, f"{API}/{opened.pk}/proposal", proposal(w)).status_code == 200
    # 1 January next year: today's date next year does not exist on 29 February
    future = dt.date(this_year() + 1, 1, 1).isoformat()
    r = post(bob, f"{API}/{opened.pk}/decision", {"decided_on": future})
    assert r.status_code == 400 and "decided_on" in r.json()["fields"]
    assert MemberReview.objects.get().state == ReviewState.PROPOSED


def test_an_empty_self_assessment_is_a_field_error(branch, opened, client_for):
    r = post(client_for(branch["zhang"]), f"{API}/{opened.pk}/self", {"text": "  "})
    assert r.status_code == 400 and "text" in r.json()["fields"]
    assert not SelfAssessment.objects.exists()


def test_a_second_review_of_the_year_is_refused(branch, opened, client_for):
    r = post(
        client_for(branch["bob"]), API, {"org_id": branch["branch_a1"].pk, "year": this_year()}
    )
    assert r.status_code == 409 and "已经开始" in r.json()["message"]
    assert MemberReview.objects.count() == 1


def test_a_review_of_a_committee_or_a_future_year_is_refused(branch, client_for):
    year = this_year()
    alice = client_for(branch["alice"])
    r = post(alice, API, {"org_id": branch["comm_a_org"].pk, "year": year})
    assert r.status_code == 400 and "org" in r.json()["fields"]
    r = post(alice, API, {"org_id": branch["branch_a1"].pk, "year": year + 1})
    assert r.status_code == 400 and "year" in r.json()["fields"]
    assert not MemberReview.objects.exists()


def test_a_stranger_gets_404_and_nothing_is_written(branch, opened, client_for):
    w = branch
    c = client_for(w["charlie"])
    today = timezone.localdate().isoformat()
    assert c.get(f"{API}/{opened.pk}").status_code == 404
    assert c.get(API).json()["count"] == 0
    assert post(c, API, {"org_id": w["branch_a1"].pk, "year": this_year() - 1}).status_code == 404
    assert post(c, f"{API}/{opened.pk}/proposal", proposal(w)).status_code == 404
    assert post(c, f"{API}/{opened.pk}/decision", {"decided_on": today}).status_code == 404
    assert post(c, f"{API}/{opened.pk}/self", {"text": "x"}).status_code == 404
    assert post(c, f"{API}/{opened.pk}/ballot", marks(w, w["m_a1"])).status_code == 404
    assert c.get(f"{API}/mine").status_code == 404
    # A member of the neighbouring branch: not their review.
    wang = client_for(w["wang"])
    assert wang.get(f"{API}/{opened.pk}").status_code == 404
    assert post(wang, f"{API}/{opened.pk}/ballot", marks(w, w["m_a1"])).status_code == 404
    assert post(wang, f"{API}/{opened.pk}/self", {"text": "x"}).status_code == 404
    assert MemberReview.objects.count() == 1
    assert not (
        BallotCast.objects.exists()
        or SelfAssessment.objects.exists()
        or ReviewGrade.objects.exists()
    )


def test_a_member_may_not_read_the_tally_or_decide(branch, opened, client_for):
    zhang = client_for(branch["zhang"])
    assert zhang.get(f"{API}/{opened.pk}").status_code == 404
    assert post(zhang, f"{API}/{opened.pk}/proposal", proposal(branch)).status_code == 404
    assert not ReviewGrade.objects.exists()
