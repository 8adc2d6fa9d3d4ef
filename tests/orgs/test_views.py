"""Organization pages as their users see them."""

from __future__ import annotations

from tests.helpers import texts
from tongxin.core.models import AuditLog
from tongxin.orgs.models import Organization


def fresh(org: Organization) -> Organization:
    return Organization.objects.get(pk=org.pk)


def test_tree_starts_at_the_users_highest_org_and_expands_by_fragment(world, client_for):
    c = client_for(world["alice"])
    tree = texts(c.get("/orgs/"))
    assert "南门街道党工委" in tree and "中共宁波市委" not in tree and "鼓楼街道党工委" not in tree
    # an expandable node, without a child count (children may lie out of reach)
    assert f'hx-get="/orgs/{world["street_a"].pk}/children/"' in c.get("/orgs/").content.decode()
    children = texts(c.get(f"/orgs/{world['comm_a_org'].pk}/children/"))
    assert "紫金社区第一党支部" in children and "紫金社区第二党支部" in children
    assert "<html" not in children  # an htmx fragment, not a page


def test_tree_search_by_name(world, client_for):
    body = texts(client_for(world["alice"]).get("/orgs/", {"q": "第二"}))
    assert "“第二”的搜索结果（1）" in body and "紫金社区第二党支部" in body
    body = texts(client_for(world["alice"]).get("/orgs/", {"q": "孝闻"}))
    assert "没有找到名称包含“孝闻”的党组织。" in body


def test_detail_shows_facts_breadcrumb_children_and_members(world, client_for):
    body = texts(client_for(world["alice"]).get(f"/orgs/{world['comm_a_org'].pk}/"))
    assert '<h1 class="h4 mb-1">紫金社区党委</h1>' in body
    assert "南门街道党工委" in body  # breadcrumb
    assert "中共宁波市委" not in body  # above alice's reach
    assert 'data-testid="subtree-members">3<' in body
    for name in ("张红", "李明", "王芳", "紫金社区第一党支部"):
        assert name in body
    assert "新建下级组织" in body and "调整隶属" in body


def test_a_branch_secretary_sees_the_page_but_no_management_buttons(world, client_for):
    c = client_for(world["bob"])
    body = texts(c.get(f"/orgs/{world['branch_a1'].pk}/"))
    assert "登记党员" in body
    assert "新建下级组织" not in body and "调整隶属" not in body
    assert c.get(f"/orgs/{world['branch_a1'].pk}/edit/").status_code == 404
    assert c.get(f"/orgs/{world['branch_a1'].pk}/new/").status_code == 404


def test_alice_creates_a_branch_through_the_form(world, client_for):
    c = client_for(world["alice"])
    url = f"/orgs/{world['comm_a_org'].pk}/new/"
    form = texts(c.get(url))
    assert "上级组织：紫金社区党委（党委）" in form
    r = c.post(
        url,
        {
            "name": "紫金社区第三党支部",
            "kind": "branch",
            "establishment": "functional",
            "sector": "community",
            "area": world["compound_a"].pk,
            "founded_on": "2020-07-01",
        },
        follow=True,
    )
    org = Organization.objects.get(name="紫金社区第三党支部")
    assert r.redirect_chain == [(f"/orgs/{org.pk}/", 302)]
    body = texts(r)
    assert "已创建党组织“紫金社区第三党支部”。" in body
    assert "功能性" in body and "紫金花园" in body
    assert Organization.objects.get_parent(org).pk == world["comm_a_org"].pk
    assert AuditLog.objects.get(action="orgs.create", object_id=str(org.pk)).actor == world["alice"]
    assert "紫金社区第三党支部" in texts(c.get(f"/orgs/{world['comm_a_org'].pk}/children/"))


def test_form_errors_are_shown_in_chinese_and_nothing_is_created(world, client_for):
    c = client_for(world["alice"])
    before = Organization.objects.count()
    url = f"/orgs/{world['comm_a_org'].pk}/new/"
    body = texts(
        c.post(
            url,
            {"name": "紫金小组", "kind": "group", "establishment": "formal", "sector": "community"},
        )
    )
    assert "党小组只能设在党支部之下，不能设在党委之下。" in body
    body = texts(
        c.post(
            url,
            {
                "name": "",
                "kind": "branch",
                "establishment": "formal",
                "sector": "community",
                "founded_on": "2020-02-30",
            },
        )
    )
    assert "这个字段是必填项。" in body  # name
    assert "输入一个有效的日期。" in body  # founded_on
    assert Organization.objects.count() == before


def test_alice_edits_an_org(world, client_for):
    c = client_for(world["alice"])
    url = f"/orgs/{world['branch_a2'].pk}/edit/"
    form = texts(c.get(url))
    assert 'value="紫金社区第二党支部"' in form
    assert f'<option value="{world["comm_a"].pk}" selected>紫金社区</option>' in form
    r = c.post(
        url,
        {
            "name": "紫金社区第二党支部（联合）",
            "kind": "branch",
            "establishment": "formal",
            "sector": "community",
            "is_joint": "on",
        },
    )
    assert r.status_code == 302
    org = fresh(world["branch_a2"])
    assert org.name == "紫金社区第二党支部（联合）" and org.is_joint
    body = texts(
        c.post(
            f"/orgs/{world['street_a'].pk}/edit/",
            {
                "name": "南门街道党工委",
                "kind": "general_branch",
                "establishment": "formal",
                "sector": "community",
            },
        )
    )
    assert "类型与下级组织不相容。" in body
    assert fresh(world["street_a"]).kind == "working_committee"


def test_alice_moves_a_branch_and_its_members_follow(world, client_for):
    c = client_for(world["alice"])
    url = f"/orgs/{world['branch_a2'].pk}/move/"
    page = texts(c.get(url))
    assert "南门街道党工委" in page and "紫金社区第一党小组" not in page
    r = c.post(url, {"parent": world["street_a"].pk}, follow=True)
    assert "已将“紫金社区第二党支部”及其下级组织移至新的上级组织。" in texts(r)
    assert Organization.objects.get_parent(fresh(world["branch_a2"])).pk == world["street_a"].pk
    body = texts(c.get(f"/orgs/{world['street_a'].pk}/"))
    assert 'data-testid="subtree-members">3<' in body
    body = texts(c.get(f"/orgs/{world['comm_a_org'].pk}/"))
    assert 'data-testid="subtree-members">2<' in body and "王芳" not in body


def test_moving_under_a_descendant_shows_the_reason(world, client_for):
    c = client_for(world["alice"])
    r = c.post(f"/orgs/{world['comm_a_org'].pk}/move/", {"parent": world["branch_a1"].pk})
    assert "不能把党组织移动到它自己或它的下级组织之下，请选择其他上级组织。" in texts(r)
    assert not AuditLog.objects.filter(action="orgs.move").exists()


def test_a_superuser_creates_a_top_level_organization(world, client):
    from tongxin.accounts.models import User

    root = User.objects.create_superuser("root", password="Root-pass-2026")
    client.force_login(root, backend="django.contrib.auth.backends.ModelBackend")
    assert "新建顶层党组织" in client.get("/orgs/").content.decode()
    r = client.post(
        "/orgs/new/",
        {
            "name": "中共杭州市委",
            "kind": "committee",
            "establishment": "formal",
            "sector": "public_institution",
        },
    )
    assert r.status_code == 302
    org = Organization.objects.get(name="中共杭州市委")
    assert org.depth == 1
    # a branch cannot be a root: the reason is shown on the form
    r = client.post(
        "/orgs/new/",
        {"name": "孤立支部", "kind": "branch", "establishment": "formal", "sector": "other"},
    )
    assert r.status_code == 200 and "党支部必须设在上级党组织之下" in r.content.decode()
    assert not Organization.objects.filter(name="孤立支部").exists()


def test_only_a_superuser_may_create_a_top_level_organization(world, client_for):
    c = client_for(world["alice"])
    assert c.get("/orgs/new/").status_code == 404
    assert "新建顶层党组织" not in c.get("/orgs/").content.decode()


def test_alice_cannot_move_her_top_org_away_from_a_parent_she_does_not_manage(world, client_for):
    c = client_for(world["alice"])
    street = world["street_a"]
    page = c.get(f"/orgs/{street.pk}/move/").content.decode()
    assert "需要对现上级组织有管理权限" in page
    assert "调整隶属" not in c.get(f"/orgs/{street.pk}/").content.decode()
    r = c.post(f"/orgs/{street.pk}/move/", {"parent": world["comm_a_org"].pk})
    assert r.status_code == 403
    assert fresh(street).path == street.path
