"""Figures about organizations, as the 工作台 shows them."""

from __future__ import annotations

import datetime as dt

from tests import factories
from tongxin.core.scope import scope_for_user
from tongxin.members.models import Education
from tongxin.orgs.selectors import secretary_stats
from tongxin.orgs.services import leadership_add

TODAY = dt.date(2026, 6, 30)


def seat(org, member, *, dual=False, start=dt.date(2023, 1, 1), end=dt.date(2028, 1, 1)):
    return leadership_add(
        actor=None,
        org=org,
        member=member,
        role="secretary",
        term_start=start,
        term_end=end,
        holds_dual_role=dual,
    )


def street_a_with_six_branches(world):
    """Six branches in alice's street, each with one member who is its secretary."""
    out = []
    for i in range(6):
        b = factories.org(f"紫金社区第{i + 3}党支部", "branch", world["comm_a_org"])
        m = factories.member(
            b,
            education=Education.BACHELOR if i < 3 else Education.SENIOR,
            id_number=factories.id_number(dt.date(1976 + i, 7, 1)),
        )
        out.append((b, m))
    return out


def test_secretary_figures_count_people_in_reach(world):
    pairs = street_a_with_six_branches(world)
    for i, (b, m) in enumerate(pairs):
        seat(b, m, dual=i % 2 == 0)
    _b0, m0 = pairs[0]
    # one person holding two seats counts once
    seat(world["comm_a_org"], m0, dual=False)
    seat(world["branch_b1"], world["m_b1"], dual=True)  # street B: out of alice's reach
    s = secretary_stats(scope_for_user(world["alice"]), today=TODAY)
    assert s.secretaries == 6 and s.shown
    assert s.dual_role == 3 and s.dual_role_pct == 50.0
    assert s.college_or_above == 3 and s.college_pct == 50.0
    expected = sum((TODAY - dt.date(1976 + i, 7, 1)).days / 365.2425 for i in range(6)) / 6
    assert s.age == round(expected, 1)


def test_the_latest_seat_of_each_organization_counts_even_after_its_term(world):
    pairs = street_a_with_six_branches(world)
    for b, m in pairs:
        seat(b, m, start=dt.date(2020, 1, 1), end=dt.date(2023, 1, 1))  # term over, 换届 due
    s = secretary_stats(scope_for_user(world["alice"]), today=TODAY)
    assert s.secretaries == 6


def test_small_groups_show_no_figures(world):
    seat(world["branch_a1"], world["m_a1"], dual=True)
    s = secretary_stats(scope_for_user(world["bob"]), today=TODAY)
    assert s.secretaries == 1 and not s.shown
    assert s.dual_role_pct is None and s.age is None and s.college_pct is None


def test_no_secretaries_gives_no_figures(world):
    s = secretary_stats(scope_for_user(world["charlie"]), today=TODAY)
    assert s.secretaries == 0 and s.dual_role_pct is None and s.age is None


def test_a_member_without_roster_rights_learns_nothing_about_secretaries(world):
    seat(world["branch_a1"], world["m_a1"], dual=True)
    dang = factories.user("dang", "member", org=world["branch_a1"])  # orgs.view only
    s = secretary_stats(scope_for_user(dang), today=TODAY)
    assert s.secretaries == 0
