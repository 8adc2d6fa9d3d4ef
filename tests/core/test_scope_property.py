"""Property: for any tree and any role assignments (at organizations and at areas, node or
subtree), the roster a user gets from the selectors is exactly what the assignments say,
computed here from the trees' shapes, not from paths."""

from __future__ import annotations

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests import factories
from tongxin.accounts.models import Reach, Role, RoleAssignment, User
from tongxin.core.scope import scope_for_user
from tongxin.members.selectors import member_list
from tongxin.orgs.models import Organization, OrgKind
from tongxin.orgs.services import ALLOWED_PARENTS, org_create, org_move

# Short names from a small alphabet, so new siblings often sort before existing ones.
NAMES = st.text(alphabet="甲乙丙丁戊", min_size=1, max_size=3)


class Rollback(Exception):
    pass


def kinds_under(parent_kind: str | None) -> list[str]:
    return [k for k in OrgKind.values if parent_kind in ALLOWED_PARENTS[k]]


def descendants_or_self(parents: dict[int, int | None], anchor: int) -> set[int]:
    out = set()
    for node in parents:
        n: int | None = node
        while n is not None:
            if n == anchor:
                out.add(node)
                break
            n = parents[n]
    return out


@pytest.mark.django_db
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_member_list_matches_the_assignments(data):
    try:
        with transaction.atomic():
            check_one_world(data)
            raise Rollback  # every example starts from an empty database
    except Rollback:
        pass


def fresh(org: Organization) -> Organization:
    """As a page would load it: tree writes renumber paths behind stale instances."""
    return Organization.objects.get(pk=org.pk)


def area_world() -> tuple[list, dict[int, int | None]]:
    """A fixed small area tree: city → 2 communities → 2 compounds each."""
    city = factories.area("市", "city")
    areas, parents = [city], {0: None}
    for c in range(2):
        comm = factories.area(f"社区{c}", "community", city)
        areas.append(comm)
        parents[len(areas) - 1] = 0
        ci = len(areas) - 1
        for k in range(2):
            areas.append(factories.area(f"小区{c}{k}", "compound", comm))
            parents[len(areas) - 1] = ci
    return areas, parents


def check_one_world(data) -> None:
    orgs: list[Organization] = []  # index -> Organization
    parents: dict[int, int | None] = {}
    member_org: dict[int, int] = {}  # member id -> org index
    areas, area_parents = area_world()
    member_home: dict[int, int | None] = {}  # member id -> area index (residence)
    for i in range(data.draw(st.integers(2, 9), label="orgs")):
        choices = [None] + [j for j, o in enumerate(orgs) if kinds_under(o.kind)]
        parent = None if i == 0 else data.draw(st.sampled_from(choices), label="parent")
        kind = data.draw(
            st.sampled_from(kinds_under(orgs[parent].kind if parent is not None else None)),
            label="kind",
        )
        orgs.append(
            org_create(
                actor=None,
                parent=fresh(orgs[parent]) if parent is not None else None,
                name=data.draw(NAMES, label="name"),
                kind=kind,
                sector="community",
            )
        )
        parents[i] = parent
        # Members join as the tree grows, so later writes to the tree happen around them.
        if kind != OrgKind.GROUP:  # members belong to branches, never directly to a group
            for _ in range(data.draw(st.integers(0, 2), label="members")):
                home = data.draw(st.sampled_from([None, *range(len(areas))]), label="home")
                m = factories.member(
                    fresh(orgs[i]), residence=areas[home] if home is not None else None
                )
                member_org[m.pk] = i
                member_home[m.pk] = home

    # Sometimes move a subtree somewhere legal: members must follow their organizations.
    for _ in range(data.draw(st.integers(0, 2), label="moves")):
        legal = [
            (i, j)
            for i in parents
            for j in parents
            if j not in descendants_or_self(parents, i)  # j is neither i nor under i
            and parents[i] != j
            and orgs[j].kind in ALLOWED_PARENTS[orgs[i].kind]
        ]
        if not legal:
            break
        i, j = data.draw(st.sampled_from(legal), label="move")
        org_move(actor=None, org=fresh(orgs[i]), new_parent=fresh(orgs[j]))
        parents[i] = j

    role = Role.objects.get(code="branch_secretary")
    user = User.objects.create_user(username="u")
    expected: set[int] = set()
    for _ in range(data.draw(st.integers(0, 3), label="assignments")):
        anchor = data.draw(st.sampled_from(range(len(orgs))), label="anchor")
        reach = data.draw(st.sampled_from([Reach.NODE, Reach.SUBTREE]), label="reach")
        RoleAssignment.objects.create(user=user, role=role, org=orgs[anchor], reach=reach)
        reached = descendants_or_self(parents, anchor) if reach == Reach.SUBTREE else {anchor}
        expected |= {m for m, o in member_org.items() if o in reached}

    # Area grants (a grid worker's) reach members by where they live.
    grid_role = Role.objects.get(code="grid_worker")
    for _ in range(data.draw(st.integers(0, 2), label="area assignments")):
        anchor = data.draw(st.sampled_from(range(len(areas))), label="area anchor")
        reach = data.draw(st.sampled_from([Reach.NODE, Reach.SUBTREE]), label="area reach")
        RoleAssignment.objects.create(user=user, role=grid_role, area=areas[anchor], reach=reach)
        reached = descendants_or_self(area_parents, anchor) if reach == Reach.SUBTREE else {anchor}
        expected |= {m for m, h in member_home.items() if h is not None and h in reached}

    got = set(member_list(scope_for_user(user)).values_list("id", flat=True))
    assert got == expected
