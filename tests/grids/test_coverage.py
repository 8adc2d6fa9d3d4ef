"""The coverage audit: each kind of gap, built with the factories, is listed with a link to fix
it; once fixed it disappears. A stranger's audit shows nothing of street A."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError, transaction

from tests import factories
from tests.helpers import texts, today
from tongxin.accounts.services import api_token_create
from tongxin.core.scope import Scope, scope_for_user
from tongxin.geo.models import AreaLevel
from tongxin.grids import services
from tongxin.grids.coverage import CoverageAudit, get_audit_root_for
from tongxin.grids.models import GridMembership
from tongxin.members.models import Member
from tongxin.orgs.models import Unit
from tongxin.orgs.services import leadership_add, org_create, org_update


def audit_of(user):
    scope = scope_for_user(user)
    return CoverageAudit(scope, get_audit_root_for(scope, None))


def names(user, key: str) -> list[str]:
    return [g.name for g in audit_of(user).rows(key)[0:100]]


def test_compound_with_three_members_needs_a_formal_branch(gw):
    for _ in range(3):
        factories.member(gw["branch_a2"], residence=gw["compound_a2"])
    gaps = audit_of(gw["alice"]).rows("compound")[0:10]
    assert [(g.name, g.figure) for g in gaps] == [("紫金新村", 3)]
    assert gaps[0].url == f"/orgs/{gw['comm_a_org'].pk}/new/"
    # two members are not enough
    assert "孝闻小区" not in names(gw["charlie"], "compound")
    # fix: a formal branch anchored in the compound
    org_create(
        actor=None,
        parent=gw["comm_a_org"],
        name="紫金新村党支部",
        kind="branch",
        sector="community",
        area=gw["compound_a2"],
    )
    assert names(gw["alice"], "compound") == []


def test_compound_in_a_grid_served_by_a_formal_branch_is_covered(gw):
    for _ in range(3):
        factories.member(gw["branch_a2"], residence=gw["compound_a2"])
    org_update(actor=None, org=gw["branch_a2"], establishment="functional")
    services.grid_create(
        actor=None,
        community=gw["comm_a"],
        name="新村网格",
        serving_branch=gw["branch_a2"],
        compounds=[gw["compound_a2"]],
    )
    assert names(gw["alice"], "compound") == ["紫金新村"]  # a functional branch serves it
    org_update(actor=None, org=gw["branch_a2"], establishment="formal")
    assert names(gw["alice"], "compound") == []


def test_unit_with_three_members_needs_a_formal_branch(gw):
    unit = Unit.objects.create(
        name="紫金科技有限公司", sector="enterprise", area=gw["street_a_area"]
    )
    for _ in range(3):
        factories.member(gw["branch_a2"], work_unit=unit)
    gaps = audit_of(gw["alice"]).rows("unit")[0:10]
    assert [(g.name, g.figure, g.url) for g in gaps] == [
        ("紫金科技有限公司", 3, f"/orgs/units/{unit.pk}/edit/")
    ]
    assert names(gw["charlie"], "unit") == []
    org_create(
        actor=None,
        parent=gw["street_a"],
        name="紫金科技党支部",
        kind="branch",
        sector="enterprise",
        area=gw["street_a_area"],
        unit=unit,
    )
    assert names(gw["alice"], "unit") == []


def test_unit_hosting_a_general_branch_is_covered(gw):
    # A 党总支 hosted by the unit covers it: its branches need not name the unit again.
    unit = Unit.objects.create(
        name="紫金制造有限公司", sector="enterprise", area=gw["street_a_area"]
    )
    for _ in range(3):
        factories.member(gw["branch_a2"], work_unit=unit)
    assert names(gw["alice"], "unit") == ["紫金制造有限公司"]
    head = org_create(
        actor=None,
        parent=gw["street_a"],
        name="紫金制造党总支",
        kind="general_branch",
        sector="enterprise",
        area=gw["street_a_area"],
        unit=unit,
    )
    org_create(
        actor=None,
        parent=head,
        name="紫金制造第1党支部",
        kind="branch",
        sector="enterprise",
        area=gw["street_a_area"],
    )
    assert names(gw["alice"], "unit") == []
    org_update(actor=None, org=head, establishment="functional")
    assert names(gw["alice"], "unit") == ["紫金制造有限公司"]


def test_functional_branch_with_three_members_should_be_formal(gw):
    org_update(actor=None, org=gw["branch_a2"], establishment="functional")
    assert names(gw["alice"], "functional") == []  # one member
    factories.member(gw["branch_a2"])
    factories.member(gw["branch_a2"])
    gaps = audit_of(gw["alice"]).rows("functional")[0:10]
    assert [(g.name, g.figure, g.url) for g in gaps] == [
        ("紫金社区第二党支部", 3, f"/orgs/{gw['branch_a2'].pk}/edit/")
    ]
    org_update(actor=None, org=gw["branch_a2"], establishment="formal")
    assert names(gw["alice"], "functional") == []


def test_members_in_no_grid(gw):
    assert names(gw["alice"], "ungridded") == ["张红", "李明", "王芳"]
    assert names(gw["charlie"], "ungridded") == ["赵刚"]
    gap = audit_of(gw["alice"]).rows("ungridded")[0:1][0]
    assert gap.url == f"/grids/member/{gw['m_a1'].pk}/"
    # 张红 lives there
    services.grid_assign_by_residence(actor=None, scope=Scope.everything(), grid=gw["grid_a"])
    assert names(gw["alice"], "ungridded") == ["李明", "王芳"]
    # members whose 党籍 is suspended are not counted
    factories.member(gw["branch_a1"], standing="suspended")
    assert len(names(gw["alice"], "ungridded")) == 2


def test_a_member_in_two_grids_is_impossible_and_checked(gw):
    services.grid_assign_member(actor=None, grid=gw["grid_a"], member=gw["m_a1"])
    with pytest.raises(IntegrityError), transaction.atomic():
        GridMembership.objects.create(grid=gw["grid_b"], member=gw["m_a1"])
    assert audit_of(gw["alice"]).counts()["multigrid"] == 0


def test_grid_without_instructor(gw):
    gaps = audit_of(gw["alice"]).rows("no_instructor")[0:10]
    assert [(g.name, g.url) for g in gaps] == [
        ("紫金花园网格", f"/grids/{gw['grid_a'].pk}/instructor/")
    ]
    assert names(gw["charlie"], "no_instructor") == ["孝闻网格"]
    services.grid_set_instructor(actor=None, grid=gw["grid_a"], member=gw["m_a1"])
    assert names(gw["alice"], "no_instructor") == []


def test_org_without_secretary(gw):
    # the street, the community committee and its two branches (groups are not counted)
    assert names(gw["alice"], "no_secretary") == [
        "南门街道党工委",
        "紫金社区党委",
        "紫金社区第一党支部",
        "紫金社区第二党支部",
    ]
    gap = audit_of(gw["alice"]).rows("no_secretary")[0:4][3]
    assert gap.url == f"/orgs/{gw['branch_a2'].pk}/leaders/new/"
    leadership_add(
        actor=None,
        org=gw["branch_a2"],
        member=gw["m_a2"],
        role="secretary",
        term_start=today() - dt.timedelta(days=100),
        term_end=today() + dt.timedelta(days=900),
    )
    assert "紫金社区第二党支部" not in names(gw["alice"], "no_secretary")
    assert names(gw["charlie"], "no_secretary") == ["孝闻社区党支部"]


def test_term_ending_within_90_days(gw):
    leadership_add(
        actor=None,
        org=gw["branch_a2"],
        member=gw["m_a2"],
        role="secretary",
        term_start=today() - dt.timedelta(days=1000),
        term_end=today() + dt.timedelta(days=30),
    )
    leadership_add(
        actor=None,
        org=gw["branch_a1"],
        member=gw["m_a1"],
        role="secretary",
        term_start=today() - dt.timedelta(days=1000),
        term_end=today() + dt.timedelta(days=300),
    )
    gaps = audit_of(gw["alice"]).rows("term")[0:10]
    assert [(g.name, g.figure) for g in gaps] == [("紫金社区第二党支部", 30)]
    assert "30天后到期" in gaps[0].detail
    # 换届: the new term is registered
    leadership_add(
        actor=None,
        org=gw["branch_a2"],
        member=gw["m_a2"],
        role="secretary",
        term_start=today() + dt.timedelta(days=31),
        term_end=today() + dt.timedelta(days=31 + 1095),
    )
    assert names(gw["alice"], "term") == []
    assert names(gw["charlie"], "term") == []


def test_ended_term_is_listed(gw):
    leadership_add(
        actor=None,
        org=gw["branch_a2"],
        member=gw["m_a2"],
        role="secretary",
        term_start=today() - dt.timedelta(days=1100),
        term_end=today() - dt.timedelta(days=5),
    )
    gap = audit_of(gw["alice"]).rows("term")[0:1][0]
    assert gap.figure == -5 and "到期" in gap.detail


def test_page_lists_counts_and_links(gw, client_for):
    c = client_for(gw["alice"])
    r = c.get("/grids/coverage/?cat=ungridded")
    body = texts(r)
    assert r.status_code == 200
    assert 'data-testid="count-ungridded">3<' in body
    assert f'href="/grids/member/{gw["m_a1"].pk}/"' in body
    assert "赵刚" not in body


def test_stranger_sees_nothing_of_street_a(gw, client_for):
    c = client_for(gw["charlie"])
    for key in ("ungridded", "no_instructor", "no_secretary", "compound"):
        body = texts(c.get(f"/grids/coverage/?cat={key}"))
        assert "紫金" not in body and "张红" not in body and "南门" not in body
    assert c.get(f"/grids/coverage/?org={gw['street_a'].pk}").status_code == 404
    assert c.get(f"/grids/coverage/?org={gw['comm_a_org'].pk}").status_code == 404
    assert c.get("/grids/coverage/?org=abc").status_code == 404


def test_unknown_category_falls_back(gw, client_for):
    r = client_for(gw["alice"]).get("/grids/coverage/?cat=nope")
    assert r.status_code == 200


def test_panel_on_the_dashboard(gw, client_for):
    body = texts(client_for(gw["alice"]).get("/"))
    assert 'data-testid="coverage-panel"' in body and "/grids/coverage/" in body
    # a member (no management permission) gets no panel
    u = factories.user("dy", "member", org=gw["branch_a1"])
    assert 'data-testid="coverage-panel"' not in texts(client_for(u).get("/"))


def test_api(gw, client):
    _, key = api_token_create(actor=None, user=gw["alice"], name="t")
    h = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
    r = client.get("/api/v1/grids/coverage?category=ungridded", **h)
    assert r.status_code == 200
    body = r.json()
    assert body["counts"]["ungridded"] == 3 and body["counts"]["no_instructor"] == 1
    assert [row["name"] for row in body["results"]] == ["张红", "李明", "王芳"]
    _, ckey = api_token_create(actor=None, user=gw["charlie"], name="t")
    r = client.get(
        f"/api/v1/grids/coverage?org_id={gw['street_a'].pk}", HTTP_AUTHORIZATION=f"Bearer {ckey}"
    )
    assert r.status_code == 404
    r = client.get("/api/v1/grids/coverage?category=bogus", **h)
    assert r.status_code == 404


def test_building_residents_count_for_their_compound(gw):
    b = factories.area("紫金新村2幢", AreaLevel.BUILDING, gw["compound_a2"])
    for _ in range(3):
        factories.member(gw["branch_a2"], residence=b)
    assert names(gw["alice"], "compound") == ["紫金新村"]


def test_probationary_members_past_their_year_without_confirmation(gw, client_for):
    # 《党章》第七条: 预备期为一年. Two years in and no 转正 recorded: listed; a 预备党员 of four
    # months and a full member are not.
    overdue = factories.member(
        gw["branch_a2"],
        name="周预备",
        status="probationary",
        joined_on=today() - dt.timedelta(days=730),
        confirmed_on=None,
    )
    factories.member(
        gw["branch_a2"],
        name="吴新",
        status="probationary",
        joined_on=today() - dt.timedelta(days=120),
        confirmed_on=None,
    )
    factories.member(
        gw["branch_b1"],
        name="郑预备",
        status="probationary",
        joined_on=today() - dt.timedelta(days=800),
        confirmed_on=None,
    )
    assert audit_of(gw["alice"]).counts()["overdue_probation"] == 1
    [gap] = audit_of(gw["alice"]).rows("overdue_probation")[0:10]
    assert gap.name == "周预备" and gap.url == f"/members/{overdue.pk}/edit/"
    assert gap.detail.startswith("紫金社区第二党支部 · ") and "期满" in gap.detail
    # in scope only: charlie sees his own street's, none of street A
    assert names(gw["charlie"], "overdue_probation") == ["郑预备"]
    body = texts(client_for(gw["alice"]).get("/grids/coverage/?cat=overdue_probation"))
    assert 'data-testid="count-overdue_probation">1<' in body and "周预备" in body
    assert "郑预备" not in body
    # a reader who may not edit members gets the record, not a form that would answer 404
    auditor = gw["auditor"]
    gaps = CoverageAudit(
        scope_for_user(auditor), get_audit_root_for(scope_for_user(auditor), gw["street_a"].pk)
    )
    assert [g.url for g in gaps.rows("overdue_probation")[0:10]] == [f"/members/{overdue.pk}/"]
    # fixed: 转正 recorded
    Member.objects.filter(pk=overdue.pk).update(status="full", confirmed_on=today())
    assert names(gw["alice"], "overdue_probation") == []


def test_overdue_probation_names_need_members_view(gw, client_for):
    factories.member(
        gw["branch_a1"],
        name="周预备",
        status="probationary",
        joined_on=today() - dt.timedelta(days=730),
        confirmed_on=None,
    )
    u = factories.user("dy2", "member", org=gw["branch_a1"])  # orgs.view, not members.view
    assert audit_of(u).counts()["overdue_probation"] == 1
    body = texts(client_for(u).get("/grids/coverage/?cat=overdue_probation"))
    assert "周预备" not in body and "您不能查看这些党员的名单" in body
