"""民主评议党员: self-assessment, anonymous mutual ballots (each member once, only tallies kept),
the committee's proposal with the points year as evidence, the 党员大会's decision; 优秀 at most
one third; 不合格 with a reason and a follow-up."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from tests import factories
from tests.stranger_setup import scope_of
from tongxin.core.errors import ConflictError, ForbiddenError, ServiceError
from tongxin.points import services
from tongxin.points.models import BallotCast, BallotTally, ReviewGrade, ReviewState

pytestmark = pytest.mark.django_db


@pytest.fixture
def review(rules):
    w = rules
    # branch A1: 张红, 李明 and four more (six members: at most two 优秀)
    w["more"] = [factories.member(w["branch_a1"], name=f"党员{i}") for i in range(4)]
    return services.review_open(
        actor=w["bob"], scope=scope_of(w["bob"]), org=w["branch_a1"], year=timezone.localdate().year
    )


def members(w):
    return [w["m_a1"], w["m_a1b"], *w["more"]]


def voter(w, member, name):
    return factories.user(name, "member", org=w["branch_a1"], member=member)


def grades(w, excellent=0, unqualified=None):
    out = {}
    for i, m in enumerate(members(w)):
        out[m.pk] = ("excellent" if i < excellent else "qualified", "", "")
    if unqualified is not None:
        out[unqualified.pk] = ("unqualified", "", "")
    return out


def test_a_ballot_counts_once_and_only_as_a_tally(rules, review):
    w = rules
    zhang = voter(w, w["m_a1"], "zhanghong")
    marks = {m.pk: "qualified" for m in members(w) if m.pk != w["m_a1"].pk}
    marks[w["m_a1b"].pk] = "excellent"
    services.review_ballot(actor=zhang, review=review, grades=marks)
    assert BallotCast.objects.filter(review=review).count() == 1
    assert BallotTally.objects.get(member=w["m_a1b"], grade="excellent").count == 1
    # Nothing links the voter to the grades they gave.
    assert not any(f.name in ("voter", "cast") for f in BallotTally._meta.get_fields())
    with pytest.raises(ConflictError) as exc:
        services.review_ballot(actor=zhang, review=review, grades=marks)
    assert "只能投一次" in exc.value.message
    assert BallotTally.objects.get(member=w["m_a1b"], grade="excellent").count == 1


def test_a_ballot_must_grade_every_other_member_and_not_oneself(rules, review):
    w = rules
    zhang = voter(w, w["m_a1"], "zhanghong")
    with pytest.raises(ServiceError) as exc:
        services.review_ballot(actor=zhang, review=review, grades={w["m_a1"].pk: "excellent"})
    assert "grades" in exc.value.fields
    assert not BallotCast.objects.exists()


def test_a_ballot_from_outside_the_branch_is_refused(rules, review):
    w = rules
    outsider = voter(w, w["m_a2"], "wangfang")
    with pytest.raises(ForbiddenError):
        services.review_ballot(actor=outsider, review=review, grades={})


def test_excellent_over_one_third_is_refused_with_the_numbers(rules, review):
    w = rules
    with pytest.raises(ServiceError) as exc:
        services.review_propose(
            actor=w["bob"], scope=scope_of(w["bob"]), review=review, grades=grades(w, excellent=3)
        )
    assert "参评6人" in exc.value.message and "最多2人" in exc.value.message
    assert "现提出3人" in exc.value.message
    assert not ReviewGrade.objects.exists()
    rows = services.review_propose(
        actor=w["bob"], scope=scope_of(w["bob"]), review=review, grades=grades(w, excellent=2)
    )
    assert len(rows) == 6 and all(r.points_score == 60 for r in rows)


def test_unqualified_needs_a_reason_and_a_follow_up(rules, review):
    w = rules
    g = grades(w, unqualified=w["m_a1b"])
    with pytest.raises(ServiceError) as exc:
        services.review_propose(actor=w["bob"], scope=scope_of(w["bob"]), review=review, grades=g)
    assert f"reason_{w['m_a1b'].pk}" in exc.value.fields
    assert f"follow_up_{w['m_a1b'].pk}" in exc.value.fields
    g[w["m_a1b"].pk] = ("unqualified", "连续6个月不参加组织生活", "限期改正，支部书记谈心谈话")
    services.review_propose(actor=w["bob"], scope=scope_of(w["bob"]), review=review, grades=g)
    assert ReviewGrade.objects.get(member=w["m_a1b"]).proposed == "unqualified"


def test_the_general_meeting_decides_and_then_nothing_changes(rules, review):
    w = rules
    services.review_propose(
        actor=w["bob"], scope=scope_of(w["bob"]), review=review, grades=grades(w, excellent=2)
    )
    # The meeting may change grades, under the same one-third rule.
    with pytest.raises(ServiceError):
        services.review_decide(
            actor=w["bob"],
            scope=scope_of(w["bob"]),
            review=review,
            decided_on=timezone.localdate(),
            changes={w["more"][0].pk: "excellent"},
        )
    done = services.review_decide(
        actor=w["bob"], scope=scope_of(w["bob"]), review=review, decided_on=timezone.localdate()
    )
    assert done.state == ReviewState.DECIDED
    assert ReviewGrade.objects.filter(final="excellent").count() == 2
    zhang = voter(w, w["m_a1"], "zhanghong")
    with pytest.raises(ConflictError):
        services.review_ballot(actor=zhang, review=review, grades={})
    with pytest.raises(ConflictError):
        services.review_decide(
            actor=w["bob"], scope=scope_of(w["bob"]), review=review, decided_on=timezone.localdate()
        )


def test_self_assessment_once(rules, review):
    w = rules
    zhang = voter(w, w["m_a1"], "zhanghong")
    services.review_self_assess(actor=zhang, review=review, text="认真参加组织生活，带头志愿服务。")
    with pytest.raises(ConflictError):
        services.review_self_assess(actor=zhang, review=review, text="again")


def test_pages_member_votes_and_secretary_sees_only_tallies(rules, review, client_for):
    w = rules
    zhang = voter(w, w["m_a1"], "zhanghong")
    c = client_for(zhang)
    page = c.get(reverse("points:my_review"))
    assert page.status_code == 200 and "李明" in page.content.decode()
    post = {f"grade_{m.pk}": "qualified" for m in members(w) if m.pk != w["m_a1"].pk}
    post["step"] = "ballot"
    c.post(reverse("points:my_review_submit"), post)
    assert BallotCast.objects.count() == 1
    staff = client_for(w["bob"]).get(reverse("points:review", args=[review.pk]))
    assert staff.status_code == 200 and "已有 1 人投票" in staff.content.decode()


def test_someone_elses_review_is_404(rules, review, client_for):
    w = rules
    c = client_for(w["charlie"])
    assert c.get(reverse("points:review", args=[review.pk])).status_code == 404
    r = c.post(reverse("points:review", args=[review.pk]), {"step": "propose"})
    assert r.status_code == 404
    assert c.get(reverse("points:reviews")).status_code == 200
    assert "紫金社区第一党支部" not in c.get(reverse("points:reviews")).content.decode()
    outsider = voter(w, w["m_a2"], "wangfang")
    page = client_for(outsider).get(reverse("points:my_review"))
    assert 'data-testid="no-review"' in page.content.decode()
