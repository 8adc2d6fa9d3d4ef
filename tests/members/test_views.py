"""Member pages: roster, search, detail with audited reveal, the registration form."""

from __future__ import annotations

import datetime as dt
import re

from django.utils import timezone

from tests import factories
from tests.helpers import texts
from tongxin.core import idnumber
from tongxin.core.models import AuditLog
from tongxin.members.models import Member, MemberStatus, OrgRelationChange


def roster_names(response) -> list[str]:
    return re.findall(r'<a href="/members/\d+/">([^<]+)</a>', texts(response))


def form_data(**over) -> dict:
    data = {
        "name": "孙丽",
        "id_number": idnumber.make("330203", dt.date(1988, 5, 17), 42),
        "phone": "139 0000 1234",
        "ethnicity": "汉族",
        "education": "bachelor",
        "status": "full",
        "standing": "normal",
        "joined_on": "2012-07-01",
        "confirmed_on": "2013-07-01",
    }
    data.update(over)
    return data


def test_roster_lists_the_scope_with_masked_pii(world, client_for):
    r = client_for(world["alice"]).get("/members/")
    assert sorted(roster_names(r)) == sorted(["张红", "李明", "王芳"])
    body = texts(r)
    m = world["m_a1"]
    assert m.id_number_masked in body and m.reveal_id_number() not in body
    assert "共 3 条" in body


def test_roster_search_by_full_id_number_and_phone_uses_the_blind_index(world, client_for):
    c = client_for(world["alice"])
    m = world["m_a2"]
    number = m.reveal_id_number()
    assert roster_names(c.post("/members/", {"q": number})) == ["王芳"]
    assert roster_names(c.post("/members/", {"q": number.lower()})) == ["王芳"]
    phone = m.reveal_phone()
    assert roster_names(c.post("/members/", {"q": f"{phone[:3]}-{phone[3:7]}-{phone[7:]}"})) == [
        "王芳"
    ]
    # Only exact numbers are found: a prefix says nothing about who is behind it.
    assert roster_names(c.post("/members/", {"q": number[:10]})) == []
    assert roster_names(c.post("/members/", {"q": phone[:7]})) == []


def test_number_searches_stay_out_of_urls_and_are_audited(world, client_for):
    from tongxin.core.models import AuditLog

    c = client_for(world["alice"])
    number = world["m_a2"].reveal_id_number()
    # A number in a link is ignored: the roster shows the unfiltered first page.
    assert len(roster_names(c.get("/members/", {"q": number}))) == 3
    body = c.post("/members/", {"q": number}).content.decode()
    assert number not in body.split("<tbody>")[-1]  # not echoed into the page links
    logs = AuditLog.objects.filter(action="members.search_pii")
    assert [lg.diff for lg in logs] == [{"field": "id_number", "found": 1}]


def test_a_user_without_the_reveal_permission_cannot_search_by_number(world, client_for):
    from tests import factories

    grid = factories.user("gina", "grid_worker", area=world["comm_a"])
    c = client_for(grid)
    body = c.post("/members/", {"q": world["m_a1"].reveal_id_number()}).content.decode()
    assert "查看个人信息" in body
    # the search was dropped, so the roster is unfiltered, and no number was confirmed
    from tongxin.core.models import AuditLog

    assert not AuditLog.objects.filter(action="members.search_pii").exists()


def test_roster_search_by_name(world, client_for):
    c = client_for(world["alice"])
    assert roster_names(c.get("/members/", {"q": "张"})) == ["张红"]
    assert roster_names(c.get("/members/", {"q": " 李明 "})) == ["李明"]
    assert "没有符合条件的党员。" in texts(c.get("/members/", {"q": "赵刚"}))


def test_roster_filters(world, client_for):
    factories.member(
        world["branch_a2"],
        name="周预备",
        status=MemberStatus.PROBATIONARY,
        confirmed_on=None,
        joined_on=timezone.localdate() - dt.timedelta(days=90),
    )
    factories.member(
        world["branch_a1"], name="吴流动", is_floating=True, floating_to="上海市浦东新区"
    )
    factories.member(
        world["branch_a1"],
        name="郑失联",
        is_lost_contact=True,
        is_floating=True,
        floating_to="广州",
    )
    c = client_for(world["alice"])
    assert roster_names(c.get("/members/", {"status": "probationary"})) == ["周预备"]
    assert sorted(roster_names(c.get("/members/", {"flag": "floating"}))) == ["吴流动", "郑失联"]
    both = c.get("/members/?flag=floating&flag=lost_contact")
    assert roster_names(both) == ["郑失联"]
    by_org = c.get("/members/", {"org": world["branch_a2"].pk})
    assert sorted(roster_names(by_org)) == ["周预备", "王芳"]
    assert "范围：紫金社区第二党支部 及下级" in texts(by_org)
    assert roster_names(c.get("/members/", {"sector": "enterprise"})) == []


def test_roster_pagination(world, client_for):
    for i in range(25):
        factories.member(world["branch_a2"], name=f"新党员{i:02d}")
    c = client_for(world["alice"])
    first = c.get("/members/")
    assert len(roster_names(first)) == 20
    assert "共 28 条，第 1 / 2 页" in texts(first)
    assert "page=2" in texts(first)
    second = c.get("/members/", {"page": 2})
    assert len(roster_names(second)) == 8
    assert set(roster_names(first)).isdisjoint(roster_names(second))
    assert "上一页" in texts(second) and "下一页" not in texts(second)
    # Filters survive paging.
    r = c.get("/members/", {"q": "新党员", "page": 2})
    assert len(roster_names(r)) == 5 and "q=%E6%96%B0%E5%85%9A%E5%91%98&amp;page=1" in texts(r)


def test_htmx_roster_request_gets_only_the_rows(world, client_for):
    r = client_for(world["alice"]).get("/members/", {"q": "张红"}, HTTP_HX_REQUEST="true")
    assert "<html" not in texts(r) and roster_names(r) == ["张红"]


def test_detail_shows_masked_pii_and_the_reveal_buttons(world, client_for):
    m = world["m_a1"]
    body = texts(client_for(world["bob"]).get(f"/members/{m.pk}/"))
    assert m.id_number_masked in body and m.phone_masked in body
    assert m.reveal_id_number() not in body and m.reveal_phone() not in body
    assert "查看完整号码" in body and "编辑" in body
    assert "入党编入：紫金社区第一党支部（登记入册）" in body


def test_reveal_by_bob_returns_the_clear_number_and_writes_an_audit_row(world, client_for):
    m = world["m_a1"]
    r = client_for(world["bob"]).post(f"/members/{m.pk}/reveal/id_number/")
    assert r.status_code == 200
    assert f'data-testid="revealed">{m.reveal_id_number()}<' in texts(r)
    row = AuditLog.objects.get(action="members.reveal_pii")
    assert (row.actor, row.object_id, row.diff) == (world["bob"], str(m.pk), {"field": "id_number"})
    assert row.ip == "127.0.0.1"


def test_reveal_needs_post_and_a_known_field(world, client_for):
    c = client_for(world["bob"])
    m = world["m_a1"]
    assert c.get(f"/members/{m.pk}/reveal/id_number/").status_code == 405
    assert c.post(f"/members/{m.pk}/reveal/id_number_enc/").status_code == 404
    assert not AuditLog.objects.filter(action="members.reveal_pii").exists()


def test_the_auditor_can_reveal_but_cannot_edit(world, client_for):
    c = client_for(world["auditor"])
    m = world["m_a2"]
    body = texts(c.get(f"/members/{m.pk}/"))
    assert "查看完整号码" in body and f'href="/members/{m.pk}/edit/"' not in body
    r = c.post(f"/members/{m.pk}/reveal/phone/")
    assert m.reveal_phone() in texts(r)
    assert AuditLog.objects.get(action="members.reveal_pii").actor == world["auditor"]
    assert c.get(f"/members/{m.pk}/edit/").status_code == 404
    assert c.post(f"/members/{m.pk}/edit/", form_data(name="改名")).status_code == 404
    assert c.get(f"/members/new/?org={world['branch_a2'].pk}").status_code == 404
    assert Member.objects.get(pk=m.pk).name == "王芳"


def test_a_grid_worker_sees_residents_but_cannot_reveal(world, client_for):
    worker = factories.user("grid", "grid_worker", area=world["comm_a"])
    c = client_for(worker)
    m = world["m_a1"]
    body = texts(c.get(f"/members/{m.pk}/"))
    assert "张红" in body and "查看完整号码" not in body
    assert c.post(f"/members/{m.pk}/reveal/id_number/").status_code == 404
    assert c.get(f"/members/{world['m_a1b'].pk}/").status_code == 404  # 李明 lives elsewhere


def test_alice_registers_a_member_through_the_form(world, client_for):
    c = client_for(world["alice"])
    url = f"/members/new/?org={world['branch_a2'].pk}"
    assert "所在党组织：紫金社区第二党支部" in texts(c.get(url))
    data = form_data(residence=world["compound_a"].pk)
    r = c.post(url, data, follow=True)
    m = Member.objects.get(name="孙丽")
    assert r.redirect_chain == [(f"/members/{m.pk}/", 302)]
    body = texts(r)
    assert "已登记党员“孙丽”。" in body
    assert m.id_number_masked in body and data["id_number"] not in body
    assert "139****1234" in body and "紫金花园" in body
    assert m.org == world["branch_a2"] and m.residence == world["compound_a"]
    assert m.reveal_phone() == "13900001234"
    assert "孙丽" in texts(c.get("/members/"))
    assert (
        AuditLog.objects.get(action="members.create", object_id=str(m.pk)).actor == world["alice"]
    )


def test_form_errors_are_shown_in_chinese_and_nothing_is_written(world, client_for):
    c = client_for(world["alice"])
    url = f"/members/new/?org={world['branch_a2'].pk}"
    counts = (Member.objects.count(), AuditLog.objects.count(), OrgRelationChange.objects.count())
    cases = [
        (form_data(id_number="33020319880517004"), "身份证号码应为18位，当前为17位"),
        (form_data(phone="1234"), "手机号码应为11位、以1开头的数字，请核对。"),
        (form_data(status="probationary"), "预备党员没有转正日期"),
        (form_data(confirmed_on=""), "正式党员请填写转正日期。"),
        (form_data(id_number=world["m_b1"].reveal_id_number()), "不能重复登记"),
        (form_data(name="", joined_on="2012-13-01"), "这个字段是必填项。"),
    ]
    for data, message in cases:
        r = c.post(url, data)
        assert r.status_code == 200
        body = texts(r)
        assert message in body, message
        assert "孝闻社区党支部" not in body
    # Nothing written, but for the one audited refusal of a number registered elsewhere.
    refusals = AuditLog.objects.filter(action="members.duplicate_refused")
    assert refusals.count() == 1 and refusals.get().actor == world["alice"]
    assert counts == (
        Member.objects.count(),
        AuditLog.objects.count() - 1,
        OrgRelationChange.objects.count(),
    )


def test_registering_into_a_group_is_refused(world, client_for):
    c = client_for(world["alice"])
    r = c.post(f"/members/new/?org={world['group_a1'].pk}", form_data())
    assert "党员的组织关系应在党支部，不能直接编入党小组。" in texts(r)
    assert not Member.objects.filter(name="孙丽").exists()


def test_edit_never_puts_the_clear_number_in_the_page_and_blank_keeps_it(world, client_for):
    c = client_for(world["bob"])
    m = world["m_a1"]
    number, phone = m.reveal_id_number(), m.reveal_phone()
    page = texts(c.get(f"/members/{m.pk}/edit/"))
    assert number not in page and phone not in page
    assert f"当前：{m.id_number_masked}，留空则不修改。" in page
    data = form_data(
        name="张红",
        id_number="",
        phone="",
        joined_on=m.joined_on.isoformat(),
        confirmed_on=m.confirmed_on.isoformat(),
        residence=m.residence_id,
        is_model_post="on",
    )
    r = c.post(f"/members/{m.pk}/edit/", data, follow=True)
    assert "已保存。" in texts(r)
    m.refresh_from_db()
    assert m.reveal_id_number() == number and m.reveal_phone() == phone and m.is_model_post
    assert AuditLog.objects.get(action="members.update").diff == {"is_model_post": [False, True]}


def test_the_full_birth_date_is_shown_only_to_those_who_may_reveal(world, client_for):
    from tests import factories

    m = world["m_a1"]
    full = m.birth_date.strftime("%Y-%m-%d")
    assert full in client_for(world["bob"]).get(f"/members/{m.pk}/").content.decode()
    grid = factories.user("gina", "grid_worker", area=world["comm_a"])  # no reveal permission
    body = client_for(grid).get(f"/members/{m.pk}/").content.decode()
    assert full not in body and "出生年份" in body and str(m.birth_date.year) in body


def test_the_top_bar_search_posts_the_number(world, client_for):
    c = client_for(world["alice"])
    page = c.get("/").content.decode()
    assert 'role="search" method="post"' in page
    number = world["m_a2"].reveal_id_number()
    r = c.post("/members/", {"q": number})
    assert roster_names(r) == ["王芳"]


def test_a_phone_number_can_be_removed_on_the_edit_form(world, client_for):
    m = world["m_a2"]
    c = client_for(world["alice"])
    page = c.get(f"/members/{m.pk}/edit/").content.decode()
    assert "删除已登记的手机号" in page and m.reveal_phone() not in page
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
        "clear_phone": "on",
    }
    assert c.post(f"/members/{m.pk}/edit/", data).status_code == 302
    m.refresh_from_db()
    assert m.phone_enc == "" and m.phone_masked == "" and m.phone_index == ""
    assert m.reveal_id_number() == world["m_a2"].reveal_id_number()  # unchanged


def test_the_roster_offers_the_users_subtrees_as_a_filter(world, client_for):
    c = client_for(world["alice"])
    page = c.get("/members/").content.decode()
    select = page.split('id="f-org"')[1].split("</select>")[0]
    assert "南门街道党工委" in select and "紫金社区党委" in select
    assert "鼓楼街道" not in select and "中共宁波市委" not in select
    r = c.post("/members/", {"org": world["branch_a2"].pk})
    assert roster_names(r) == ["王芳"]
    # the chosen organization stays selected even when it is deeper than the list
    assert f'<option value="{world["branch_a2"].pk}" selected>' in r.content.decode()
    # a stranger's organization is refused
    assert (
        client_for(world["charlie"]).post("/members/", {"org": world["branch_a2"].pk}).status_code
        == 404
    )
