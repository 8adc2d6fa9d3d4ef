"""Edges of the scope found in review: tree roots under mixed grants, leadership names,
form choices and the parent shown on the edit page."""

from __future__ import annotations

import datetime as dt

from django import forms

from tests import factories
from tongxin.accounts.models import Reach, Role, RoleAssignment
from tongxin.core.forms import offer
from tongxin.core.scope import scope_for_user
from tongxin.geo.models import Area
from tongxin.orgs.selectors import org_roots
from tongxin.orgs.services import leadership_add


def test_a_subtree_grant_below_a_node_grant_is_a_root_of_its_own(world):
    u = factories.user("nora", "street_secretary", org=world["street_a"], reach=Reach.NODE)
    RoleAssignment.objects.create(
        user=u,
        role=Role.objects.get(code="branch_secretary"),
        org=world["branch_a1"],
        reach=Reach.SUBTREE,
    )
    names = [o.name for o in org_roots(scope_for_user(u))]
    assert names == ["南门街道党工委", "紫金社区第一党支部"]


def test_a_subtree_grant_inside_another_is_not_a_second_root(world):
    u = factories.user("otto", "street_secretary", org=world["street_a"])
    RoleAssignment.objects.create(
        user=u,
        role=Role.objects.get(code="branch_secretary"),
        org=world["branch_a1"],
        reach=Reach.SUBTREE,
    )
    assert [o.name for o in org_roots(scope_for_user(u))] == ["南门街道党工委"]


def test_leaders_the_user_may_not_see_are_not_named(world, client_for):
    # 赵刚 (street B) is made a committee member of alice's community committee: alice does
    # not reach him, so his name does not appear on her page.
    leadership_add(
        actor=None,
        org=world["street_a"],
        member=world["m_a1"],
        role="secretary",
        term_start=dt.date(2024, 1, 1),
        term_end=dt.date(2029, 1, 1),
    )
    from tongxin.orgs.models import Leadership

    Leadership.objects.create(
        org=world["comm_a_org"],
        member=world["m_b1"],
        role="committee_member",
        term_start=dt.date(2024, 1, 1),
        term_end=dt.date(2029, 1, 1),
    )
    body = client_for(world["alice"]).get(f"/orgs/{world['comm_a_org'].pk}/").content.decode()
    assert "赵刚" not in body
    body = client_for(world["alice"]).get(f"/orgs/{world['street_a'].pk}/").content.decode()
    assert "张红" in body


def test_editing_her_top_org_alice_sees_neither_its_parent_nor_areas_outside(world, client_for):
    body = client_for(world["alice"]).get(f"/orgs/{world['street_a'].pk}/edit/").content.decode()
    assert "中共宁波市委" not in body  # the parent is out of her reach
    assert "鼓楼街道" not in body and "孝闻社区" not in body  # another street's areas
    assert "紫金社区" in body


def test_a_saved_choice_beyond_the_listed_rows_is_kept(world):
    areas = Area.objects.order_by("path")
    last = areas.last()

    class F(forms.Form):
        area = forms.ModelChoiceField(queryset=Area.objects.none(), required=False)

    f = F(initial={"area": last.pk})
    offer(f.fields["area"], areas, limit=2, selected=f.initial["area"])
    listed = [str(label) for _pk, label in f.fields["area"].widget.choices]
    assert last.name in listed and len(listed) == 4  # 请选择, the saved one, the first two
    assert "selected" in str(f["area"])


def test_the_revealed_number_is_not_cached(world, client_for):
    r = client_for(world["bob"]).post(f"/members/{world['m_a1'].pk}/reveal/id_number/")
    assert r.status_code == 200 and r["Cache-Control"] == "no-store"


def test_saving_a_member_keeps_a_residence_outside_the_branchs_area(world, client_for):
    """A member of street A's branch who lives in street B keeps that residence on save."""
    from tongxin.members.models import Member

    elsewhere = factories.area("孝闻小区", "compound", world["comm_b"])
    m = Member.objects.get(pk=world["m_a2"].pk)
    m.residence = elsewhere
    m.save(update_fields=["residence"])
    c = client_for(world["alice"])
    page = c.get(f"/members/{m.pk}/edit/").content.decode()
    assert "孝闻小区" in page
    data = {
        "name": m.name,
        "id_number": "",
        "phone": "",
        "ethnicity": m.ethnicity,
        "education": m.education,
        "status": m.status,
        "standing": m.standing,
        "joined_on": m.joined_on.isoformat(),
        "confirmed_on": m.confirmed_on.isoformat(),
        "residence": elsewhere.pk,
    }
    assert c.post(f"/members/{m.pk}/edit/", data).status_code == 302
    m.refresh_from_db()
    assert m.residence_id == elsewhere.pk
    # another out-of-list area cannot be chosen by posting its id
    other = factories.area("别处小区", "compound", world["comm_b"])
    data["residence"] = other.pk
    r = c.post(f"/members/{m.pk}/edit/", data)
    assert r.status_code == 200 and Member.objects.get(pk=m.pk).residence_id == elsewhere.pk


def test_the_tree_offers_to_expand_only_what_has_children_in_reach(world, client_for):
    # nora reaches street A itself only (node): its community committee is out of reach,
    # so the street is shown without an expand control.
    u = factories.user("nora", "street_secretary", org=world["street_a"], reach=Reach.NODE)
    body = client_for(u).get("/orgs/").content.decode()
    assert "南门街道党工委" in body and "<details" not in body
    # alice reaches the subtree: the same node can be expanded
    body = client_for(world["alice"]).get("/orgs/").content.decode()
    assert "<details" in body
