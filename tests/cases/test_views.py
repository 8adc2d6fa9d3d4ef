"""Pages: the staff flow through the inboxes, residents' pages, keys; strangers see nothing."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.cases.conftest import report
from tests.helpers import texts
from tongxin.cases import selectors, services
from tongxin.cases.models import Case, CaseEvent, CasePhoto

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def png(name="a.png"):
    return SimpleUploadedFile(name, PNG, content_type="image/png")


def test_staff_flow_through_inboxes(cw, client_for):
    c = client_for(cw["grace"])
    r = c.post(
        "/cases/new/",
        {
            "area": cw["compound_a"].pk,
            "category": cw["sanitation"].pk,
            "priority": "normal",
            "description": "3号楼垃圾没清运",
            "photos": [png()],
        },
    )
    case = Case.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/cases/{case.pk}/"
    assert case.source == "grid" and CasePhoto.objects.filter(case=case).count() == 1
    c = client_for(cw["alice"])
    assert case.tracking_code in texts(c.get("/cases/?inbox=accept"))
    c.post(f"/cases/{case.pk}/act/accept/", {"note": ""})
    assert case.tracking_code in texts(c.get("/cases/?inbox=dispatch"))
    c.post(f"/cases/{case.pk}/act/dispatch/", {"agency": cw["chengguan"].pk})
    c = client_for(cw["dan"])
    assert case.tracking_code in texts(c.get("/cases/?inbox=claim"))
    c.post(f"/cases/{case.pk}/act/claim/")
    c.post(f"/cases/{case.pk}/act/resolve/", {"note": "已清运。"})
    c = client_for(cw["alice"])
    assert case.tracking_code in texts(c.get("/cases/?inbox=verify"))
    c.post(f"/cases/{case.pk}/act/verify/")
    r = c.post(f"/cases/{case.pk}/act/close/", follow=True)
    assert "已结案" in texts(r)
    case.refresh_from_db()
    assert case.state == "closed"
    assert CaseEvent.objects.filter(case=case).count() == 7


def test_illegal_move_page_shows_reason(cw, client_for):
    case = report(cw)
    r = client_for(cw["alice"]).post(f"/cases/{case.pk}/act/close/", follow=True)
    assert "当前状态为“待受理”，不能结案" in texts(r)
    case.refresh_from_db()
    assert case.state == "reported"


def test_department_cannot_accept_and_other_agency_sees_nothing(cw, client_for):
    case = report(cw)  # routed to 城管 (dan)
    c = client_for(cw["dan"])
    # not dispatched yet: the 城管 handler only reaches cases of his agency... which it is,
    # but he may not accept (manage): 404, and nothing changes
    assert c.post(f"/cases/{case.pk}/act/accept/").status_code == 404
    services.case_transition(actor=cw["alice"], case=case, action="accept")
    services.case_transition(actor=cw["alice"], case=case, action="dispatch")
    e = client_for(cw["erin"])  # 住建: another agency
    assert e.get(f"/cases/{case.pk}/").status_code == 404
    assert e.post(f"/cases/{case.pk}/act/claim/").status_code == 404
    assert case.tracking_code not in texts(e.get("/cases/?inbox=claim"))
    case.refresh_from_db()
    assert case.state == "dispatched"


STAFF_PAGES = [
    "/cases/{pk}/",
    "/cases/{pk}/photos/{photo}/",
]
STAFF_POSTS = [
    "/cases/{pk}/act/accept/",
    "/cases/{pk}/act/escalate/",
    "/cases/{pk}/merge/",
    "/cases/{pk}/photos/",
]


@pytest.mark.parametrize("stranger", ["charlie", "erin", "rita", "audrey_b"])
def test_strangers_get_404_everywhere(cw, client_for, stranger):
    from tests import factories

    if stranger == "audrey_b":
        # a street secretary of street B
        cw["audrey_b"] = factories.user("bella", "street_secretary", org=cw["street_b"])
    case = report(cw, photos=[png()])
    photo = CasePhoto.objects.get()
    c = client_for(cw[stranger])
    for url in STAFF_PAGES:
        assert c.get(url.format(pk=case.pk, photo=photo.pk)).status_code == 404, url
    for url in STAFF_POSTS:
        assert c.post(url.format(pk=case.pk), {"note": "x", "into": case.pk}).status_code == 404, (
            url
        )
    assert (
        case.tracking_code not in texts(c.get("/cases/?inbox=all")) if stranger != "rita" else True
    )
    # residents' own pages: someone else's case is a 404
    assert c.get(f"/cases/mine/{case.pk}/").status_code == 404
    assert c.post(f"/cases/mine/{case.pk}/rate/", {"rating": 5}).status_code == 404
    case.refresh_from_db()
    assert case.state == "reported" and CaseEvent.objects.filter(case=case).count() == 1


def test_people_without_cases_permission_get_404_on_staff_pages(cw, client_for):
    c = client_for(cw["bob"])  # branch secretary: no cases.view (but 三访: /cases/ leads there)
    for url in ("/cases/new/", "/cases/keys/"):
        assert c.get(url).status_code == 404, url
    assert c.get("/cases/").status_code == 302


def test_resident_reports_follows_and_rates(cw, client_for):
    c = client_for(cw["rita"])
    r = c.get("/cases/report/")
    assert r.status_code == 200 and "紫金花园" in texts(r)
    r = c.post(
        "/cases/report/",
        {
            "category": cw["sanitation"].pk,
            "area": cw["compound_a"].pk,
            "description": "北门垃圾没人收",
            "photos": [png()],
        },
    )
    case = Case.objects.get()
    assert r["Location"] == f"/cases/mine/{case.pk}/"
    assert (case.resident, case.source, case.reporter_name) == (
        cw["rita_res"],
        "resident",
        "居民丽塔",
    )
    page = texts(c.get(r["Location"]))
    assert case.tracking_code in page and "待受理" in page
    # follow by code, signed out: no description, no name
    from django.test import Client

    anon = texts(Client().get(f"/cases/track/?code={case.tracking_code.lower()}"))
    assert "待受理" in anon and "北门垃圾" not in anon and "丽塔" not in anon
    for actor, action, note in [
        (cw["alice"], "accept", ""),
        (cw["alice"], "dispatch", ""),
        (cw["dan"], "claim", ""),
        (cw["dan"], "resolve", "已清运。"),
        (cw["alice"], "verify", ""),
        (cw["alice"], "close", ""),
    ]:
        services.case_transition(actor=actor, case=case, action=action, note=note)
    assert "对办理结果满意吗" in texts(c.get(f"/cases/mine/{case.pk}/"))
    r = c.post(f"/cases/mine/{case.pk}/rate/", {"rating": "2", "note": "还是很脏"}, follow=True)
    assert "重新交办" in texts(r)
    case.refresh_from_db()
    assert case.state == "accepted" and case.reopened
    # sam, a resident of the same compound, cannot rate or read it
    s = client_for(cw["sam"])
    assert s.post(f"/cases/mine/{case.pk}/rate/", {"rating": "5"}).status_code == 404
    assert s.get(f"/cases/mine/{case.pk}/photos/{CasePhoto.objects.get().pk}/").status_code == 404


def test_non_resident_cannot_open_report_page(cw, client_for):
    assert client_for(cw["alice"]).get("/cases/report/").status_code == 404


@pytest.mark.parametrize(
    ("upload", "contains"),
    [
        (
            SimpleUploadedFile("a.png", b"not an image at all", content_type="image/png"),
            "不是可接受的格式",
        ),
        (
            SimpleUploadedFile(
                "big.jpg", b"\xff\xd8\xff" + b"0" * (10 * 1024 * 1024), content_type="image/jpeg"
            ),
            "超过10 MB",
        ),
    ],
)
def test_bad_photo_is_refused_with_message_and_nothing_written(cw, client_for, upload, contains):
    c = client_for(cw["rita"])
    r = c.post(
        "/cases/report/",
        {
            "category": cw["sanitation"].pk,
            "area": cw["compound_a"].pk,
            "description": "北门垃圾没人收",
            "photos": [upload],
        },
    )
    assert r.status_code == 200
    assert contains in texts(r)
    assert not Case.objects.exists() and not CaseEvent.objects.exists()
    assert not CasePhoto.objects.exists()


def test_a_failure_after_photos_are_stored_leaves_no_files(cw, settings, monkeypatch):
    """The report's transaction rolls back on any error, and the photo files go with it."""
    from pathlib import Path

    from tongxin.cases import services as case_services
    from tongxin.cases.services import reporting

    def broken_audit(**kwargs):
        raise RuntimeError("the audit table is unavailable")

    # case_report is defined in services.reporting: that module's ``audit`` is the one it calls.
    monkeypatch.setattr(reporting, "audit", broken_audit)
    with pytest.raises(RuntimeError):
        case_services.case_report(
            actor=cw["alice"],
            area=cw["compound_a"],
            category=cw["sanitation"],
            description="北门垃圾没人收",
            photos=[png("a.png"), png("b.png")],
        )
    assert not Case.objects.exists() and not CasePhoto.objects.exists()
    root = Path(settings.UPLOAD_ROOT)
    assert not [p for p in root.rglob("*") if p.is_file()], "no photo file is left behind"


def test_case_page_offers_duplicate_merge(cw, client_for):
    first = report(cw, description="3号楼门口垃圾堆放好几天没有清运，味道很大")
    dup = report(cw, description="3号楼门口的垃圾没有清运，味道很大")
    c = client_for(cw["alice"])
    page = texts(c.get(f"/cases/{dup.pk}/"))
    assert "可能重复的事件" in page and first.tracking_code in page
    r = c.post(f"/cases/{dup.pk}/merge/", {"into": first.pk})
    assert r["Location"] == f"/cases/{first.pk}/"
    dup.refresh_from_db()
    assert dup.state == "merged"


def test_keys_page_issue_and_revoke(cw, client_for):
    c = client_for(cw["alice"])
    r = c.post(
        "/cases/keys/", {"name": "市民App", "area": cw["street_a_area"].pk, "per_minute": 100}
    )
    assert "只显示这一次" in texts(r) and "o311_" in texts(r)
    assert r["Cache-Control"] == "no-store"
    key = selectors.api_keys().get()
    # charlie's street B secretary cannot see or revoke it
    from tests import factories

    bella = factories.user("bella", "street_secretary", org=cw["street_b"])
    b = client_for(bella)
    assert "市民App" not in texts(b.get("/cases/keys/"))
    assert b.post(f"/cases/keys/{key.pk}/revoke/").status_code == 404
    c = client_for(cw["alice"])
    c.post(f"/cases/keys/{key.pk}/revoke/")
    key.refresh_from_db()
    assert key.revoked_at is not None


def test_keys_page_refuses_area_outside_scope(cw, client_for):
    r = client_for(cw["alice"]).post(
        "/cases/keys/", {"name": "x", "area": cw["street_b_area"].pk, "per_minute": 10}
    )
    assert r.status_code == 200 and not selectors.api_keys().exists()


def test_dashboard_panel(cw, client_for):
    report(cw)
    r = client_for(cw["alice"]).get("/")
    assert 'data-testid="cases-panel"' in texts(r)
    r = client_for(cw["charlie"]).get("/")
    assert 'data-testid="cases-panel"' not in texts(r)


@pytest.fixture(params=[3, 30], ids=["3 cases", "30 cases"])
def many(request, cw):
    for i in range(request.param):
        report(
            cw,
            description=f"第{i}件 路灯不亮",
            category=cw["municipal"] if i % 2 else cw["sanitation"],
        )
    return request.param


def test_inbox_query_count_is_constant(cw, many, client_for, django_assert_num_queries):
    c = client_for(cw["alice"])
    # 1 session, 2 user, 3 role assignments (the Scope), 4 the street org's area (scope),
    # 5 the user's grids (may report: is there a 网格待呼叫 inbox?), 6 COUNT, 7 the page's
    # cases with category, area and agency joined, 8 categories (filter),
    # 9-11 SAVEPOINT / UPDATE django_session / RELEASE
    with django_assert_num_queries(11):
        r = c.get("/cases/?inbox=accept")
    assert r.status_code == 200


def test_department_inbox_query_count_is_constant(cw, many, client_for, django_assert_num_queries):
    for case in Case.objects.filter(category=cw["sanitation"]):
        services.case_transition(actor=cw["alice"], case=case, action="accept")
        services.case_transition(actor=cw["alice"], case=case, action="dispatch")
    c = client_for(cw["dan"])
    # 1 session, 2 user, 3 role assignments (an area grant: no org areas to look up),
    # 4 the handler's agencies, 5 COUNT, 6 rows, 7 categories, 8-10 session save
    with django_assert_num_queries(10):
        r = c.get("/cases/?inbox=claim")
    assert r.status_code == 200
    assert texts(r).count('data-testid="case-row"') == min(many // 2 + many % 2, 20)


def test_resident_list_query_count_is_constant(cw, many, client_for, django_assert_num_queries):
    Case.objects.update(resident=cw["rita_res"])
    c = client_for(cw["rita"])
    # 1 session, 2 user, 3 resident, 4 COUNT, 5 rows with category and area,
    # 6 role assignments (the shared context processor's Scope), 7-9 session save
    with django_assert_num_queries(9):
        r = c.get("/cases/mine/")
    assert r.status_code == 200


def test_photo_served_to_staff(cw, client_for):
    case = report(cw, photos=[png()])
    p = CasePhoto.objects.get()
    r = client_for(cw["alice"]).get(f"/cases/{case.pk}/photos/{p.pk}/")
    assert r.status_code == 200 and r["Content-Type"] == "image/png"
    assert b"".join(r.streaming_content).startswith(b"\x89PNG")


def test_the_cases_nav_leads_a_visits_only_cadre_to_the_visit_diary(world, client_for):
    # bob (branch secretary) records 三访 but holds no cases.view.
    r = client_for(world["bob"]).get("/cases/")
    assert r.status_code == 302 and r["Location"] == "/visits/"
    # Street staff see the inboxes with a link to 三访.
    body = client_for(world["alice"]).get("/cases/").content.decode()
    assert 'href="/visits/"' in body


# ---------------------------------------------------------------- issue 12: ids out of range

BIG = "99999999999999999999"  # 20 digits: beyond a 64-bit integer (SQLite: OverflowError)


@pytest.mark.parametrize(
    ("who", "path"),
    [
        ("alice", f"/cases/{BIG}/"),
        ("alice", "/cases/{pk}/photos/" + BIG + "/"),
        ("rita", f"/cases/mine/{BIG}/"),
        ("rita", "/cases/mine/{pk}/photos/" + BIG + "/"),
        ("charlie", f"/cases/{BIG}/"),
    ],
)
def test_twenty_digit_ids_are_404(cw, client_for, who, path):
    case = services.case_report_resident(
        actor=cw["rita"],
        resident=cw["rita_res"],
        category=cw["sanitation"],
        area=cw["compound_a"],
        description="垃圾没清运",
    )
    assert client_for(cw[who]).get(path.format(pk=case.pk)).status_code == 404


@pytest.mark.parametrize("value", ["²", BIG, "１"])
def test_odd_ids_in_forms_change_nothing(cw, client_for, value):
    case = report(cw)
    c = client_for(cw["alice"])
    services.case_transition(actor=cw["alice"], case=case, action="accept")
    # An agency id that is no id: the routed agency is kept, never a server error.
    r = c.post(f"/cases/{case.pk}/act/dispatch/", {"agency": value})
    assert r.status_code == 302
    case.refresh_from_db()
    assert (case.state, case.agency) == ("dispatched", cw["chengguan"])
    assert c.post(f"/cases/{case.pk}/merge/", {"into": value}).status_code == 404


def test_twenty_digit_ids_through_the_api_are_404(cw, client):
    from tongxin.accounts.services import api_token_create

    _, key = api_token_create(actor=None, user=cw["alice"], name="测试")
    h = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
    assert client.get(f"/api/v1/cases/{BIG}", **h).status_code == 404
    r = client.post(f"/api/v1/cases/{BIG}/actions/accept", {}, content_type="application/json", **h)
    assert r.status_code == 404


@pytest.mark.parametrize("query", ["q=%00", "category=%00", "q=SJ%01x"])
def test_control_characters_in_list_filters_find_nothing(cw, client_for, query):
    report(cw)
    r = client_for(cw["alice"]).get(f"/cases/?inbox=all&{query}")
    assert r.status_code == 200 and 'data-testid="case-row"' not in texts(r)


@pytest.mark.parametrize("code", ["SJ%00", "%00", "SJ" + "A" * 300, "SJ²"])
def test_odd_tracking_codes_are_not_found(cw, client, code):
    r = client.get(f"/cases/track/?code={code}")
    assert r.status_code == 200 and "没有找到这个查询码" in texts(r)
