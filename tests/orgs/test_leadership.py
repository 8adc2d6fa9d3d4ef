"""Leadership seats: registered on the organization page, with terms and 一肩挑."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.helpers import refused
from tongxin.orgs.models import Leadership
from tongxin.orgs.services import leadership_add

START, END = dt.date(2024, 1, 1), dt.date(2029, 1, 1)


def add(world, **over):
    data = dict(
        actor=None,
        org=world["branch_a1"],
        member=world["m_a1"],
        role="secretary",
        term_start=START,
        term_end=END,
    )
    data.update(over)
    return leadership_add(**data)


def test_a_term_must_end_after_it_starts(world):
    with refused("term_end", contains="任期结束日期应晚于开始日期"):
        add(world, term_end=START)


def test_a_leader_comes_from_the_organizations_own_subtree(world):
    with refused("member", contains="本组织或其下级组织的党员"):
        add(world, member=world["m_b1"])  # 赵刚, street B


def test_an_unknown_role_is_refused(world):
    with refused("role", contains="请选择职务"):
        add(world, role="chairman")


@pytest.mark.parametrize(
    ("start", "end", "overlaps"),
    [
        (dt.date(2028, 6, 1), dt.date(2031, 6, 1), True),
        (END + dt.timedelta(days=1), dt.date(2032, 1, 1), False),
    ],
)
def test_one_secretary_per_term(world, start, end, overlaps):
    add(world)
    if overlaps:
        with refused("role", contains="已有书记"):
            add(world, member=world["m_a1b"], term_start=start, term_end=end)
    else:  # the next term may have its own secretary
        add(world, member=world["m_a1b"], term_start=start, term_end=end)
        assert Leadership.objects.filter(org=world["branch_a1"], role="secretary").count() == 2


def test_alice_registers_a_secretary_through_the_page(world, client_for):
    c = client_for(world["alice"])
    url = f"/orgs/{world['branch_a1'].pk}/leaders/new/"
    page = c.get(url).content.decode()
    assert "张红" in page and "赵刚" not in page  # only members of the branch are offered
    r = c.post(
        url,
        {
            "member": world["m_a1"].pk,
            "role": "secretary",
            "term_start": "2024-01-01",
            "term_end": "2029-01-01",
            "holds_dual_role": "on",
        },
    )
    assert r.status_code == 302
    seat = Leadership.objects.get(org=world["branch_a1"])
    assert seat.member == world["m_a1"] and seat.holds_dual_role
    body = c.get(f"/orgs/{world['branch_a1'].pk}/").content.decode()
    assert "书记" in body and "一肩挑" in body
    # a member of another street, posted by id, is refused on the form
    r = c.post(
        url,
        {
            "member": world["m_b1"].pk,
            "role": "deputy",
            "term_start": "2024-01-01",
            "term_end": "2029-01-01",
        },
    )
    assert r.status_code == 200 and Leadership.objects.count() == 1
