"""Figures about organizations, as the 工作台 shows them."""

from __future__ import annotations

import datetime as dt

from tongxin.core.scope import scope_for_user
from tongxin.members.models import Education, Member
from tongxin.orgs.selectors import secretary_stats
from tongxin.orgs.services import leadership_add

TODAY = dt.date(2026, 6, 30)


def seat(world, org, member, *, dual=False, end=dt.date(2028, 1, 1)):  # type: ignore[no-untyped-def]
    return leadership_add(actor=None, org=world[org], member=world[member], role="secretary",
                          term_start=dt.date(2023, 1, 1), term_end=end, holds_dual_role=dual)  # fmt: skip


def test_secretary_figures_for_alices_street(world):
    Member.objects.filter(pk=world["m_a2"].pk).update(education=Education.SENIOR)
    seat(world, "branch_a1", "m_a1", dual=True)
    seat(world, "branch_a2", "m_a2")
    seat(world, "comm_a_org", "m_a1b", end=dt.date(2025, 12, 31))  # term over: not serving
    seat(world, "branch_b1", "m_b1", dual=True)  # street B: out of alice's reach
    s = secretary_stats(scope_for_user(world["alice"]), today=TODAY)
    assert (s.secretaries, s.dual_role, s.college_or_above) == (2, 1, 1)
    assert s.dual_role_pct == 50.0 and s.college_pct == 50.0
    births = [Member.objects.get(pk=world[k].pk).birth_date.year for k in ("m_a1", "m_a2")]
    assert s.average_age == round(TODAY.year - sum(births) / 2, 1)


def test_no_secretaries_gives_no_percentages(world):
    s = secretary_stats(scope_for_user(world["charlie"]), today=TODAY)
    assert s.secretaries == 0 and s.dual_role_pct is None and s.average_age is None
