"""Small builders for tests: they go through the services, as the pages do."""

from __future__ import annotations

import datetime as dt
import itertools

from tongxin.accounts.models import Reach, Role, RoleAssignment, User
from tongxin.core import idnumber
from tongxin.geo.models import Area, AreaLevel
from tongxin.members.models import Education, Member, MemberStatus
from tongxin.members.services import MemberInput, member_create
from tongxin.orgs.models import Organization, OrgKind, Sector
from tongxin.orgs.services import org_create

_seq = itertools.count(1)
PASSWORD = "Tongxin-test-2026"


def area(name: str, level: str, parent: Area | None = None) -> Area:
    if parent is None:
        return Area.objects.add_root(create_kwargs={"name": name, "level": level})
    return Area.objects.add_child(
        Area.objects.get(pk=parent.pk), create_kwargs={"name": name, "level": level}
    )


def org(
    name: str,
    kind: str,
    parent: Organization | None = None,
    sector: str = Sector.COMMUNITY,
    area: Area | None = None,
) -> Organization:
    return org_create(actor=None, parent=parent, name=name, kind=kind, sector=sector, area=area)


def id_number(birth: dt.date | None = None, region: str = "330203") -> str:
    n = next(_seq)
    # Born 1960-1984: every builder-made member is past 18 on the default 入党 date (2010-07-01).
    birth = birth or dt.date(1960, 1, 1) + dt.timedelta(days=n * 37 % 9000)
    return idnumber.make(region, birth, n % 1000)


def member_input(org: Organization, **over) -> MemberInput:
    data = dict(
        name=f"党员{next(_seq)}",
        id_number=id_number(),
        education=Education.BACHELOR,
        joined_on=dt.date(2010, 7, 1),
        confirmed_on=dt.date(2011, 7, 1),
        status=MemberStatus.FULL,
        org=org,
        phone=f"138{next(_seq):08d}",
    )
    data.update(over)
    return MemberInput(**data)


def member(org: Organization, **over) -> Member:
    return member_create(actor=None, data=member_input(org, **over))


def user(
    username: str, role: str | None = None, *, org=None, area=None, reach=Reach.SUBTREE, **kw
) -> User:
    u = User.objects.create_user(username=username, password=PASSWORD, **kw)
    if role:
        RoleAssignment.objects.create(
            user=u, role=Role.objects.get(code=role), org=org, area=area, reach=reach
        )
    return u


DATA_MIGRATIONS = [
    "tongxin.accounts.migrations.0003_default_roles",
    "tongxin.accounts.migrations.0004_module_permissions",
    "tongxin.cases.migrations.0002_default_categories",
    "tongxin.meetings.migrations.0002_default_rules",
    "tongxin.projects.migrations.0002_default_taxonomy",
    "tongxin.visits.migrations.0002_default_quotas",
    "tongxin.aid.migrations.0002_roles",
]


def restore_data_migration_rows() -> None:
    """A real-browser or other transactional test flushes every table after it runs, the rows
    the data migrations loaded (roles, case categories, meeting rules, the project taxonomy,
    visit quotas) included. Put them back when they are gone; each loader is idempotent."""
    import importlib

    from django.apps import apps

    if Role.objects.exists():
        return
    for module in DATA_MIGRATIONS:
        loader = importlib.import_module(module)
        (getattr(loader, "load", None) or loader.load_roles)(apps, None)


def make_world() -> dict:
    """A city with two streets. alice runs street A, bob is secretary of branch A1,
    charlie is secretary of branch B1 in street B: a stranger to everything in street A."""
    restore_data_migration_rows()
    city_a = area("宁波市", AreaLevel.CITY)
    dist_a = area("海曙区", AreaLevel.DISTRICT, city_a)
    street_a_area = area("南门街道", AreaLevel.STREET, dist_a)
    comm_a = area("紫金社区", AreaLevel.COMMUNITY, street_a_area)
    compound_a = area("紫金花园", AreaLevel.COMPOUND, comm_a)
    street_b_area = area("鼓楼街道", AreaLevel.STREET, dist_a)
    comm_b = area("孝闻社区", AreaLevel.COMMUNITY, street_b_area)

    city = org("中共宁波市委", OrgKind.COMMITTEE, sector=Sector.PUBLIC_INSTITUTION, area=city_a)
    street_a = org("南门街道党工委", OrgKind.WORKING_COMMITTEE, city, area=street_a_area)
    comm_a_org = org("紫金社区党委", OrgKind.COMMITTEE, street_a, area=comm_a)
    branch_a1 = org("紫金社区第一党支部", OrgKind.BRANCH, comm_a_org, area=comm_a)
    group_a1 = org("紫金社区第一党小组", OrgKind.GROUP, branch_a1, area=comm_a)
    branch_a2 = org("紫金社区第二党支部", OrgKind.BRANCH, comm_a_org, area=comm_a)
    street_b = org("鼓楼街道党工委", OrgKind.WORKING_COMMITTEE, city, area=street_b_area)
    branch_b1 = org("孝闻社区党支部", OrgKind.BRANCH, street_b, area=comm_b)

    m_a1 = member(branch_a1, name="张红", residence=compound_a)
    m_a1b = member(branch_a1, name="李明")
    m_a2 = member(branch_a2, name="王芳")
    m_b1 = member(branch_b1, name="赵刚")

    alice = user("alice", "street_secretary", org=street_a)
    bob = user("bob", "branch_secretary", org=branch_a1)
    charlie = user("charlie", "branch_secretary", org=branch_b1)
    auditor = user("audrey", "auditor", org=city)
    return dict(locals())
