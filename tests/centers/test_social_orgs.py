"""Social organizations: the seed-004 rule 属地为主、行业为辅、区域兜底, credit codes."""

from __future__ import annotations

import pytest

from tests import factories
from tests.helpers import is_chinese
from tests.stranger_setup import scope_of
from tongxin.centers import selectors, services
from tongxin.centers.models import GuidingRule, SocialOrganization
from tongxin.core import creditcode
from tongxin.core.errors import ServiceError
from tongxin.core.models import AuditLog
from tongxin.geo.models import AreaLevel
from tongxin.orgs.models import OrgKind, Sector

CODE = creditcode.make("52", "330203", "MA2B3C4D")


def create(world, area, **kw):
    return services.social_org_create(
        scope=scope_of(world["alice"]),
        actor=world["alice"],
        name=kw.pop("name", "红领之家"),
        kind="community",
        area=area,
        **kw,
    )


def test_territorial_first_the_community_committee(world):
    so = create(world, world["compound_a"], credit_code=CODE)
    assert so.guiding_org == world["comm_a_org"]
    assert so.guiding_rule == GuidingRule.TERRITORIAL
    assert so.credit_code == CODE
    assert AuditLog.objects.filter(action="centers.social_org_create").count() == 1


def test_industry_committee_when_the_place_has_no_party_org(world):
    bare = factories.area("新建社区", AreaLevel.COMMUNITY, world["street_a_area"])
    industry = factories.org(
        "南门街道社会组织综合党委",
        OrgKind.COMMITTEE,
        world["street_a"],
        sector=Sector.SOCIAL_ORG,
        area=world["street_a_area"],
    )
    so = create(world, bare)
    assert (so.guiding_org, so.guiding_rule) == (industry, GuidingRule.INDUSTRY)


def test_regional_fallback_the_street_working_committee(world):
    bare = factories.area("新建社区", AreaLevel.COMMUNITY, world["street_a_area"])
    so = create(world, bare)
    assert (so.guiding_org, so.guiding_rule) == (world["street_a"], GuidingRule.REGIONAL)


def test_regional_fallback_reaches_the_district(world):
    district_org = factories.org(
        "海曙区委",
        OrgKind.COMMITTEE,
        world["city"],
        sector=Sector.PUBLIC_INSTITUTION,
        area=world["dist_a"],
    )
    street = factories.area("无党组织街道", AreaLevel.STREET, world["dist_a"])
    comm = factories.area("无党组织社区", AreaLevel.COMMUNITY, street)
    org, rule = selectors.default_guiding_org(comm)
    assert (org, rule) == (district_org, GuidingRule.REGIONAL)


def test_a_chosen_guiding_org_is_kept_as_manual(world):
    so = create(world, world["compound_a"], guiding_org=world["branch_a2"])
    assert (so.guiding_org, so.guiding_rule) == (world["branch_a2"], GuidingRule.MANUAL)


@pytest.mark.parametrize(
    "code,contains",
    [("12345", "18位"), (CODE[:-1] + ("0" if CODE[-1] != "0" else "1"), "校验")],
)
def test_bad_credit_code_refused(world, code, contains):
    before = (SocialOrganization.objects.count(), AuditLog.objects.count())
    with pytest.raises(ServiceError) as exc:
        create(world, world["compound_a"], credit_code=code)
    assert contains in exc.value.fields["credit_code"]
    assert is_chinese(exc.value.message)
    assert before == (SocialOrganization.objects.count(), AuditLog.objects.count())


def test_duplicate_credit_code_refused(world):
    create(world, world["compound_a"], credit_code=CODE)
    before = (SocialOrganization.objects.count(), AuditLog.objects.count())
    with pytest.raises(ServiceError) as exc:
        create(world, world["compound_a"], name="另一家", credit_code=CODE.lower())
    assert "已登记" in exc.value.fields["credit_code"]
    assert before == (SocialOrganization.objects.count(), AuditLog.objects.count())


def test_choices_follow_the_scope(world):
    so = create(world, world["compound_a"])
    from tongxin.core.scope import scope_for_user

    assert list(selectors.social_org_choices(scope_for_user(world["alice"]))) == [so]
    assert list(selectors.social_org_choices(scope_for_user(world["charlie"]))) == []
