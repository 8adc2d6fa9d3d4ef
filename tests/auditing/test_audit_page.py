"""The audit log page: for auditors, limited to what they may audit."""

from __future__ import annotations

import contextlib
import datetime as dt
import io

import pytest
from django.utils import timezone
from python_calamine import CalamineWorkbook

from tests import factories
from tests.cases.conftest import report
from tongxin.cases import services as cases
from tongxin.core.models import AuditLog
from tongxin.members.services import member_reveal_pii


def test_the_auditor_sees_who_revealed_which_number(world, client_for):
    member_reveal_pii(actor=world["bob"], member=world["m_a1"], field_name="id_number")
    c = client_for(world["auditor"])
    assert "审计" in c.get("/").content.decode()  # in the navigation
    body = c.get("/audit/", {"action": "members.reveal_pii"}).content.decode()
    assert "查看完整号码" in body and "张红" in body and "bob" in body
    # the number itself is never in the log
    assert world["m_a1"].reveal_id_number() not in body


def test_an_auditor_of_street_b_does_not_see_street_a(world, client_for):
    member_reveal_pii(actor=world["bob"], member=world["m_a1"], field_name="id_number")
    member_reveal_pii(actor=world["charlie"], member=world["m_b1"], field_name="phone")
    street_b_auditor = factories.user("bea", "auditor", org=world["street_b"])
    body = client_for(street_b_auditor).get("/audit/").content.decode()
    assert "赵刚" in body and "张红" not in body


def test_users_without_the_audit_permission_get_404(world, client_for):
    for who in ("alice", "bob", "charlie"):
        c = client_for(world[who])
        assert c.get("/audit/").status_code == 404
        assert 'href="/audit/"' not in c.get("/").content.decode()


def test_audit_page_query_count(world, client_for, django_assert_num_queries):
    for _ in range(5):
        member_reveal_pii(actor=world["bob"], member=world["m_a1"], field_name="id_number")
    c = client_for(world["auditor"])
    # 1 session, 2 user, 3 role assignments, 4 the auditor's organizations' anchor areas,
    # 5 COUNT, 6 the page's rows with actors, 7 the names of the organizations on the page
    # (no area on the page: no query), 8 the organizations and 9 the areas offered as
    # subtree filters, 10-12 session save
    with django_assert_num_queries(12):
        assert c.get("/audit/").status_code == 200


def test_number_searches_appear_to_the_auditors_of_the_member_found(world, client_for):
    number = world["m_a1"].reveal_id_number()
    client_for(world["alice"]).post("/members/", {"q": number})
    body = client_for(world["auditor"]).get("/audit/", {"action": "members.search_pii"})
    text = body.content.decode()
    assert "按号码查找" in text and "张红" in text and "alice" in text
    street_b_auditor = factories.user("bea", "auditor", org=world["street_b"])
    text = client_for(street_b_auditor).get("/audit/").content.decode()
    assert "张红" not in text


def test_rows_stay_with_the_subtree_where_they_were_written(world, client_for):
    from tongxin.orgs.services import org_move

    member_reveal_pii(actor=world["bob"], member=world["m_a1"], field_name="id_number")
    street_a_auditor = factories.user("ada", "auditor", org=world["street_a"])
    street_b_auditor = factories.user("bea", "auditor", org=world["street_b"])
    org_move(actor=None, org=world["branch_a1"], new_parent=world["street_b"])
    assert "张红" in client_for(street_a_auditor).get("/audit/").content.decode()
    b_rows = client_for(street_b_auditor).get("/audit/", {"action": "members.reveal_pii"})
    assert "张红" not in b_rows.content.decode()


def test_a_refused_duplicate_is_seen_by_the_auditors_of_the_record_found(world, client_for):
    from tests.factories import member_input
    from tongxin.core.errors import ServiceError
    from tongxin.members.services import member_create

    number = world["m_b1"].reveal_id_number()  # 赵刚, street B
    with contextlib.suppress(ServiceError):
        member_create(actor=world["alice"], data=member_input(world["branch_a2"], id_number=number))
    street_b_auditor = factories.user("bea", "auditor", org=world["street_b"])
    body = client_for(street_b_auditor).get("/audit/").content.decode()
    assert "拒绝重复登记" in body and "赵刚" in body and "alice" in body
    street_a_auditor = factories.user("ada", "auditor", org=world["street_a"])
    assert "赵刚" not in client_for(street_a_auditor).get("/audit/").content.decode()


# ------------------------------------------------------------------ in words, filters, export


def table(body: str) -> str:
    """The rows of the page, without the filter form (whose list names every action)."""
    return body.split("<tbody>", 1)[1]


def _case_and_reveal(w):
    """A case reported in 紫金花园 and dispatched by alice; bob reveals 张红's number; in
    street B charlie reveals 赵刚's."""
    case = report(w)
    cases.case_transition(actor=w["alice"], case=case, action="accept", note="")
    member_reveal_pii(actor=w["bob"], member=w["m_a1"], field_name="id_number")
    member_reveal_pii(actor=w["charlie"], member=w["m_b1"], field_name="phone")
    return case


def test_the_page_names_actions_places_and_links_the_objects(cw, client_for):
    case = _case_and_reveal(cw)
    body = table(client_for(cw["auditor"]).get("/audit/").content.decode())
    assert "上报事件" in body and "受理事件" in body and "查看完整号码" in body
    assert "case.accept" not in body and "members.reveal_pii" not in body
    # places by name, never by path
    assert "紫金花园" in body and "紫金社区第一党支部" in body and "孝闻社区党支部" in body
    for place in ("compound_a", "branch_a1", "branch_b1"):
        assert f">{cw[place].path}<" not in body and f" {cw[place].path}" not in body
    # the objects the auditor may open are links
    assert f'href="/cases/{case.pk}/"' in body
    assert f'href="/members/{cw["m_a1"].pk}/"' in body


def test_a_transfer_shows_organization_names_not_tree_paths(world, client_for):
    row = AuditLog.objects.create(
        action="members.transfer_create",
        object_type="members.transfer",
        object_id="1",
        object_repr=f"张红：{world['branch_a1'].path} → {world['branch_b1'].path}",
        org_path=world["branch_a1"].path,
    )
    body = client_for(world["auditor"]).get("/audit/").content.decode()
    assert "张红：紫金社区第一党支部 → 孝闻社区党支部" in body
    assert row.object_repr not in body


def test_filters_by_action_actor_subtree_and_date(cw, client_for):
    _case_and_reveal(cw)
    c = client_for(cw["auditor"])

    def body(**params):
        r = c.get("/audit/", params)
        assert r.status_code == 200
        return table(r.content.decode())

    assert "受理事件" in body(action="case.accept") and "查看完整号码" not in body(
        action="case.accept"
    )
    by_bob = body(actor="bob")
    assert "张红" in by_bob and "赵刚" not in by_bob
    street_b = body(org=cw["street_b"].pk)
    assert "赵刚" in street_b and "张红" not in street_b and "受理事件" not in street_b
    compound = body(area=cw["compound_a"].pk)
    assert "受理事件" in compound and "赵刚" not in compound and "张红" not in compound
    today = timezone.localdate()
    assert "张红" in body(date_from=today.isoformat(), date_to=today.isoformat())
    yesterday = (today - dt.timedelta(days=1)).isoformat()
    assert "张红" not in body(date_to=yesterday)


@pytest.mark.parametrize(
    "params, message",
    [
        ({"date_from": "2026-13-45"}, "不是有效日期"),
        ({"date_from": "2026-12-07", "date_to": "2026-12-01"}, "开始日期晚于结束日期"),
        ({"org": "99999999999999999999"}, "所选党组织不存在或不在您的审计范围内"),
        ({"area": "abc"}, "所选区域不存在或不在您的审计范围内"),
        ({"action": "nothing.such"}, "没有这种动作"),
    ],
)
def test_bad_filters_are_explained_in_chinese_and_show_nothing(world, client_for, params, message):
    member_reveal_pii(actor=world["bob"], member=world["m_a1"], field_name="id_number")
    r = client_for(world["auditor"]).get("/audit/", params)
    text = r.content.decode()
    assert r.status_code == 200 and message in text and "张红" not in text
    r = client_for(world["auditor"]).get("/audit/export.xlsx", params)
    assert r.status_code == 400 and message in r.content.decode()
    assert not AuditLog.objects.filter(action="audit.export").exists()


def test_a_subtree_out_of_reach_is_refused_not_widened(world, client_for):
    member_reveal_pii(actor=world["bob"], member=world["m_a1"], field_name="id_number")
    bea = factories.user("bea", "auditor", org=world["street_b"])
    for params in ({"org": world["street_a"].pk}, {"area": world["compound_a"].pk}):
        text = client_for(bea).get("/audit/", params).content.decode()
        assert "不在您的审计范围内" in text and "张红" not in text


def _sheet(response) -> list[list[object]]:
    data = b"".join(response.streaming_content)
    return CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0).to_python()


def test_the_export_holds_the_rows_in_words_and_is_audited(cw, client_for):
    _case_and_reveal(cw)
    r = client_for(cw["auditor"]).get("/audit/export.xlsx", {"actor": "bob"})
    assert r.status_code == 200 and r["Content-Type"].startswith("application/vnd.openxml")
    rows = _sheet(r)
    assert rows[0][:5] == ["时间", "操作人", "用户名", "动作", "对象"]
    assert [row[3] for row in rows[1:]] == ["查看完整号码"]
    assert rows[1][4] == "张红" and rows[1][5] == "紫金社区第一党支部"
    log = AuditLog.objects.get(action="audit.export")
    assert log.actor == cw["auditor"] and log.diff["rows"] == 1
    assert log.diff["filters"] == {"actor": "bob"} and log.org_path == cw["city"].path
    # an export of one subtree stands in that subtree
    client_for(cw["auditor"]).get("/audit/export.xlsx", {"org": cw["street_b"].pk})
    assert AuditLog.objects.filter(action="audit.export").first().org_path == cw["street_b"].path


def test_strangers_cannot_export_and_another_street_exports_none_of_street_a(cw, client_for):
    _case_and_reveal(cw)
    assert client_for(cw["charlie"]).get("/audit/export.xlsx").status_code == 404
    bea = factories.user("bea", "auditor", org=cw["street_b"])
    rows = _sheet(client_for(bea).get("/audit/export.xlsx"))
    text = repr(rows)
    assert "赵刚" in text
    assert "张红" not in text and "紫金" not in text and "事件" not in text


def test_the_query_count_does_not_grow_with_rows_of_every_kind(
    cw, client_for, django_assert_num_queries
):
    c = client_for(cw["auditor"])

    def count() -> int:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as ctx:
            assert c.get("/audit/").status_code == 200
        return len(ctx)

    _case_and_reveal(cw)
    c.get("/audit/")  # the first request after signing in saves the session
    first = count()
    for _ in range(3):
        _case_and_reveal(cw)
    # 1 session, 2 user, 3 role assignments, 4 anchor areas, 5 COUNT, 6 rows, 7 organization
    # names, 8 area names, 9-10 subtree choices (the session is not saved again within the
    # minute)
    assert first == count() == 10
