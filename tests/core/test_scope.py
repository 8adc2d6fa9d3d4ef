"""The data scope: who sees which organizations and members (alice / bob / charlie)."""

from __future__ import annotations

import pytest
from django.http import Http404

from tests import factories
from tongxin.accounts.models import Reach
from tongxin.core.scope import Scope, scope_for_user
from tongxin.members.selectors import get_member_for, member_list
from tongxin.orgs.models import Organization
from tongxin.orgs.selectors import get_org_for, org_queryset, org_roots


def org_names(user) -> set[str]:
    return set(org_queryset(scope_for_user(user)).values_list("name", flat=True))


def member_names(user) -> set[str]:
    return {m.name for m in member_list(scope_for_user(user))}


STREET_A_ORGS = {
    "南门街道党工委",
    "紫金社区党委",
    "紫金社区第一党支部",
    "紫金社区第一党小组",
    "紫金社区第二党支部",
}


def test_alice_sees_exactly_street_a(world):
    assert org_names(world["alice"]) == STREET_A_ORGS
    assert member_names(world["alice"]) == {"张红", "李明", "王芳"}
    assert [o.name for o in org_roots(scope_for_user(world["alice"]))] == ["南门街道党工委"]


def test_bob_sees_his_branch_and_its_group_only(world):
    assert org_names(world["bob"]) == {"紫金社区第一党支部", "紫金社区第一党小组"}
    assert member_names(world["bob"]) == {"张红", "李明"}


def test_charlie_sees_nothing_of_street_a(world):
    scope = scope_for_user(world["charlie"])
    assert org_names(world["charlie"]) == {"孝闻社区党支部"}
    assert member_names(world["charlie"]) == {"赵刚"}
    for key in ("street_a", "comm_a_org", "branch_a1", "group_a1", "branch_a2"):
        with pytest.raises(Http404):
            get_org_for(scope, world[key].pk)
    for key in ("m_a1", "m_a1b", "m_a2"):
        with pytest.raises(Http404):
            get_member_for(scope, world[key].pk)


def test_a_permission_the_role_lacks_reaches_nothing(world):
    # A branch secretary may view orgs but not manage them; an auditor may not manage members.
    with pytest.raises(Http404):
        get_org_for(scope_for_user(world["bob"]), world["branch_a1"].pk, "orgs.manage")
    with pytest.raises(Http404):
        get_member_for(scope_for_user(world["auditor"]), world["m_a1"].pk, "members.manage")
    assert get_member_for(scope_for_user(world["auditor"]), world["m_a1"].pk, "members.reveal_pii")


def test_the_auditor_at_the_city_sees_every_street(world):
    assert member_names(world["auditor"]) == {"张红", "李明", "王芳", "赵刚"}


def test_a_superuser_sees_everything(world):
    root = factories.user("root", is_superuser=True, is_staff=True)
    assert org_names(root) == set(Organization.objects.values_list("name", flat=True))
    assert member_names(root) == {"张红", "李明", "王芳", "赵刚"}


def test_anonymous_and_roleless_users_see_nothing(world):
    nobody = factories.user("nobody")
    assert org_names(nobody) == set()
    assert member_names(nobody) == set()
    assert list(member_list(Scope.anonymous())) == []


def test_node_reach_excludes_the_children(world):
    u = factories.user("clerk", "branch_secretary", org=world["branch_a1"], reach=Reach.NODE)
    assert org_names(u) == {"紫金社区第一党支部"}
    assert member_names(u) == {"张红", "李明"}


def test_an_area_grant_sees_members_residing_in_the_area(world):
    # A member of street B's branch who lives in 紫金花园 (in 紫金社区) is the grid worker's
    # business; 李明 and 王芳 are in street A's branches but have no residence there.
    lodger = factories.member(world["branch_b1"], name="钱进", residence=world["compound_a"])
    worker = factories.user("grid", "grid_worker", area=world["comm_a"])
    assert member_names(worker) == {"张红", "钱进"}
    assert get_member_for(scope_for_user(worker), lodger.pk).name == "钱进"
    # Organizations anchored in the community's area are visible too; street B's are not.
    assert org_names(worker) == {
        "紫金社区党委",
        "紫金社区第一党支部",
        "紫金社区第一党小组",
        "紫金社区第二党支部",
    }
    assert [o.name for o in org_roots(scope_for_user(worker))] == ["紫金社区党委"]


def test_an_inactive_assignment_grants_nothing(world):
    world["alice"].assignments.update(active=False)
    assert member_names(world["alice"]) == set()
