"""Every page as a stranger (charlie, branch secretary in street B) and as nobody at all:
street A's organizations and members never show, and their URLs answer 404 (DESIGN §3.1)."""

from __future__ import annotations

import pytest

from tests import factories
from tongxin.core.models import AuditLog
from tongxin.members.models import Member
from tongxin.orgs.models import Organization

A_NAMES = [
    "南门街道党工委",
    "紫金社区党委",
    "紫金社区第一党支部",
    "紫金社区第一党小组",
    "紫金社区第二党支部",
    "张红",
    "李明",
    "王芳",
]


def page_urls(w) -> list[tuple[str, str]]:
    """(method, url) for every page, pointing at street A's objects."""
    org, branch, member = w["comm_a_org"].pk, w["branch_a1"].pk, w["m_a1"].pk
    return [
        ("get", "/"),
        ("get", "/me/"),
        ("get", "/orgs/"),
        ("get", f"/orgs/{org}/"),
        ("get", f"/orgs/{org}/children/"),
        ("get", f"/orgs/{org}/new/"),
        ("post", f"/orgs/{org}/new/"),
        ("get", f"/orgs/{branch}/edit/"),
        ("post", f"/orgs/{branch}/edit/"),
        ("get", f"/orgs/{branch}/move/"),
        ("post", f"/orgs/{branch}/move/"),
        ("get", f"/orgs/{branch}/leaders/new/"),
        ("post", f"/orgs/{branch}/leaders/new/"),
        ("get", "/members/"),
        ("get", f"/members/{member}/"),
        ("get", f"/members/new/?org={branch}"),
        ("post", f"/members/new/?org={branch}"),
        ("get", f"/members/{member}/edit/"),
        ("post", f"/members/{member}/edit/"),
        ("post", f"/members/{member}/reveal/id_number/"),
        ("post", f"/members/{member}/reveal/phone/"),
        ("get", "/orgs/new/"),
        ("post", "/orgs/new/"),
        ("get", "/audit/"),
        ("get", "/audit/export.xlsx"),
        ("get", "/orgs/units/new/"),
        ("post", "/orgs/units/new/"),
        ("get", "/accounts/tokens/"),
        ("get", "/accounts/password/"),
    ]


def assert_no_street_a(body: str, world, typed: str = "") -> None:
    """Nothing of street A on the page, apart from the search text the user typed himself."""
    if typed:
        body = body.replace(f'value="{typed}"', "")
    for name in A_NAMES:
        assert name not in body, name
    for key in ("m_a1", "m_a1b", "m_a2"):
        m = world[key]
        assert m.id_number_masked not in body and m.reveal_id_number() not in body


def test_anonymous_is_sent_to_login_from_every_page(world, client):
    for method, url in page_urls(world):
        r = getattr(client, method)(url)
        assert r.status_code == 302, (method, url)
        assert r["Location"].startswith("/accounts/login/?next="), (method, url)


def test_the_stranger_gets_404_on_every_street_a_object(world, client_for):
    c = client_for(world["charlie"])
    post_data = {
        "name": "入侵",
        "kind": "branch",
        "establishment": "formal",
        "sector": "community",
        "parent": world["branch_b1"].pk,
    }
    counts = (Organization.objects.count(), Member.objects.count(), AuditLog.objects.count())
    for method, url in page_urls(world):
        if url in ("/", "/me/", "/orgs/", "/members/", "/accounts/tokens/", "/accounts/password/"):
            continue  # his own pages: covered by the tests below
        r = c.post(url, post_data) if method == "post" else c.get(url)
        assert r.status_code == 404, (method, url)
        assert_no_street_a(r.content.decode(), world)
    assert counts == (
        Organization.objects.count(),
        Member.objects.count(),
        AuditLog.objects.count(),
    )


@pytest.mark.parametrize(
    "url",
    [
        "/",
        "/me/",
        "/orgs/",
        "/orgs/?q=紫金",
        "/orgs/?q=党",
        "/members/",
        "/members/?q=张红",
        "/members/?q=王",
        "/members/?status=full&flag=floating",
        "/members/?sector=community",
    ],
)
def test_the_stranger_never_sees_street_a_in_lists_and_search(world, client_for, url):
    r = client_for(world["charlie"]).get(url)
    assert r.status_code == 200
    assert_no_street_a(r.content.decode(), world, typed=r.wsgi_request.GET.get("q", ""))


def test_the_stranger_searching_an_a_members_full_id_number_finds_nothing(world, client_for):
    c = client_for(world["charlie"])
    for q in (world["m_a1"].reveal_id_number(), world["m_a1"].reveal_phone()):
        body = c.post("/members/", {"q": q}).content.decode()
        assert "没有符合条件的党员。" in body
        assert_no_street_a(body, world, typed=q)


def test_the_stranger_cannot_filter_the_roster_by_an_a_org(world, client_for):
    r = client_for(world["charlie"]).get(f"/members/?org={world['street_a'].pk}")
    assert r.status_code == 404


def test_the_stranger_sees_his_own_branch(world, client_for):
    c = client_for(world["charlie"])
    assert "赵刚" in c.get("/members/").content.decode()
    assert c.get(f"/members/{world['m_b1'].pk}/").status_code == 200
    assert "孝闻社区党支部" in c.get("/orgs/").content.decode()


def test_a_street_secretary_cannot_move_a_branch_into_another_street(world, client_for):
    dave = factories.user("dave", "street_secretary", org=world["street_b"])
    c = client_for(dave)
    url = f"/orgs/{world['branch_b1'].pk}/move/"
    page = c.get(url).content.decode()
    assert_no_street_a(page, world)
    r = c.post(url, {"parent": world["comm_a_org"].pk})
    assert r.status_code == 200
    assert "选择一个有效的选项" in r.content.decode()  # Django's own 'invalid choice', in Chinese
    branch = Organization.objects.get(pk=world["branch_b1"].pk)
    assert branch.path.startswith(Organization.objects.get(pk=world["street_b"].pk).path)


def test_my_page_shows_my_account(world, client_for):
    world["bob"].member = world["m_a1"]
    world["bob"].save()
    body = client_for(world["bob"]).get("/me/").content.decode()
    assert "<title>我的 · 同心" in body
    assert "紫金社区第一党支部" in body and world["m_a1"].id_number_masked in body
    assert world["m_a1"].reveal_id_number() not in body
    assert "您的账号尚未关联党员信息。" in client_for(world["charlie"]).get("/me/").content.decode()


def test_the_top_bar_and_my_page_show_the_users_scope(world, client_for):
    c = client_for(world["alice"])
    assert (
        "南门街道党工委"
        in c.get("/").content.decode().split('data-testid="current-scope"')[1][:300]
    )
    me = c.get("/me/").content.decode()
    assert "我的数据范围" in me and "南门街道党工委" in me and "本级及下级" in me


def test_the_404_page_is_in_chinese_and_says_nothing_more(world, client_for):
    r = client_for(world["charlie"]).get(f"/members/{world['m_a1'].pk}/")
    body = r.content.decode()
    assert r.status_code == 404 and "页面不存在" in body and "返回工作台" in body
    assert_no_street_a(body, world)
