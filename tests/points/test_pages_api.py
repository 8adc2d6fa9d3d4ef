"""The pages and the API: the member's own page and ledger, the branch ranking, the approvals
queue, the rule sets; a stranger gets 404 and changes nothing."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests import factories
from tests.points.conftest import attend, collect, held_meeting, png, propose
from tongxin.core.months import add_months, this_month
from tongxin.points.models import AwardState, ManualAward, PeriodClose, PointEntry

pytestmark = pytest.mark.django_db


@pytest.fixture
def zhang(rules):
    return factories.user("zhanghong", "member", org=rules["branch_a1"], member=rules["m_a1"])


@pytest.fixture
def earned(rules):
    w = rules
    attend(held_meeting(w["branch_a1"], this_month(), title="本月支部党员大会"), w["m_a1"])
    collect(this_month(), add_months(this_month(), 1))
    return w


def test_member_sees_own_score_ledger_and_sources(earned, zhang, client_for):
    page = client_for(zhang).get(reverse("points:mine"))
    assert page.status_code == 200
    text = page.content.decode()
    # the score as people read it: 63, not "63.0"
    assert "本月支部党员大会" in text and ">63<" in text and "63.0" not in text
    assert 'data-testid="rank"' in text


def test_member_page_query_count_is_constant(earned, zhang, client_for):
    c = client_for(zhang)
    c.get(reverse("points:mine"))
    with CaptureQueriesContext(connection) as first:
        c.get(reverse("points:mine"))
    for i in range(3):
        m = factories.member(earned["branch_a1"], name=f"新党员{i}")
        attend(held_meeting(earned["branch_a1"], this_month()), m)
    collect(this_month(), add_months(this_month(), 1))
    with CaptureQueriesContext(connection) as second:
        c.get(reverse("points:mine"))
    assert len(first) == len(second)


def test_phone_home_card_shows_the_score(earned, zhang, client_for):
    page = client_for(zhang).get(reverse("core:dashboard"))
    assert 'data-testid="my-points-card"' in page.content.decode()


def test_branch_ranking_lists_members_with_tiers(earned, client_for):
    page = client_for(earned["bob"]).get(reverse("points:ranking"), {"org": earned["branch_a1"].pk})
    text = page.content.decode()
    assert page.status_code == 200 and "张红" in text and "李明" in text
    assert 'data-testid="branch-ranking"' in text


def test_subtree_ranking_for_a_street(earned, client_for):
    page = client_for(earned["alice"]).get(reverse("points:ranking"))
    assert page.status_code == 200 and 'data-testid="subtree-ranking"' in page.content.decode()


def test_close_month_from_the_ranking_page(earned, client_for):
    w = earned
    r = client_for(w["bob"]).post(
        reverse("points:close"), {"org": w["branch_a1"].pk, "month": f"{this_month():%Y-%m}"}
    )
    assert r.status_code == 302
    assert PeriodClose.objects.filter(org=w["branch_a1"], period=this_month()).exists()


def test_propose_and_approve_through_the_pages(earned, client_for):
    w = earned
    c = client_for(w["bob"])
    form = c.get(reverse("points:propose", args=[w["m_a1"].pk]))
    rule_id = list(form.context["form"].fields["rule"].choices)[-1][0]
    r = c.post(
        reverse("points:propose", args=[w["m_a1"].pk]),
        {
            "rule": rule_id,
            "on": f"{timezone.localdate():%Y-%m-%d}",
            "reason": "获评优秀党员",
            "evidence": png(),
        },
    )
    assert r.status_code == 302, r.content.decode()[:2000]
    award = ManualAward.objects.get()
    # bob cannot approve his own proposal: the page says so and nothing is written.
    c.post(reverse("points:award_decide", args=[award.pk]), {"decision": "approve"})
    assert ManualAward.objects.get().state == AwardState.PENDING
    client_for(w["alice"]).post(
        reverse("points:award_decide", args=[award.pk]), {"decision": "approve"}
    )
    assert ManualAward.objects.get().state == AwardState.APPROVED


def test_propose_without_evidence_shows_the_field_error(earned, client_for):
    w = earned
    c = client_for(w["bob"])
    form = c.get(reverse("points:propose", args=[w["m_a1"].pk]))
    rule_id = form.context["form"].fields["rule"].choices[0][0]
    r = c.post(
        reverse("points:propose", args=[w["m_a1"].pk]),
        {"rule": rule_id, "on": f"{timezone.localdate():%Y-%m-%d}", "reason": "获评优秀党员"},
    )
    assert r.status_code == 200 and "证明材料" in r.content.decode()
    assert not ManualAward.objects.exists()


def test_rules_and_awards_pages(earned, client_for):
    c = client_for(earned["alice"])
    assert "锋领指数" in c.get(reverse("points:rules")).content.decode()
    assert c.get(reverse("points:awards")).status_code == 200


# --- strangers: charlie (secretary in street B) and a member reading someone else's ledger ---


def test_someone_elses_ledger_is_404(earned, client_for):
    w = earned
    c = client_for(w["charlie"])
    assert c.get(reverse("points:member", args=[w["m_a1"].pk])).status_code == 404
    assert c.get(reverse("points:propose", args=[w["m_a1"].pk])).status_code == 404
    api = c.get(f"/api/v1/points/members/{w['m_a1'].pk}/entries")
    assert api.status_code == 404


def test_a_member_cannot_read_another_members_ledger(earned, zhang, client_for):
    c = client_for(zhang)
    assert c.get(reverse("points:member", args=[earned["m_a1b"].pk])).status_code == 404
    assert c.get(f"/api/v1/points/members/{earned['m_a1b'].pk}/entries").status_code == 404


def test_stranger_cannot_decide_reverse_close_or_see_evidence(earned, client_for):
    w = earned
    award = propose(w, w["m_a1"])
    entry = PointEntry.objects.get()
    c = client_for(w["charlie"])
    before = (PointEntry.objects.count(), ManualAward.objects.filter(state="pending").count())
    assert (
        c.post(reverse("points:award_decide", args=[award.pk]), {"decision": "approve"}).status_code
        == 404
    )
    assert c.get(reverse("points:award_evidence", args=[award.pk])).status_code == 404
    assert (
        c.post(reverse("points:entry_reverse", args=[entry.pk]), {"reason": "x"}).status_code == 404
    )
    assert (
        c.post(reverse("points:close"), {"org": w["branch_a1"].pk, "month": "2026-01"}).status_code
        == 404
    )
    assert c.get(reverse("points:ranking"), {"org": w["branch_a1"].pk}).status_code == 404
    assert (
        c.post(
            f"/api/v1/points/awards/{award.pk}/approve", {}, content_type="application/json"
        ).status_code
        == 404
    )
    assert (
        c.post(
            f"/api/v1/points/awards/{award.pk}/reject",
            {"note": "x"},
            content_type="application/json",
        ).status_code
        == 404
    )
    assert c.get("/api/v1/points/rankings", {"org_id": w["branch_a1"].pk}).status_code == 404
    assert c.get("/api/v1/points/awards").json()["count"] == 0
    assert (
        PointEntry.objects.count(),
        ManualAward.objects.filter(state="pending").count(),
    ) == before
    assert not PeriodClose.objects.exists()


def test_stranger_own_pages_show_nothing_of_street_a(earned, client_for):
    c = client_for(earned["charlie"])
    assert "张红" not in c.get(reverse("points:awards")).content.decode()
    assert c.get("/api/v1/points/mine").status_code == 404
    assert c.get(reverse("points:mine")).status_code == 200
    assert c.get(reverse("points:claim")).status_code == 404


# --- API ---


def test_api_mine_and_entries(earned, zhang, client_for):
    c = client_for(zhang)
    mine = c.get("/api/v1/points/mine").json()
    assert mine["standing"]["score"] == "63.0" or float(mine["standing"]["score"]) == 63
    assert mine["standing"]["rank"] == 1
    entries = c.get("/api/v1/points/mine/entries").json()
    assert entries["count"] == 1 and entries["results"][0]["source_note"] == "本月支部党员大会"


def test_api_ranking_and_approvals(earned, client_for):
    w = earned
    award = propose(w, w["m_a1"])
    c = client_for(w["alice"])
    ranking = c.get("/api/v1/points/rankings", {"org_id": w["branch_a1"].pk}).json()
    assert next(r["name"] for r in ranking) == "张红"
    queue = c.get("/api/v1/points/awards").json()
    assert queue["count"] == 1
    own = client_for(w["bob"]).post(
        f"/api/v1/points/awards/{award.pk}/approve", {}, content_type="application/json"
    )
    assert own.status_code == 400 and own.json()["code"] == "own_proposal"
    ok = client_for(w["alice"]).post(
        f"/api/v1/points/awards/{award.pk}/approve", {}, content_type="application/json"
    )
    assert ok.status_code == 200 and float(ok.json()["granted"]) == 5


def test_api_bad_month_is_a_field_error(earned, client_for):
    r = client_for(earned["alice"]).get(
        "/api/v1/points/rankings", {"org_id": earned["branch_a1"].pk, "month": "2026-13"}
    )
    assert r.status_code == 400 and "month" in r.json()["fields"]
