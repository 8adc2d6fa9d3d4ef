"""Stranger cases of tongxin.points.services (tests/stranger.py): charlie, secretary of branch
B1 in street B, acts on street A's members, awards, ledger entries and organizations."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from tests.stranger import case
from tests.stranger_setup import scope_of
from tongxin.core.months import this_month
from tongxin.points import services
from tongxin.points.models import PointEntry, RuleSet
from tongxin.points.rules import seed_default_rule_sets
from tongxin.points.selectors import manual_rules_for

W = dict[str, Any]
S = "tongxin.points.services."
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def _charlie(w: W) -> dict[str, Any]:
    return {"actor": w["charlie"], "scope": scope_of(w["charlie"])}


def _evidence() -> SimpleUploadedFile:
    return SimpleUploadedFile("表彰.png", PNG, content_type="image/png")


def _award(w: W) -> Any:
    seed_default_rule_sets()
    rule = next(r for r in manual_rules_for(w["m_a1"]) if r.code == "honour")
    return services.award_propose(
        actor=w["bob"],
        scope=scope_of(w["bob"]),
        member=w["m_a1"],
        rule=rule,
        on=timezone.localdate(),
        reason="获评优秀志愿者",
        evidence=_evidence(),
    )


@case(S + "jobs.points_collect")
def _collect(w: W) -> Any:
    today = timezone.localdate()
    return services.points_collect(**_charlie(w), start=today - dt.timedelta(days=30), end=today)


@case(S + "jobs.points_recompute")
def _recompute(w: W) -> Any:
    return services.points_recompute(**_charlie(w), year=timezone.localdate().year)


@case(S + "rule_sets.rule_version_create")
def _version(w: W) -> Any:
    seed_default_rule_sets()
    rs = RuleSet.objects.get(domain="community")
    yield
    services.rule_version_create(**_charlie(w), rule_set=rs, valid_from=this_month())


@case(S + "rule_sets.rule_set_override_create")
def _override(w: W) -> Any:
    seed_default_rule_sets()
    template = RuleSet.objects.get(domain="community")
    yield
    services.rule_set_override_create(
        **_charlie(w), org=w["comm_a_org"], name="紫金社区积分细则", template=template
    )


@case(S + "awards.award_propose")
def _propose(w: W) -> Any:
    seed_default_rule_sets()
    rule = next(r for r in manual_rules_for(w["m_a1"]) if r.code == "honour")
    yield
    services.award_propose(
        **_charlie(w),
        member=w["m_a1"],
        rule=rule,
        on=timezone.localdate(),
        reason="获评优秀志愿者",
        evidence=_evidence(),
    )


@case(S + "awards.award_claim")
def _claim(w: W) -> Any:
    seed_default_rule_sets()
    rule = next(r for r in manual_rules_for(w["m_a1"]) if r.code == "study")
    yield
    services.award_claim(
        actor=w["charlie"],
        member=w["m_a1"],
        rule=rule,
        on=timezone.localdate(),
        reason="撰写学习心得",
        evidence=_evidence(),
    )


@case(S + "awards.award_approve")
def _approve(w: W) -> Any:
    award = _award(w)
    yield
    services.award_approve(**_charlie(w), award=award)


@case(S + "awards.award_reject")
def _reject(w: W) -> Any:
    award = _award(w)
    yield
    services.award_reject(**_charlie(w), award=award, note="材料不清晰")


@case(S + "awards.entry_reverse")
def _reverse(w: W) -> Any:
    award = _award(w)
    entry: PointEntry = services.award_approve(
        actor=w["alice"], scope=scope_of(w["alice"]), award=award
    )
    yield
    services.entry_reverse(**_charlie(w), entry=entry, reason="误记")


@case(S + "periods.period_close")
def _close(w: W) -> Any:
    return services.period_close(**_charlie(w), org=w["branch_a1"], period=this_month())


def _review(w: W) -> Any:
    return services.review_open(
        actor=w["bob"], scope=scope_of(w["bob"]), org=w["branch_a1"], year=this_month().year
    )


@case(S + "review.review_open")
def _review_open(w: W) -> Any:
    return services.review_open(**_charlie(w), org=w["branch_a1"], year=this_month().year)


@case(S + "review.review_self_assess")
def _review_self(w: W) -> Any:
    review = _review(w)
    yield
    services.review_self_assess(actor=w["charlie"], review=review, text="一年来认真学习")


@case(S + "review.review_ballot")
def _review_ballot(w: W) -> Any:
    review = _review(w)
    yield
    services.review_ballot(
        actor=w["charlie"],
        review=review,
        grades={w["m_a1"].pk: "excellent", w["m_a1b"].pk: "qualified"},
    )


@case(S + "review.review_propose")
def _review_propose(w: W) -> Any:
    review = _review(w)
    yield
    services.review_propose(
        **_charlie(w),
        review=review,
        grades={w["m_a1"].pk: ("qualified", "", ""), w["m_a1b"].pk: ("qualified", "", "")},
    )


@case(S + "review.review_decide")
def _review_decide(w: W) -> Any:
    review = _review(w)
    services.review_propose(
        actor=w["bob"],
        scope=scope_of(w["bob"]),
        review=review,
        grades={w["m_a1"].pk: ("qualified", "", ""), w["m_a1b"].pk: ("qualified", "", "")},
    )
    yield
    services.review_decide(**_charlie(w), review=review, decided_on=timezone.localdate())
