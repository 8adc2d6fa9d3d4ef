"""Issue 12, item 4: what the resident, the public (key-less Open311) and a department see of
a case. Internal notes stay with staff; the public reply (答复居民) is what the resident and
Open311 get; a department sees a case, and its history, only from its dispatch on."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from tests.cases.conftest import report
from tongxin.accounts.services import api_token_create
from tongxin.cases import selectors, services
from tongxin.cases.models import Case, CaseEvent
from tongxin.core.errors import ServiceError
from tongxin.core.scope import scope_for_user

pytestmark = pytest.mark.django_db

INTERNAL = "请城管中队3日内修复井盖"
REPLY = "井盖已更换，感谢您的反映。"


def auth(user):
    _, key = api_token_create(actor=None, user=user, name="测试")
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


def resident_case(cw, **over):
    return services.case_report_resident(
        actor=cw["rita"],
        resident=cw["rita_res"],
        category=cw["sanitation"],
        area=cw["compound_a"],
        address="北门3号楼东侧我家窗下",
        description="北门垃圾桶满了三天没人清运。",
        **over,
    )


def walk(cw, case, *, reply_on_close=REPLY):
    """accept → dispatch (with the internal dispatch note) → claim → resolve → verify → close."""
    alice, dan = cw["alice"], cw["dan"]
    services.case_transition(actor=alice, case=case, action="accept", note="已核实")
    services.case_transition(actor=alice, case=case, action="dispatch", note=INTERNAL)
    services.case_transition(actor=dan, case=case, action="claim")
    services.case_transition(
        actor=dan, case=case, action="resolve", note="更换井盖一只，费用走维修基金"
    )
    services.case_transition(actor=alice, case=case, action="verify", note="现场核查完成")
    services.case_transition(
        actor=alice, case=case, action="close", note="内部结案说明", reply=reply_on_close
    )
    case.refresh_from_db()
    return case


# ---------------------------------------------------------------- the resident


def test_resident_page_shows_the_reply_never_the_internal_notes(cw, client_for):
    case = walk(cw, resident_case(cw))
    page = client_for(cw["rita"]).get(f"/cases/mine/{case.pk}/").content.decode()
    assert REPLY in page
    for internal in (INTERNAL, "更换井盖一只", "现场核查完成", "内部结案说明", "已核实"):
        assert internal not in page, internal
    # Staff read both, the reply marked as such.
    staff = client_for(cw["alice"]).get(f"/cases/{case.pk}/").content.decode()
    assert INTERNAL in staff and REPLY in staff and 'data-testid="reply"' in staff


def test_resident_page_without_any_reply_shows_the_steps_only(cw, client_for):
    case = walk(cw, resident_case(cw), reply_on_close="")
    assert case.status_note == ""  # an internal closing note never becomes the status note
    r = client_for(cw["rita"]).get(f"/cases/mine/{case.pk}/")
    page = r.content.decode()
    assert "结案" in page and "内部结案说明" not in page and INTERNAL not in page
    assert 'data-testid="status-note"' not in page


def test_reply_through_the_case_page_and_its_status_note(cw, client_for):
    case = resident_case(cw)
    c = client_for(cw["alice"])
    r = c.post(
        f"/cases/{case.pk}/act/accept/", {"note": "内部：转城管", "reply": "已受理，将尽快处理。"}
    )
    assert r.status_code == 302
    case.refresh_from_db()
    assert (case.state, case.status_note) == ("accepted", "已受理，将尽快处理。")
    ev = CaseEvent.objects.get(case=case, kind="accept")
    assert (ev.note, ev.reply) == ("内部：转城管", "已受理，将尽快处理。")
    page = client_for(cw["rita"]).get(f"/cases/mine/{case.pk}/").content.decode()
    assert "已受理，将尽快处理。" in page and "内部：转城管" not in page


@pytest.mark.parametrize(
    ("reply", "contains"),
    [("长" * 301, "300"), ("<script>alert(1)</script>已处理", "HTML")],
)
def test_bad_reply_is_refused_and_changes_nothing(cw, client_for, reply, contains):
    case = resident_case(cw)
    before = CaseEvent.objects.count()
    r = client_for(cw["alice"]).post(f"/cases/{case.pk}/act/accept/", {"reply": reply}, follow=True)
    assert r.status_code == 200 and contains in r.content.decode()
    case.refresh_from_db()
    assert (case.state, case.status_note) == ("reported", "")
    assert CaseEvent.objects.count() == before
    with pytest.raises(ServiceError):
        services.case_transition(actor=cw["alice"], case=case, action="accept", reply=reply)


def test_reply_through_the_api(cw, client):
    case = resident_case(cw)
    h = auth(cw["alice"])
    r = client.post(
        f"/api/v1/cases/{case.pk}/actions/accept",
        {"note": "内部", "reply": "已受理。"},
        content_type="application/json",
        **h,
    )
    assert r.status_code == 200, r.content
    events = client.get(f"/api/v1/cases/{case.pk}", **h).json()["events"]
    assert [(e["kind"], e["note"], e["reply"]) for e in events][-1] == (
        "accept",
        "内部",
        "已受理。",
    )
    r = client.post(
        f"/api/v1/cases/{case.pk}/actions/dispatch",
        {"reply": "<b>x</b>"},
        content_type="application/json",
        **h,
    )
    assert r.status_code == 400 and "HTML" in r.json()["fields"]["reply"]
    case.refresh_from_db()
    assert case.state == "accepted"


def test_stranger_cannot_reply(cw, client_for, client):
    case = resident_case(cw)
    r = client_for(cw["charlie"]).post(f"/cases/{case.pk}/act/accept/", {"reply": "冒充答复"})
    assert r.status_code == 404
    r = client.post(
        f"/api/v1/cases/{case.pk}/actions/accept",
        {"reply": "冒充答复"},
        content_type="application/json",
        **auth(cw["charlie"]),
    )
    assert r.status_code == 404
    # Another resident reaches nothing of it either.
    assert client_for(cw["sam"]).get(f"/cases/mine/{case.pk}/").status_code == 404
    case.refresh_from_db()
    assert (case.state, case.status_note) == ("reported", "")
    assert not CaseEvent.objects.filter(reply="冒充答复").exists()


# ---------------------------------------------------------------- the public (Open311)


@pytest.fixture
def mapped(cw):
    type(cw["compound_a"]).objects.filter(pk=cw["compound_a"].pk).update(
        latitude=Decimal("29.870000"), longitude=Decimal("121.550000")
    )
    cw["compound_a"].refresh_from_db()
    return cw


def _get(client, path):
    return json.loads(client.get(path).content)


def test_keyless_open311_returns_public_fields_only(mapped, client):
    cw = mapped
    case = resident_case(cw, latitude=Decimal("29.8712"), longitude=Decimal("121.5511"))
    services.case_transition(actor=cw["alice"], case=case, action="accept")
    services.case_transition(actor=cw["alice"], case=case, action="dispatch", note=INTERNAL)
    public = _get(client, f"/open311/v2/requests/{case.tracking_code}.json")[0]
    listed = [
        r
        for r in _get(client, "/open311/v2/requests.json")
        if r["service_request_id"] == case.tracking_code
    ]
    xml = client.get(f"/open311/v2/requests/{case.tracking_code}.xml").content.decode()
    for row in (public, listed[0]):
        assert row["status_notes"] == "已派遣"  # the state: no reply given yet
        assert row["address"] == "紫金花园"  # the place's name, not the resident's words
        assert (row["lat"], row["long"]) == (29.87, 121.55)  # the place, not the tapped point
        assert row["description"] == "" and row["agency_responsible"] == ""
        assert (row["service_code"], row["status"]) == ("sanitation", "open")
        assert row["requested_datetime"] and row["expected_datetime"]
    for text in (INTERNAL, "北门3号楼", "29.8712", "121.5511", "城管", "垃圾桶满了"):
        assert text not in json.dumps(public, ensure_ascii=False), text
        assert text not in xml, text


def test_open311_status_notes_is_the_public_reply(mapped, client):
    case = walk(mapped, resident_case(mapped))
    row = _get(client, f"/open311/v2/requests/{case.tracking_code}.json")[0]
    assert (row["status"], row["status_notes"]) == ("closed", REPLY)


def test_jurisdiction_key_keeps_the_documented_detail_another_key_does_not(mapped, client):
    cw = mapped
    case = resident_case(cw, latitude=Decimal("29.8712"), longitude=Decimal("121.5511"))
    _k, mine = services.api_key_issue(actor=cw["alice"], name="本辖区", area=cw["street_a_area"])
    _k, theirs = services.api_key_issue(actor=None, name="外辖区", area=cw["street_b_area"])
    row = _get(client, f"/open311/v2/requests/{case.tracking_code}.json?api_key={mine}")[0]
    assert row["address"] == "紫金花园 北门3号楼东侧我家窗下"
    assert (row["lat"], row["long"]) == (29.8712, 121.5511)
    assert row["description"].startswith("北门垃圾桶")
    row = _get(client, f"/open311/v2/requests/{case.tracking_code}.json?api_key={theirs}")[0]
    assert (row["address"], row["description"], row["lat"]) == ("紫金花园", "", 29.87)


# ---------------------------------------------------------------- the department


def test_department_sees_a_case_only_once_dispatched_to_it(cw, client_for, client):
    case = resident_case(cw)  # routed to 城管 (dan's agency) at once
    assert case.agency == cw["chengguan"] and case.dispatched_at is None
    dan = client_for(cw["dan"])
    h = auth(cw["dan"])

    def sees() -> tuple[bool, bool, bool, bool, int]:
        page = dan.get("/cases/?inbox=all").content.decode()
        figures = selectors.dashboard_figures(scope_for_user(cw["dan"])) or {}
        return (
            case.tracking_code in page,
            dan.get(f"/cases/{case.pk}/").status_code == 200,
            client.get(f"/api/v1/cases/{case.pk}", **h).status_code == 200,
            case.pk in [c["id"] for c in client.get("/api/v1/cases/", **h).json()["results"]],
            figures.get("total", 0),
        )

    assert sees() == (False, False, False, False, 0)  # reported
    services.case_transition(actor=cw["alice"], case=case, action="accept", note="先受理")
    assert sees() == (False, False, False, False, 0)  # accepted
    assert dan.get(f"/cases/{case.pk}/photos/1/").status_code == 404
    services.case_transition(actor=cw["alice"], case=case, action="dispatch", note=INTERNAL)
    assert sees() == (True, True, True, True, 1)  # dispatched to 城管
    # Its history from the dispatch on: not the report, not the acceptance and its note.
    events = client.get(f"/api/v1/cases/{case.pk}", **h).json()["events"]
    assert [e["kind"] for e in events] == ["dispatch"]
    page = dan.get(f"/cases/{case.pk}/").content.decode()
    assert INTERNAL in page and "先受理" not in page
    services.case_transition(actor=cw["dan"], case=case, action="claim")
    services.case_transition(actor=cw["dan"], case=case, action="resolve", note="已修复")
    events = client.get(f"/api/v1/cases/{case.pk}", **h).json()["events"]
    assert [e["kind"] for e in events] == ["dispatch", "claim", "resolve"]
    # The street keeps the whole history.
    events = client.get(f"/api/v1/cases/{case.pk}", **auth(cw["alice"])).json()["events"]
    assert [e["kind"] for e in events] == ["report", "accept", "dispatch", "claim", "resolve"]


def test_department_cannot_act_before_dispatch(cw):
    case = resident_case(cw)
    services.case_transition(actor=cw["alice"], case=case, action="accept")
    case.refresh_from_db()
    assert not selectors.can(scope_for_user(cw["dan"]), case, "cases.handle")
    services.case_transition(actor=cw["alice"], case=case, action="dispatch")
    case.refresh_from_db()
    assert selectors.can(scope_for_user(cw["dan"]), case, "cases.handle")


def test_dispatched_elsewhere_the_first_department_loses_it(cw, client_for):
    case = resident_case(cw)
    services.case_transition(actor=cw["alice"], case=case, action="accept")
    services.case_transition(actor=cw["alice"], case=case, action="dispatch")
    services.case_transition(actor=cw["dan"], case=case, action="return", note="不属于城管职责")
    returned_at = Case.objects.get(pk=case.pk).dispatched_at
    assert client_for(cw["dan"]).get(f"/cases/{case.pk}/").status_code == 200  # still theirs
    services.case_transition(actor=cw["alice"], case=case, action="dispatch", agency=cw["zhujian"])
    case.refresh_from_db()
    assert case.dispatched_at is not None and case.dispatched_at >= returned_at
    assert client_for(cw["dan"]).get(f"/cases/{case.pk}/").status_code == 404
    erin = client_for(cw["erin"])
    page = erin.get(f"/cases/{case.pk}/").content.decode()
    # 住建 sees its own dispatch on, not 城管's return before it.
    assert "不属于城管职责" not in page
    kinds = [e.kind for e in selectors.case_history(scope_for_user(cw["erin"]), case)]
    assert kinds == ["dispatch"]


def test_redispatch_to_the_same_department_keeps_its_history(cw):
    case = report(cw)
    services.case_transition(actor=cw["alice"], case=case, action="accept")
    services.case_transition(actor=cw["alice"], case=case, action="dispatch")
    first = Case.objects.get(pk=case.pk).dispatched_at
    services.case_transition(actor=cw["dan"], case=case, action="return", note="地址不清")
    services.case_transition(actor=cw["alice"], case=case, action="dispatch", note="地址已补充")
    case.refresh_from_db()
    assert case.dispatched_at == first
    kinds = [e.kind for e in selectors.case_history(scope_for_user(cw["dan"]), case)]
    assert kinds == ["dispatch", "return", "dispatch"]


def test_charlie_sees_no_history(cw, client_for, client):
    case = report(cw)
    services.case_transition(actor=cw["alice"], case=case, action="accept")
    services.case_transition(actor=cw["alice"], case=case, action="dispatch")
    assert client_for(cw["charlie"]).get(f"/cases/{case.pk}/").status_code == 404
    assert client.get(f"/api/v1/cases/{case.pk}", **auth(cw["charlie"])).status_code == 404


def test_migration_backfills_dispatch_times_and_empties_internal_status_notes(cw):
    """Data written before the change: the dispatch time comes from the first dispatch step
    (else the first claim), and a status note copied from an internal note is emptied."""
    import importlib

    from django.apps import apps

    dispatched, claimed_only, waiting = report(cw), report(cw), report(cw)
    for case in (dispatched, claimed_only):
        services.case_transition(actor=cw["alice"], case=case, action="accept")
        services.case_transition(actor=cw["alice"], case=case, action="dispatch")
        services.case_transition(actor=cw["dan"], case=case, action="claim")
    first_dispatch = CaseEvent.objects.get(case=dispatched, kind="dispatch").at
    claim = CaseEvent.objects.get(case=claimed_only, kind="claim").at
    CaseEvent.objects.filter(case=claimed_only, kind="dispatch").delete()
    Case.objects.update(dispatched_at=None, status_note=INTERNAL)
    importlib.import_module(
        "tongxin.cases.migrations.0005_case_public_reply_dispatched_at"
    ).backfill(apps, None)
    got = {c.pk: (c.dispatched_at, c.status_note) for c in Case.objects.all()}
    assert got == {
        dispatched.pk: (first_dispatch, ""),
        claimed_only.pk: (claim, ""),
        waiting.pk: (None, ""),
    }


def test_department_sees_the_reports_media_link_once_dispatched(cw, client_for):
    url = "https://img.example.cn/well-cover.jpg"
    case = report(cw, actor=None, source="open311", media_url=url)
    dan = client_for(cw["dan"])
    assert dan.get(f"/cases/{case.pk}/").status_code == 404
    services.case_transition(actor=cw["alice"], case=case, action="accept")
    services.case_transition(actor=cw["alice"], case=case, action="dispatch")
    page = dan.get(f"/cases/{case.pk}/").content.decode()
    assert 'data-testid="media-url"' in page and url in page


def test_a_reply_with_control_characters_is_refused(cw):
    case = resident_case(cw)
    with pytest.raises(ServiceError) as e:
        services.case_transition(actor=cw["alice"], case=case, action="accept", reply="已\x00受理")
    assert "控制字符" in e.value.fields["reply"]
    case.refresh_from_db()
    assert case.state == "reported"
