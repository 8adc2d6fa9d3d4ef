"""Organization writes: legal nesting (DESIGN §4.1), moves with their members, audit rows."""

from __future__ import annotations

import pytest
from django.utils import timezone

from tests.helpers import refused
from tongxin.core.models import AuditLog
from tongxin.core.scope import Scope, scope_for_user
from tongxin.members.selectors import MemberFilters, member_list
from tongxin.orgs.models import Organization, OrgKind
from tongxin.orgs.selectors import org_subtree_stats
from tongxin.orgs.services import org_create, org_move, org_update


def fresh(org: Organization) -> Organization:
    return Organization.objects.get(pk=org.pk)


def create(parent, kind, name="新组织", actor=None):
    return org_create(actor=actor, parent=parent, name=name, kind=kind, sector="community")


@pytest.mark.parametrize(
    ("parent_key", "kind", "reason"),
    [
        ("group_a1", OrgKind.GROUP, "党小组只能设在党支部之下，不能设在党小组之下。"),
        ("comm_a_org", OrgKind.GROUP, "党小组只能设在党支部之下，不能设在党委之下。"),
        ("group_a1", OrgKind.BRANCH, "党支部应设在党委、党工委或党总支之下，不能设在党小组之下。"),
        ("branch_a1", OrgKind.BRANCH, "党支部应设在党委、党工委或党总支之下，不能设在党支部之下。"),
        ("branch_a1", OrgKind.GENERAL_BRANCH, "党总支应设在党委或党工委之下，不能设在党支部之下。"),
        ("branch_a1", OrgKind.COMMITTEE, "党委应设在党委或党工委之下，不能设在党支部之下。"),
    ],
)
def test_illegal_nesting_is_refused_with_the_reason(world, parent_key, kind, reason):
    with refused("kind", contains=reason) as exc:
        create(world[parent_key], kind)
    assert exc.value.message == reason


@pytest.mark.parametrize("kind", [OrgKind.BRANCH, OrgKind.GENERAL_BRANCH, OrgKind.GROUP])
def test_only_committees_may_be_roots(db, kind):
    label = OrgKind(kind).label
    with refused("kind", contains=f"{label}必须设在上级党组织之下，请选择上级党组织。"):
        create(None, kind)


def test_legal_nesting_is_accepted_and_audited(world):
    alice = world["alice"]
    general = create(world["comm_a_org"], OrgKind.GENERAL_BRANCH, "紫金社区党总支", alice)
    branch = create(fresh(general), OrgKind.BRANCH, "党总支下属支部", alice)
    group = create(fresh(branch), OrgKind.GROUP, "第一小组", alice)
    assert Organization.objects.get_parent(fresh(group)).pk == branch.pk
    assert fresh(general).numchild == 1
    row = AuditLog.objects.filter(action="orgs.create", object_id=str(branch.pk)).get()
    assert row.actor == alice
    assert row.diff["name"] == "党总支下属支部" and row.diff["kind"] == "branch"


def test_blank_name_and_future_founding_date_are_field_errors(world):
    import datetime as dt

    with refused("name", contains="请填写党组织名称。"):
        create(world["comm_a_org"], OrgKind.BRANCH, "   ")
    with refused("founded_on", contains="成立日期不能晚于今天。"):
        org_create(
            actor=None,
            parent=world["comm_a_org"],
            name="未来支部",
            kind="branch",
            sector="community",
            founded_on=timezone.localdate() + dt.timedelta(days=1),
        )


def test_moving_under_itself_or_a_descendant_is_refused(world):
    for target in ("comm_a_org", "branch_a1", "group_a1"):
        with refused("parent", contains="目标是本组织或其下级组织。") as exc:
            org_move(actor=None, org=world["comm_a_org"], new_parent=world[target])
        assert "不能把党组织移动到它自己或它的下级组织之下" in exc.value.message


def test_moving_against_the_nesting_rules_is_refused(world):
    with refused("parent", contains="不能设在党支部之下"):
        org_move(actor=None, org=world["branch_a2"], new_parent=world["branch_a1"])
    with refused("parent", contains="党小组只能设在党支部之下"):
        org_move(actor=None, org=world["group_a1"], new_parent=world["comm_a_org"])


def test_a_move_takes_the_subtree_and_its_members_along(world):
    everything = Scope.everything()
    # 紫金社区第一党支部 (张红, 李明) and its 党小组 move from 紫金社区党委 to 鼓楼街道党工委.
    # (alice manages street A only: the move is made with the city's scope, in her name)
    moved = org_move(
        actor=world["alice"], org=world["branch_a1"], new_parent=world["street_b"], scope=everything
    )
    street_b = fresh(world["street_b"])
    group = fresh(world["group_a1"])
    assert Organization.objects.get_parent(moved).pk == street_b.pk
    assert Organization.objects.get_parent(group).pk == moved.pk
    assert group.path.startswith(moved.path)

    assert org_subtree_stats(everything, street_b).members == 3  # 赵刚 + 张红 + 李明
    assert org_subtree_stats(everything, street_b).orgs == 4
    assert org_subtree_stats(everything, fresh(world["comm_a_org"])).members == 1  # 王芳
    names = {m.name for m in member_list(everything) if m.org_path.startswith(street_b.path)}
    assert names == {"赵刚", "张红", "李明"}
    # Alice's street no longer holds them; bob, anchored at the branch, still sees his members.
    assert {m.name for m in member_list(scope_for_user(world["alice"]))} == {"王芳"}
    assert {m.name for m in member_list(scope_for_user(world["bob"]))} == {"张红", "李明"}

    # filed under the old place and the new one, so the auditors of both streets see it
    rows = AuditLog.objects.filter(action="orgs.move")
    assert {r.org_path[: len(street_b.path)] for r in rows} == {
        world["street_a"].path,
        street_b.path,
    }
    for row in rows:
        assert row.actor == world["alice"]
        assert row.diff == {"parent": [world["comm_a_org"].pk, street_b.pk]}


def test_a_new_sibling_does_not_disturb_the_members_of_existing_branches(world):
    # "紫金社区党支部" sorts before "紫金社区第一党支部": in a name-sorted tree it would take
    # branch A1's path, and with it the path A1's members carry.
    new = create(world["comm_a_org"], OrgKind.BRANCH, "紫金社区党支部")
    assert org_subtree_stats(Scope.everything(), fresh(new)).members == 0
    assert {m.name for m in member_list(scope_for_user(world["bob"]))} == {"张红", "李明"}
    a1 = fresh(world["branch_a1"])
    assert all(m.org_path == a1.path for m in a1.members.all())


def test_a_move_into_a_populated_parent_does_not_disturb_its_children(world):
    # Renamed "丁香党支部", it would sort before 孝闻社区党支部 in 鼓楼街道党工委.
    org_update(actor=None, org=fresh(world["branch_a2"]), name="丁香党支部")
    org_move(actor=None, org=world["branch_a2"], new_parent=world["street_b"])
    assert {
        m.name
        for m in member_list(Scope.everything(), MemberFilters(org=fresh(world["branch_a2"])))
    } == {"王芳"}
    assert {m.name for m in member_list(scope_for_user(world["charlie"]))} == {"赵刚"}
    b1 = fresh(world["branch_b1"])
    assert [m.org_path for m in b1.members.all()] == [b1.path]


def test_update_is_audited_with_a_diff(world):
    org_update(
        actor=world["alice"],
        org=fresh(world["branch_a2"]),
        name=" 紫金社区第二支部 ",
        is_joint=True,
    )
    org = fresh(world["branch_a2"])
    assert org.name == "紫金社区第二支部" and org.is_joint
    row = AuditLog.objects.get(action="orgs.update")
    assert row.diff == {
        "name": ["紫金社区第二党支部", "紫金社区第二支部"],
        "is_joint": [False, True],
    }


def test_kind_changes_must_fit_the_parent_and_the_children(world):
    # A branch with a 党小组 cannot become a 党小组 itself (a group sits only under a branch).
    with refused("kind", contains="党小组只能设在党支部之下，不能设在党委之下。"):
        org_update(actor=None, org=fresh(world["branch_a1"]), kind=OrgKind.GROUP)
    # A working committee over a 党委 cannot become a 党总支: a 党委 cannot sit under one.
    with refused("kind", contains="类型与下级组织不相容。") as exc:
        org_update(actor=None, org=fresh(world["street_a"]), kind=OrgKind.GENERAL_BRANCH)
    assert exc.value.message == "该组织下设有党委，不能改为党总支。"
    assert fresh(world["street_a"]).kind == OrgKind.WORKING_COMMITTEE
    # A childless branch may become a general branch under its 党委.
    org_update(actor=None, org=fresh(world["branch_a2"]), kind=OrgKind.GENERAL_BRANCH)
    assert fresh(world["branch_a2"]).kind == OrgKind.GENERAL_BRANCH


def test_a_partial_update_keeps_the_other_fields(world):
    import datetime as _dt

    from tongxin.orgs.services import org_update

    org = Organization.objects.get(pk=world["branch_a2"].pk)
    org.founded_on = _dt.date(2001, 7, 1)
    org.save(update_fields=["founded_on"])
    org_update(actor=None, org=org, name="紫金社区第二党支部（更名）")
    org.refresh_from_db()
    assert org.name == "紫金社区第二党支部（更名）" and org.founded_on == _dt.date(2001, 7, 1)
