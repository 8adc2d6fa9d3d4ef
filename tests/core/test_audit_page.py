"""The audit log page: for auditors, limited to what they may audit."""

from __future__ import annotations

from tests import factories
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


def test_audit_page_query_count(world, client_for, django_assert_num_queries):  # type: ignore[no-untyped-def]
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
    try:
        member_create(actor=world["alice"], data=member_input(world["branch_a2"], id_number=number))
    except ServiceError:
        pass
    street_b_auditor = factories.user("bea", "auditor", org=world["street_b"])
    body = client_for(street_b_auditor).get("/audit/").content.decode()
    assert "拒绝重复登记" in body and "赵刚" in body and "alice" in body
    street_a_auditor = factories.user("ada", "auditor", org=world["street_a"])
    assert "赵刚" not in client_for(street_a_auditor).get("/audit/").content.decode()
