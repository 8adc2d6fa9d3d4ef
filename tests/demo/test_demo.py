"""The demo town: deterministic, valid, in the seed-001 proportions, safe to re-run."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from tongxin.accounts.models import User
from tongxin.core import idnumber
from tongxin.core.scope import Scope
from tongxin.demo import loader
from tongxin.demo.generator import build_plan
from tongxin.demo.vocabulary import CITY_SECTORS
from tongxin.geo.models import Area
from tongxin.members.models import Member, OrgRelationChange
from tongxin.members.selectors import member_list
from tongxin.orgs.models import Organization
from tongxin.orgs.services import nesting_error
from tongxin.rosters.member_writing import MEMBER_INSERT


def run_demo(*args: str) -> str:
    out = StringIO()
    call_command("demo", *args, stdout=out)
    return out.getvalue()


def test_town_plan_keeps_the_city_sector_split_at_one_hundredth():
    _gen, plan, _areas, orgs, holders = build_plan(scale="town", seed=1)
    counts: dict[str, int] = {}
    for o in orgs:
        sector = o.fields["sector"]
        key = "village_community" if sector in ("village", "community") else sector
        counts[key] = counts.get(key, 0) + 1
    assert counts == {k: round(v / 100) for k, v in CITY_SECTORS.items()}
    assert sum(h.members for h in holders) == plan.member_total == 5610


def test_the_same_seed_gives_the_same_town_and_another_seed_another():
    def fingerprint(seed: int) -> list[tuple[str, str]]:
        gen, _plan, _areas, orgs, holders = build_plan(scale="town", seed=seed)
        rows = gen.member_rows(holders[:3], {}, {})
        return [(o.path, o.name) for o in orgs[:50]] + [(r[1], r[12]) for r in rows]

    assert fingerprint(7) == fingerprint(7)
    assert fingerprint(7) != fingerprint(8)


@pytest.mark.django_db
def test_the_demo_town_is_a_valid_tree_with_valid_members(demo_town):
    text = demo_town.output
    assert "320 个党组织" in text and "5610 名党员" in text and "zuzhibu" in text
    assert "linju" in text and "jumin" in text
    assert Organization.objects.find_problems() == ([], [], [], [], [])
    assert Area.objects.find_problems() == ([], [], [], [], [])
    # every nesting is legal
    by_path = dict(Organization.objects.values_list("path", "kind"))
    for path, kind in by_path.items():
        parent = by_path.get(path[:-4]) if len(path) > 4 else None
        assert nesting_error(kind, parent) is None, (path, kind, parent)
    # members: valid ID numbers, adults when they joined, 转正 after 入党, org_path in step
    today = timezone.localdate()
    for m in Member.objects.select_related("org").order_by("?")[:300]:
        info = idnumber.parse(m.reveal_id_number())
        assert info.birth_date == m.birth_date and info.gender == m.gender
        assert m.joined_on >= m.birth_date.replace(year=m.birth_date.year + 18)
        assert m.joined_on <= today
        assert m.confirmed_on is None or m.confirmed_on >= m.joined_on.replace(
            year=m.joined_on.year + 1, day=min(m.joined_on.day, 28)
        )
        assert m.org_path == m.org.path and m.org.kind != "group"


@pytest.mark.django_db
def test_demo_users_see_their_part_of_the_town(demo_town):
    assert member_list(Scope.everything()).count() == 5610
    from tongxin.core.scope import scope_for_user

    street = scope_for_user(User.objects.get(username="jiedao"))
    branch = scope_for_user(User.objects.get(username="zhibu"))
    n_street, n_branch = member_list(street).count(), member_list(branch).count()
    assert 0 < n_branch < n_street < 5610


@pytest.mark.django_db
def test_a_second_run_refuses_without_reset_and_if_empty_skips(demo_town):
    with pytest.raises(CommandError, match="--reset"):
        run_demo("--scale", "town")
    assert "跳过" in run_demo("--scale", "town", "--if-empty")
    assert Member.objects.count() == 5610


@pytest.mark.django_db
def test_reset_regenerates_and_keeps_a_real_admin_account(demo_town):
    # The operator has made the account their own (the demo only removes accounts it made,
    # known by their demo display names); an account made before the demo loaded is the same.
    admin = User.objects.get(username="admin")
    admin.display_name = "张主任"
    admin.set_password("Real-admin-2026")
    admin.save()
    text = run_demo("--scale", "town", "--seed", "2", "--reset")
    assert "5610 名党员" in text
    admin = User.objects.get(username="admin")
    assert admin.display_name == "张主任" and admin.check_password("Real-admin-2026")
    assert Member.objects.count() == 5610


@pytest.mark.django_db
def test_a_failing_reset_leaves_the_old_data(demo_town, monkeypatch):
    before = Member.objects.count()

    def boom(*a, **k):
        raise RuntimeError("disk full")

    monkeypatch.setattr(loader, "create_demo_users", boom)
    with pytest.raises(RuntimeError):
        run_demo("--scale", "town", "--seed", "5", "--reset")
    assert Member.objects.count() == before
    assert Organization.objects.count() == 320


@pytest.mark.django_db
def test_units_have_well_formed_credit_codes_and_addresses(demo_town):
    from tongxin.core.creditcode import validate
    from tongxin.orgs.models import Unit

    units = list(Unit.objects.all())
    assert len(units) > 40  # one per enterprise, institution and social-organization cluster
    for u in units:
        code = u.credit_code
        assert len(code) == 18 and code[2:8].startswith("3302"), code
        assert validate(code) == code
        assert u.address.startswith("宁波市") and u.address.endswith("号"), u.address
    assert len({u.credit_code for u in units}) == len(units)


def test_work_units_leave_the_rest_of_the_town_as_it_was(monkeypatch):
    """Work units come from a stream of their own: every other column of every member is
    what it would be without them (the encrypted ones are salted, so compared by index)."""
    from tongxin.demo.generator import Generator
    from tongxin.demo.tree import buildings_index

    def rows() -> list[tuple]:
        gen, _plan, areas, _orgs, holders = build_plan(scale="town", seed=1)
        by_area, region = buildings_index(areas)
        return list(gen.member_rows(holders, by_area, region))

    with_units = rows()
    monkeypatch.setattr(Generator, "work_unit", lambda *a: None)
    without = rows()
    work = MEMBER_INSERT.index("work_unit_id")
    salted = [MEMBER_INSERT.index(c) for c in ("id_number_enc", "phone_enc")]

    def rest(r: tuple) -> tuple:
        return tuple(v for i, v in enumerate(r) if i != work and i not in salted)

    assert [rest(r) for r in with_units] == [rest(r) for r in without]
    assert sum(r[work] is not None for r in with_units) > 1000
    assert all(r[work] is None for r in without)


@pytest.mark.django_db
def test_members_of_working_age_work_in_the_unit_hosting_their_organization(demo_town, client):
    from django.urls import reverse

    from tongxin.grids.models import Grid

    today = timezone.localdate()  # the day the demo was loaded
    # A member the demo transfers to another organization keeps their work unit (members demo).
    moved = set(
        OrgRelationChange.objects.exclude(kind="joined").values_list("member_id", flat=True)
    )
    members = [m for m in Member.objects.select_related("org", "work_unit") if m.pk not in moved]
    hosts = dict(Organization.objects.exclude(unit=None).values_list("path", "unit_id"))

    def host(path: str) -> int | None:
        found = [hosts[p] for p in (path[:i] for i in range(4, len(path) + 1, 4)) if p in hosts]
        return found[-1] if found else None

    elsewhere = 0
    for m in members:
        age = today.year - m.birth_date.year  # as the generator counts it
        unit = host(m.org_path)
        if age > 60 or m.is_floating:  # retired, or working away (流动党员)
            assert m.work_unit_id is None, m
        elif unit is not None:
            assert m.work_unit_id == unit, m
        elif unit is None and m.work_unit_id is not None:
            elsewhere += 1
            # a unit of the member's own district
            assert m.work_unit.area.path[:8] == m.org.area.path[:8], m
    with_unit = sum(m.work_unit_id is not None for m in members)
    territorial = sum(host(m.org_path) is None for m in members)
    assert 0.35 < with_unit / len(members) < 0.65
    assert 0 < elsewhere < 0.1 * territorial
    # The units' 专属网格 have members to take in by work unit: on the assign page, those in
    # no grid yet (the demo leaves some out), and the rest offered to be moved in.
    pending = {
        g.pk: (
            Member.objects.filter(work_unit__in=g.units.all(), grid_membership=None).count(),
            Member.objects.filter(work_unit__in=g.units.all()).count(),
        )
        for g in Grid.objects.exclude(units=None)
    }
    assert pending and all(everyone > 0 for _n, everyone in pending.values())
    grid, (n, _everyone) = max(pending.items(), key=lambda kv: kv[1][0])
    assert n > 0
    client.force_login(User.objects.get(username="admin"))
    page = client.get(reverse("grids:assign", args=[grid]))
    assert f'data-testid="unit-pending">{n}<' in page.content.decode()


@pytest.mark.django_db
def test_linked_demo_users_are_named_after_their_member(demo_town):
    from tongxin.orgs.models import Leadership

    # An account left by an older demo, under its old display name: --reset replaces it.
    User.objects.filter(username="dangyuan").update(display_name="党员 赵红")
    secretary = User.objects.select_related("member").get(username="zhibu").member
    assert secretary is not None
    assert User.objects.get(username="zhibu").display_name == f"支部书记 {secretary.name}"
    # … and that member is the secretary of the branch the account serves.
    assert Leadership.objects.filter(
        member=secretary, org=secretary.org_id, role="secretary"
    ).exists()
    text = run_demo("--scale", "town", "--seed", "2", "--reset")
    assert "已有账号" not in text
    users = {u.username: u for u in User.objects.select_related("member")}
    for username, title in (("zhibu", "支部书记"), ("dangyuan", "党员")):
        u = users[username]
        assert u.member is not None and u.display_name == f"{title} {u.member.name}", u
    assert users["dangyuan"].member.org_id == users["zhibu"].member.org_id
    # Accounts with no member keep their names.
    assert users["wangge"].member is None and users["wangge"].display_name == "网格员 刘芳"
    assert User.objects.filter(display_name__contains="赵红").count() == 0
