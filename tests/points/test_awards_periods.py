"""Manual awards (proposed with evidence, approved by someone else), member claims, closing a
month (a snapshot that never changes; late events go to the open month), rule versions."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from tests import factories
from tests.points.conftest import (
    attend,
    collect,
    held_meeting,
    manual_rule,
    not_an_image,
    png,
    propose,
)
from tests.stranger_setup import scope_of
from tongxin.core.errors import ConflictError, ForbiddenError, ServiceError
from tongxin.core.months import add_months, this_month
from tongxin.core.scope import Scope
from tongxin.points import services
from tongxin.points.models import AwardState, ManualAward, PointEntry, RuleSet, ScoreSnapshot

pytestmark = pytest.mark.django_db


def test_a_proposal_approved_by_the_secretary_enters_the_ledger(rules):
    w = rules
    award = propose(w, w["m_a1"])
    assert award.state == AwardState.PENDING and not PointEntry.objects.exists()
    entry = services.award_approve(actor=w["alice"], scope=scope_of(w["alice"]), award=award)
    assert entry.granted == Decimal(5) and entry.category == "pioneer"
    assert entry.awarded_by_id == w["bob"].pk and entry.approved_by_id == w["alice"].pk
    assert entry.evidence
    assert ManualAward.objects.get(pk=award.pk).state == AwardState.APPROVED


def test_an_award_without_evidence_is_refused(rules):
    w = rules
    with pytest.raises(ServiceError) as exc:
        services.award_propose(
            actor=w["bob"],
            scope=scope_of(w["bob"]),
            member=w["m_a1"],
            rule=manual_rule(w["m_a1"]),
            on=timezone.localdate(),
            reason="获评优秀志愿者",
            evidence=None,
        )
    assert "evidence" in exc.value.fields and "证明材料" in exc.value.fields["evidence"]
    assert not ManualAward.objects.exists()


def test_evidence_that_is_not_a_photo_or_pdf_is_refused(rules):
    w = rules
    with pytest.raises(ServiceError) as exc:
        propose(w, w["m_a1"], evidence=not_an_image())
    assert "evidence" in exc.value.fields
    assert not ManualAward.objects.exists()


def test_the_proposer_cannot_approve_their_own_proposal(rules):
    w = rules
    award = propose(w, w["m_a1"])
    with pytest.raises(ServiceError) as exc:
        services.award_approve(actor=w["bob"], scope=scope_of(w["bob"]), award=award)
    assert exc.value.code == "own_proposal" and "自己" in exc.value.message
    assert not PointEntry.objects.exists()
    assert ManualAward.objects.get(pk=award.pk).state == AwardState.PENDING


def test_an_award_is_approved_once(rules):
    w = rules
    award = propose(w, w["m_a1"])
    services.award_approve(actor=w["alice"], scope=scope_of(w["alice"]), award=award)
    with pytest.raises(ConflictError):
        services.award_approve(actor=w["alice"], scope=scope_of(w["alice"]), award=award)
    assert PointEntry.objects.count() == 1


def test_awards_are_capped_with_the_reason(rules):
    w = rules
    # 获得表彰 +5 capped at 20 a year (网格/社区): the fifth earns nothing.
    grants = []
    for _ in range(5):
        award = propose(w, w["m_a1"])
        grants.append(
            services.award_approve(actor=w["alice"], scope=scope_of(w["alice"]), award=award)
        )
    assert [g.granted for g in grants] == [5, 5, 5, 5, 0]
    assert "上限20" in grants[-1].cap_note


def test_a_rejection_needs_a_reason(rules):
    w = rules
    award = propose(w, w["m_a1"])
    with pytest.raises(ServiceError):
        services.award_reject(actor=w["alice"], scope=scope_of(w["alice"]), award=award, note="")
    done = services.award_reject(
        actor=w["alice"], scope=scope_of(w["alice"]), award=award, note="材料不清晰"
    )
    assert done.state == AwardState.REJECTED and not PointEntry.objects.exists()


def test_a_member_claims_for_themselves_only(rules):
    w = rules
    zhang = factories.user("zhanghong", "member", org=w["branch_a1"], member=w["m_a1"])
    claim = services.award_claim(
        actor=zhang,
        member=w["m_a1"],
        rule=manual_rule(w["m_a1"], "study"),
        on=timezone.localdate(),
        reason="撰写学习心得",
        evidence=png("心得.pdf"),
    )
    assert claim.is_claim and claim.state == AwardState.PENDING
    with pytest.raises(ForbiddenError):
        services.award_claim(
            actor=zhang,
            member=w["m_a1b"],
            rule=manual_rule(w["m_a1b"], "study"),
            on=timezone.localdate(),
            reason="替人申报",
            evidence=png(),
        )
    # bob, the branch's secretary (his seat in the 班子 record), approves the claim.
    w["bob"].member = factories.member(w["branch_a1"], name="鲍书记")
    w["bob"].save(update_fields=["member"])
    _seat(w["branch_a1"], w["bob"].member)
    entry = services.award_approve(actor=w["bob"], scope=scope_of(w["bob"]), award=claim)
    assert entry.granted == 2


def test_an_automatic_rule_cannot_be_awarded_by_hand(rules):
    w = rules
    from tongxin.points.models import Rule

    auto = Rule.objects.filter(code="meeting").first()
    with pytest.raises(ServiceError) as exc:
        services.award_propose(
            actor=w["bob"],
            scope=scope_of(w["bob"]),
            member=w["m_a1"],
            rule=auto,
            on=timezone.localdate(),
            reason="补记",
            evidence=png(),
        )
    assert "rule" in exc.value.fields


def close(w, org_key="branch_a1", month=None, by="bob"):
    return services.period_close(
        actor=w[by], scope=scope_of(w[by]), org=w[org_key], period=month or this_month()
    )


def test_closing_a_month_snapshots_scores_tiers_and_ranks(rules):
    w = rules
    month = add_months(this_month(), -1)
    attend(held_meeting(w["branch_a1"], month), w["m_a1"])
    collect(month, this_month())
    c = close(w, month=month)
    snaps = {s.member_id: s for s in ScoreSnapshot.objects.filter(close=c)}
    assert snaps[w["m_a1"].pk].year_score == Decimal(63)
    assert snaps[w["m_a1"].pk].branch_rank == 1 and snaps[w["m_a1"].pk].branch_size == 2
    assert snaps[w["m_a1b"].pk].branch_rank == 2
    assert snaps[w["m_a1"].pk].tier == "pass"


def test_editing_a_closed_month_is_refused(rules):
    w = rules
    month = add_months(this_month(), -1)
    c = close(w, month=month)
    with pytest.raises(ConflictError) as exc:
        close(w, month=month)
    assert "已经结账" in exc.value.message
    snap = ScoreSnapshot.objects.filter(close=c).first()
    snap.year_score = Decimal(99)
    with pytest.raises(ValueError):
        snap.save()
    with pytest.raises(ValueError):
        snap.delete()


def test_closing_a_future_month_is_refused(rules):
    w = rules
    with pytest.raises(ServiceError) as exc:
        close(w, month=add_months(this_month(), 1))
    assert "period" in exc.value.fields


def test_a_late_event_goes_to_the_open_month_with_a_reference(rules):
    w = rules
    month = add_months(this_month(), -1)
    close(w, month=month)
    attend(held_meeting(w["branch_a1"], month), w["m_a1"])
    collect(month, add_months(this_month(), 1))
    e = PointEntry.objects.get(member=w["m_a1"])
    assert e.period == this_month() and e.late_for == month
    # The closed month's snapshot did not change.
    assert ScoreSnapshot.objects.get(member=w["m_a1"], period=month).month_points == 0


def test_a_correction_of_a_closed_month_goes_to_the_open_month(rules):
    w = rules
    month = add_months(this_month(), -1)
    attend(held_meeting(w["branch_a1"], month), w["m_a1"])
    collect(month, this_month())
    close(w, month=month)
    e = PointEntry.objects.get()
    r = services.entry_reverse(actor=w["bob"], scope=scope_of(w["bob"]), entry=e, reason="误记")
    assert r.period == this_month() and r.late_for == month
    assert ScoreSnapshot.objects.get(member=w["m_a1"], period=month).month_points == 3


def test_an_overlapping_rule_version_is_refused(rules):
    rs = RuleSet.objects.get(domain="community")
    services.rule_version_create(
        actor=None,
        scope=Scope.everything(),
        rule_set=rs,
        valid_from=dt.date(2026, 1, 1),
        valid_to=dt.date(2026, 12, 31),
        changes={"meeting": ("4", "16")},
    )
    versions = list(rs.versions.order_by("valid_from"))
    assert versions[0].valid_to == dt.date(2025, 12, 31)  # the open version ends the day before
    with pytest.raises(ServiceError) as exc:
        services.rule_version_create(
            actor=None,
            scope=Scope.everything(),
            rule_set=rs,
            valid_from=dt.date(2026, 6, 1),
            valid_to=dt.date(2026, 8, 31),
        )
    assert exc.value.code == "overlap" and "重叠" in exc.value.message
    assert rs.versions.count() == 2


def test_a_new_version_applies_from_its_date(rules):
    w = rules
    rs = RuleSet.objects.get(domain="community")
    services.rule_version_create(
        actor=None,
        scope=Scope.everything(),
        rule_set=rs,
        valid_from=dt.date(2026, 2, 1),
        changes={"meeting": ("4", "16")},
    )
    attend(held_meeting(w["branch_a1"], dt.date(2026, 1, 20)), w["m_a1"])
    attend(held_meeting(w["branch_a1"], dt.date(2026, 2, 20)), w["m_a1"])
    collect(dt.date(2026, 1, 1), dt.date(2026, 3, 1))
    jan, feb = PointEntry.objects.filter(member=w["m_a1"]).order_by("on")
    assert (jan.granted, feb.granted) == (3, 4)
    assert jan.version_id != feb.version_id


def test_red_threshold_below_warning_is_refused(rules):
    rs = RuleSet.objects.get(domain="community")
    with pytest.raises(ServiceError) as exc:
        services.rule_version_create(
            actor=None,
            scope=Scope.everything(),
            rule_set=rs,
            valid_from=dt.date(2027, 1, 1),
            red_threshold="50",
            warn_threshold="60",
        )
    assert "red_threshold" in exc.value.fields


def test_a_subtree_overrides_its_domain(rules):
    w = rules
    template = RuleSet.objects.get(domain="community")
    rs = services.rule_set_override_create(
        actor=w["alice"],
        scope=scope_of(w["alice"]),
        org=w["comm_a_org"],
        name="紫金社区积分细则",
        template=template,
    )
    services.rule_version_create(
        actor=w["alice"],
        scope=scope_of(w["alice"]),
        rule_set=rs,
        valid_from=add_months(this_month(), 1),
        changes={"meeting": ("5", "20")},
    )
    on = add_months(this_month(), 1)
    attend(held_meeting(w["branch_a1"], on), w["m_a1"])
    collect(on, add_months(on, 1))
    assert PointEntry.objects.get(member=w["m_a1"]).granted == 5


# --- Who approves: the 班子 record ---


def _seat(org, member, role="secretary", start=None, end=None):
    from tongxin.orgs.models import Leadership

    today = timezone.localdate()
    return Leadership.objects.create(
        org=org,
        member=member,
        role=role,
        term_start=start or today - dt.timedelta(days=400),
        term_end=end or today + dt.timedelta(days=700),
    )


@pytest.fixture
def committee(rules):
    """Branch A1's secretary seat is 刘书记's; bob (a committee member with the branch's
    secretary role on his account) proposes."""
    w = rules
    w["m_liu"] = factories.member(w["branch_a1"], name="刘书记")
    w["liu"] = factories.user("liu", "branch_secretary", org=w["branch_a1"], member=w["m_liu"])
    w["m_zhou"] = factories.member(w["branch_a1"], name="周委员")
    w["zhou"] = factories.user("zhou", "branch_secretary", org=w["branch_a1"], member=w["m_zhou"])
    _seat(w["branch_a1"], w["m_liu"])
    _seat(w["branch_a1"], w["m_zhou"], role="committee_member")
    return w


def test_the_branch_secretary_by_seat_approves(committee):
    w = committee
    award = propose(w, w["m_a1"])
    entry = services.award_approve(actor=w["liu"], scope=scope_of(w["liu"]), award=award)
    assert entry.approved_by_id == w["liu"].pk


def test_a_deputy_secretary_by_seat_approves(committee):
    w = committee
    _seat(w["branch_a1"], w["m_zhou"], role="deputy")
    award = propose(w, w["m_a1"])
    services.award_approve(actor=w["zhou"], scope=scope_of(w["zhou"]), award=award)
    assert ManualAward.objects.get(pk=award.pk).state == AwardState.APPROVED


def test_a_committee_member_without_the_secretary_seat_is_refused(committee):
    w = committee
    award = propose(w, w["m_a1"])
    with pytest.raises(ServiceError) as exc:
        services.award_approve(actor=w["zhou"], scope=scope_of(w["zhou"]), award=award)
    assert exc.value.code == "not_secretary" and "书记、副书记" in exc.value.message
    assert ManualAward.objects.get(pk=award.pk).state == AwardState.PENDING
    assert not PointEntry.objects.exists()


def test_a_secretary_of_another_branch_with_reach_is_refused(committee):
    """Holding a seat elsewhere does not count: the seat must be in the member's branch."""
    w = committee
    _seat(w["branch_a2"], w["m_zhou"])
    award = propose(w, w["m_a1"])
    with pytest.raises(ServiceError) as exc:
        services.award_approve(actor=w["zhou"], scope=scope_of(w["zhou"]), award=award)
    assert exc.value.code == "not_secretary"
    assert not PointEntry.objects.exists()


def test_a_secretary_whose_term_ended_and_was_replaced_is_refused(committee):
    w = committee
    today = timezone.localdate()
    _seat(
        w["branch_a1"],
        w["m_zhou"],
        start=today - dt.timedelta(days=2000),
        end=today - dt.timedelta(days=401),
    )
    award = propose(w, w["m_a1"])
    with pytest.raises(ServiceError) as exc:
        services.award_approve(actor=w["zhou"], scope=scope_of(w["zhou"]), award=award)
    assert exc.value.code == "not_secretary"


def test_a_secretary_whose_term_ran_out_before_the_election_still_approves(rules):
    """换届 due: the latest secretary stays in office until the next term is registered."""
    w = rules
    today = timezone.localdate()
    m_liu = factories.member(w["branch_a1"], name="刘书记")
    liu = factories.user("liu", "branch_secretary", org=w["branch_a1"], member=m_liu)
    _seat(
        w["branch_a1"],
        m_liu,
        start=today - dt.timedelta(days=1900),
        end=today - dt.timedelta(days=30),
    )
    award = propose(w, w["m_a1"])
    services.award_approve(actor=liu, scope=scope_of(liu), award=award)
    assert ManualAward.objects.get(pk=award.pk).state == AwardState.APPROVED


def test_the_upper_organization_approves_without_a_seat(committee):
    w = committee
    award = propose(w, w["m_a1"])
    services.award_approve(actor=w["alice"], scope=scope_of(w["alice"]), award=award)
    assert ManualAward.objects.get(pk=award.pk).state == AwardState.APPROVED
